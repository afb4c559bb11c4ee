package policy

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// LoadFamilies is Load with the built-in rule packages limited to the check
// families named: the built-in secretgate.rules.<family> packages of other
// families are not compiled (a run that has no facts for them, a staged
// commit without policy files, need not pay for them). The built-in
// library (secretgate.lib) and aggregator (secretgate.main) and every user
// policy always compile. When a user policy refers to a built-in rule
// package left out, the whole set is compiled instead, so the outcome
// never differs from Load's. A nil families is Load.
//
// The catalogue (Rule, Catalog) holds the compiled rules only; Known also
// knows the built-in rules left out, for checking waivers.
func LoadFamilies(ctx context.Context, dirs []string, families []string) (*Engine, error) {
	if families == nil {
		return Load(ctx, dirs)
	}
	all, err := BuiltinSources(false)
	if err != nil {
		return nil, err
	}
	user, err := DirSources(dirs, false)
	if err != nil {
		return nil, err
	}
	var kept []Source
	left := false
	for _, s := range all {
		if fam, ok := familyOf("data." + packageOf(s.Text)); ok && !slices.Contains(families, fam) {
			left = true
			continue
		}
		kept = append(kept, s)
	}
	if !left || refersToRules(user, families) {
		return compile(ctx, append(all, user...))
	}
	eng, err := compile(ctx, append(kept, user...))
	if err != nil {
		// The error, if any, is the whole set's.
		return compile(ctx, append(all, user...))
	}
	eng.partial = true
	return eng, nil
}

// packageOf returns the package path of a Rego source ("secretgate.rules.iam"),
// read from its first package line, or "".
func packageOf(text []byte) string {
	for line := range bytes.Lines(text) {
		line = bytes.TrimSpace(line)
		if rest, ok := bytes.CutPrefix(line, []byte("package ")); ok {
			return string(bytes.TrimSpace(rest))
		}
	}
	return ""
}

// refersToRules reports whether a user source might refer to a built-in
// rule package not among families: it names data.secretgate.rules other
// than through those families, or it cannot be parsed (the full set then
// reports the error).
func refersToRules(user []Source, families []string) bool {
	if len(user) == 0 {
		return false
	}
	mods, err := Parse(user)
	if err != nil {
		return true
	}
	refers := false
	for _, m := range mods {
		// A user rule package of a family left out is compiled, but its
		// family's built-in rules would be missing beside it.
		if fam, ok := familyOf(m.Package.Path.String()); ok && !slices.Contains(families, fam) {
			return true
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if refers || !r.HasPrefix(rulesRoot) {
				return refers
			}
			if len(r) <= len(rulesRoot) {
				refers = true
				return true
			}
			s, ok := r[len(rulesRoot)].Value.(ast.String)
			if !ok || !slices.Contains(families, string(s)) {
				refers = true
			}
			return refers
		})
		for _, imp := range m.Imports {
			if ref, ok := imp.Path.Value.(ast.Ref); ok && ref.HasPrefix(rulesRoot) {
				if len(ref) <= len(rulesRoot) {
					return true
				}
				if s, ok := ref[len(rulesRoot)].Value.(ast.String); !ok || !slices.Contains(families, string(s)) {
					return true
				}
			}
		}
		if refers {
			return true
		}
	}
	return false
}

// Partial reports whether built-in rule packages were left out.
func (e *Engine) Partial() bool { return e.partial }

// Known reports whether a rule id is in the catalogue, or, when built-in
// rule packages were left out (LoadFamilies), is the id of one of their
// rules: a waiver naming it is not a typo.
func (e *Engine) Known(id string) bool {
	if _, ok := e.catalog[id]; ok {
		return true
	}
	if !e.partial {
		return false
	}
	ids, err := builtinRuleIDs()
	return err == nil && ids[id]
}

// builtinRuleIDs reads the custom.id of every built-in rule from the
// METADATA of the embedded policies, without compiling them.
var builtinRuleIDs = sync.OnceValues(func() (map[string]bool, error) {
	srcs, err := BuiltinSources(false)
	if err != nil {
		return nil, err
	}
	mods, err := Parse(srcs)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, m := range mods {
		for _, r := range m.Rules {
			if id := ruleID(m, r); id != "" && strings.TrimSpace(id) != "" {
				ids[id] = true
			}
		}
	}
	return ids, nil
})
