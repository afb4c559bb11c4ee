package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/result"
)

// checkPlacement refuses user rules that check would never evaluate: a
// rule named deny outside the packages secretgate.rules.<check> and
// secretgate.rules.<check>.<name> (the only deny documents main.rego
// reads), and a rule whose METADATA has a custom.id outside those
// packages and package secretgate.main (whose findings rules are
// evaluated). Such a rule would be listed by policy list and silently
// find nothing. Library packages, holding neither, stay allowed.
func checkPlacement(mods map[string]*ast.Module, builtin map[string]bool) error {
	names := make([]string, 0, len(mods))
	for name := range mods {
		if !builtin[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		m := mods[name]
		pkg := m.Package.Path.String()
		rulePkg := evaluatedRulePackage(pkg)
		where := func(what string, loc *ast.Location) error {
			return fmt.Errorf("%s: %s in package %s is never evaluated: move it to package secretgate.rules.<check> (or secretgate.rules.<check>.<name>), <check> one of %s",
				loc, what, strings.TrimPrefix(pkg, "data."), strings.Join(knownChecks(), ", "))
		}
		if !rulePkg && pkg != mainRoot.String() {
			for _, a := range m.Annotations {
				if a.Scope != "package" && a.Scope != "subpackages" {
					continue
				}
				if id, ok := a.Custom["id"].(string); ok {
					errs = append(errs, where(fmt.Sprintf("METADATA custom.id %s", id), m.Package.Location))
				}
			}
		}
		for _, r := range m.Rules {
			name := ruleName(r)
			switch {
			case name == "deny" && !rulePkg:
				errs = append(errs, where("rule deny", r.Location))
			case !rulePkg && pkg != mainRoot.String():
				for _, a := range r.Annotations {
					if id, ok := a.Custom["id"].(string); ok {
						errs = append(errs, where(fmt.Sprintf("rule %s (custom.id %s)", name, id), r.Location))
						break
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrPolicy, errors.Join(errs...))
	}
	return nil
}

// evaluatedRulePackage tells whether pkg is data.secretgate.rules.<check>
// or data.secretgate.rules.<check>.<name>, whose deny rules main.rego reads.
func evaluatedRulePackage(pkg string) bool {
	const prefix = "data.secretgate.rules."
	if !strings.HasPrefix(pkg, prefix) {
		return false
	}
	return strings.Count(strings.TrimPrefix(pkg, prefix), ".") <= 1
}

// ruleName is the first part of a rule's head (deny for "deny contains …").
func ruleName(r *ast.Rule) string {
	if name := r.Head.Name.String(); name != "" {
		return name
	}
	if len(r.Head.Reference) > 0 {
		return r.Head.Reference[0].String()
	}
	return ""
}

func knownChecks() []string {
	return append(append([]string(nil), result.Families...), result.CheckConfig)
}
