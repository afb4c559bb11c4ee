package policy

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// A run's findings are data.secretgate.main.findings: what the deny rules
// of every check family produce, waivers applied, plus the expired
// waivers. policies/main/main.rego defines the same set piecewise, as
// family_findings(family) for each family, expired_waivers and
// broad_waivers, so that the
// engine can evaluate the pieces side by side on all cores. Each piece is
// its own query over the one input document; the findings are their union.
// opa eval over data.secretgate.main.findings gives the same set (a test
// holds the two together).

// part is one piece of the findings.
type part struct {
	name  string
	query rego.PreparedEvalQuery
	text  string
}

// rulesRoot and mainRoot are where the rule packages and the aggregator live.
var (
	rulesRoot = ast.MustParseRef("data.secretgate.rules")
	mainRoot  = ast.MustParseRef("data.secretgate.main")
)

// prepareParts prepares the per-family queries, or returns none when the
// pieces might not add up to data.secretgate.main.findings: when a user
// policy adds to or changes package secretgate.main, or when the children
// of data.secretgate.rules cannot be listed from the compiled rules (a rule
// whose head is data.secretgate.rules[x]).
func prepareParts(ctx context.Context, c *ast.Compiler, builtin map[string]bool) ([]part, error) {
	families, ok := ruleFamilies(c, builtin)
	if !ok {
		return nil, nil
	}
	queries := []struct{ name, text string }{
		{"expired waivers", "data.secretgate.main.expired_waivers"},
		{"broad waivers", "data.secretgate.main.broad_waivers"},
	}
	for _, f := range families {
		queries = append(queries, struct{ name, text string }{f, fmt.Sprintf("data.secretgate.main.family_findings(%s)", ast.StringTerm(f))})
	}
	parts := make([]part, 0, len(queries))
	for _, q := range queries {
		pq, err := prepare(ctx, c, q.text)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part{name: q.name, query: pq, text: q.text})
	}
	return parts, nil
}

// ruleFamilies lists the keys of data.secretgate.rules, sorted; ok is false
// when they cannot be listed or package secretgate.main is not only the
// built-in one.
func ruleFamilies(c *ast.Compiler, builtin map[string]bool) ([]string, bool) {
	if c.RuleTree == nil {
		return nil, false
	}
	if m := c.RuleTree.Find(mainRoot); m == nil {
		return nil, false
	} else {
		own := true
		m.DepthFirst(func(n *ast.TreeNode) bool {
			for _, r := range n.Values {
				if r.Location == nil || !builtin[r.Location.File] {
					own = false
				}
			}
			return !own
		})
		if !own {
			return nil, false
		}
	}
	// Rules whose heads sit above the families (package secretgate with
	// rules[x] := …, or package secretgate.main) would be missed.
	for _, ref := range []ast.Ref{ast.MustParseRef("data"), ast.MustParseRef("data.secretgate"), rulesRoot} {
		if n := c.RuleTree.Find(ref); n != nil && len(n.Values) > 0 {
			return nil, false
		}
	}
	node := c.RuleTree.Find(rulesRoot)
	if node == nil {
		return []string{}, true
	}
	var out []string
	for k := range node.Children {
		s, isString := k.(ast.String)
		if !isString {
			return nil, false
		}
		out = append(out, string(s))
	}
	sort.Strings(out)
	return out, true
}

// evaluateParts evaluates the parts, GOMAXPROCS at a time, and unions their
// findings.
func (e *Engine) evaluateParts(ctx context.Context, val ast.Value) ([]Raw, error) {
	results := make([]foundSet, len(e.parts))
	errs := make([]error, len(e.parts))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(e.parts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = evalFound(ctx, e.parts[i].query, e.parts[i].text, val)
			}
		}()
	}
	for _, i := range e.order() {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return union(results), nil
}

// order lists the parts largest first (by the built-in families' usual
// cost), so that the slowest does not start last.
func (e *Engine) order() []int {
	weight := map[string]int{"rotation": 4, "naming": 3, "trust": 2, "iam": 2}
	idx := make([]int, len(e.parts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return weight[e.parts[idx[a]].name] > weight[e.parts[idx[b]].name]
	})
	return idx
}

// union joins the parts' findings as a set would: a finding produced by
// two parts with every field equal counts once. Findings with different
// rule ids always differ, so only the findings of rule ids seen in several
// parts are compared (as OPA values, every field, not only those of Raw).
func union(results []foundSet) []Raw {
	owner := map[string]int{}
	shared := map[string]bool{}
	n := 0
	for i, res := range results {
		n += len(res.raws)
		for _, r := range res.raws {
			if o, seen := owner[r.Rule]; seen && o != i {
				shared[r.Rule] = true
			}
			owner[r.Rule] = i
		}
	}
	out := make([]Raw, 0, n)
	seen := ast.NewSet()
	for _, res := range results {
		for j, r := range res.raws {
			if shared[r.Rule] {
				if seen.Contains(res.terms[j]) {
					continue
				}
				seen.Add(res.terms[j])
			}
			out = append(out, r)
		}
	}
	return out
}
