package policy

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// errMissingRule marks a finding without a "rule" field. It is a policy
// error; Evaluate replaces it with one that names the deny rules that
// produced such findings.
var errMissingRule = missingRuleError{}

type missingRuleError struct{}

func (missingRuleError) Error() string { return "a rule produced a finding without a \"rule\" id" }

// blameMissingRule evaluates the deny rule of every rules package on its
// own and returns an error naming the packages (and where their deny rules
// are) whose deny produced a finding without a "rule" field. Only a failed
// run pays for this. When no package can be named, orig is returned.
func (e *Engine) blameMissingRule(ctx context.Context, val ast.Value, orig error) error {
	if e.compiler == nil {
		return orig
	}
	locs := map[string]string{} // package → first deny rule's file:line
	for _, m := range e.compiler.Modules {
		pkg := m.Package.Path.String()
		if _, ok := familyOf(pkg); !ok {
			continue
		}
		for _, r := range m.Rules {
			if r.Head.Name.String() != "deny" && (len(r.Head.Reference) == 0 || r.Head.Reference[0].String() != "deny") {
				continue
			}
			loc := strings.TrimPrefix(fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row), builtinPrefix)
			if prev, seen := locs[pkg]; !seen || loc < prev {
				locs[pkg] = loc
			}
		}
	}
	pkgs := make([]string, 0, len(locs))
	for pkg := range locs {
		pkgs = append(pkgs, pkg)
	}
	sort.Strings(pkgs)
	var blamed []string
	for _, pkg := range pkgs {
		pq, err := e.prepare(ctx, pkg+".deny")
		if err != nil {
			return err
		}
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(val))
		if err != nil {
			return fmt.Errorf("%w: evaluate %s.deny: %v", ErrPolicy, pkg, err)
		}
		if len(rs) == 0 || len(rs[0].Expressions) == 0 {
			continue
		}
		if producesRuleless(rs[0].Expressions[0].Value) {
			blamed = append(blamed, fmt.Sprintf("%s: rule deny in package %s", locs[pkg], strings.TrimPrefix(pkg, "data.")))
		}
	}
	if len(blamed) == 0 {
		return orig
	}
	return fmt.Errorf("%w (every finding needs \"rule\": the rule's custom.id)\n\t%s", orig, strings.Join(blamed, "\n\t"))
}

// producesRuleless tells whether a deny document (a set, an array or an
// object of findings, as JSON-shaped Go values) holds a finding without a
// "rule" field.
func producesRuleless(v any) bool {
	var items []any
	switch d := v.(type) {
	case []any:
		items = d
	case map[string]any:
		for _, x := range d {
			items = append(items, x)
		}
	default:
		return true
	}
	for _, x := range items {
		obj, ok := x.(map[string]any)
		if !ok {
			return true
		}
		if r, ok := obj["rule"]; !ok || r == nil || r == "" {
			return true
		}
	}
	return false
}
