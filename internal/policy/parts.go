package policy

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"golang.org/x/sync/errgroup"
)

// A run's findings are data.secretgate.main.findings: what the deny rules
// of every check family produce, waivers applied, plus the expired
// waivers. policies/main/main.rego defines the same set piecewise, as
// family_findings(family) for each family, expired_waivers and
// broad_waivers, so that the engine can evaluate these parts side by side
// on all cores (and the largest families in pieces, over slices of the
// input: see shardAxes). Each part is its own query over the one input
// document; the findings are their union.
// opa eval over data.secretgate.main.findings gives the same set (a test
// holds the two together).

// part is one query whose findings are part of the run's.
type part struct {
	name  string
	query rego.PreparedEvalQuery
	text  string
	// axis, when set, is the input list (secrets, roles) the part can
	// be split by: evaluated over a slice of that list, with the rest of
	// the input unchanged, it finds the findings about that slice's
	// elements, and the union over the slices is its findings over the
	// whole list (see shardAxes).
	axis string
	// readsSecrets: a rule the query can reach reads input.secrets (or
	// the input in a way that could: input[x], input as a whole); a query
	// that does not is evaluated over the document without its secrets.
	readsSecrets bool
	// perWaiver: the query finds one finding per waiver at most (the
	// built-in waiver checks), so it finds nothing without waivers.
	perWaiver bool
}

// shardAxes names, for the built-in families each of whose findings is
// about one element of an input list and depends only on that element and
// the configuration (never on the other elements), that list. A large
// account's rotation findings, say, are then found by several queries over
// slices of input.secrets, side by side, instead of one query that would
// keep one core busy while the other waits. The identity of the union with
// the whole family's findings is held by TestShardsEqualFindings. A family
// is split only when all its rules, and every library rule, are built in:
// a user rule could count the elements or compare them.
var shardAxes = map[string]string{
	"rotation": "secrets",
	"naming":   "secrets",
	"trust":    "roles",
	"leaks":    "leaks",
}

// costPerElement is roughly what each family costs per element of the
// input list that drives it, in microseconds on the generated account of
// internal/bench (BenchmarkParts): the order in which the pieces are
// started, largest first, so that the slowest does not start last.
var costPerElement = map[string]struct {
	list string
	us   float64
}{
	"rotation": {"secrets", 35},
	"naming":   {"secrets", 9},
	"trust":    {"roles", 250},
	"iam":      {"roles", 55},
	"leaks":    {"leaks", 150},
}

// sharedWork names the families whose pieces repeat work that the whole
// query shares among its elements: the trust rules analyse each distinct
// trust condition and permission statement once (cores,
// statement_powers), and a piece analyses again those of its own roles,
// so that four pieces of the generated account's roles cost 1.7 times the
// CPU of one query. Such a family is split only as far as the cores need:
// into as many pieces as its cost holds a core's fair share of the whole
// evaluation (the total estimated cost over the cores), so on two cores
// the trust rules of the 10,000-secret account are one piece, evaluated
// while the other families' pieces keep the other core busy.
var sharedWork = map[string]bool{"trust": true}

// pieceMin is the smallest estimated cost, in microseconds, worth a piece
// of its own (and shardMin the fewest elements): below it the query's
// fixed cost outweighs the gain.
var (
	pieceMin = 15000.0
	shardMin = 50
)

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
	type query struct {
		name, text string
		family     bool
	}
	queries := []query{
		{"expired waivers", "data.secretgate.main.expired_waivers", false},
		{"broad waivers", "data.secretgate.main.broad_waivers", false},
		{"judge changes", "data.secretgate.main.judge_changes", false},
	}
	for _, f := range families {
		queries = append(queries, query{f, fmt.Sprintf("data.secretgate.main.family_findings(%s)", ast.StringTerm(f)), true})
	}
	libOwn := builtinOnly(c, libRoot, builtin)
	parts := make([]part, 0, len(queries))
	for _, q := range queries {
		pq, err := prepare(ctx, c, q.text)
		if err != nil {
			return nil, err
		}
		p := part{name: q.name, query: pq, text: q.text, perWaiver: q.name == "expired waivers" || q.name == "broad waivers"}
		if q.family {
			start := slices.Concat(c.GetRules(mainRoot.Append(ast.StringTerm("family_findings"))), c.GetRulesWithPrefix(rulesRoot.Append(ast.StringTerm(q.name))))
			p.readsSecrets = readsInput(c, start, "secrets", true)
		} else {
			p.readsSecrets = readsInput(c, c.GetRules(ast.MustParseRef(q.text)), "secrets", false)
		}
		if axis, ok := shardAxes[q.name]; ok && libOwn && builtinOnly(c, rulesRoot.Append(ast.StringTerm(q.name)), builtin) {
			p.axis = axis
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// readsInput reports whether a rule reachable from start reads input[key]:
// a reference to input.key, to input with a key that is not a constant
// (input[x]) or to input as a whole. The rules a rule refers to under data
// are followed, with their functions. With family, the references of the
// aggregator (package secretgate.main) to data.secretgate.rules[family] —
// how family_findings(f) reaches the rules of f — are not followed: the
// caller starts from f's rules itself.
func readsInput(c *ast.Compiler, start []*ast.Rule, key string, family bool) bool {
	seen := map[*ast.Rule]bool{}
	queue := slices.Clone(start)
	for len(queue) > 0 {
		r := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[r] {
			continue
		}
		seen[r] = true
		aggregator := family && r.Module != nil && r.Module.Package.Path.Equal(mainRoot)
		reads := false
		// The compiler passes input to a function through a local
		// variable (__local1__ = input; object.get(__local1__, …)).
		aliases := inputAliases(r)
		var vis *ast.GenericVisitor
		vis = ast.NewGenericVisitor(func(x any) bool {
			if reads {
				return true
			}
			var op *ast.Term
			var args []*ast.Term
			switch x := x.(type) {
			case *ast.Expr:
				if aliases.defs[x] {
					return true
				}
				if terms, ok := x.Terms.([]*ast.Term); ok && len(terms) > 0 {
					op, args = terms[0], terms[1:]
				}
			case ast.Var:
				reads = aliases.vars[x]
				return reads
			case ast.Call:
				if len(x) > 0 {
					op, args = x[0], x[1:]
				}
			case ast.Ref:
				if v, ok := x[0].Value.(ast.Var); ok && aliases.vars[v] {
					// d.roles[i] with d = input: as input.roles[i].
					if reads = refReads(append(ast.Ref{ast.InputRootDocument}, x[1:]...), key); !reads {
						for _, t := range x[1:] {
							vis.Walk(t)
						}
					}
					return true
				}
				reads = refReads(x, key)
				if !reads && x.HasPrefix(ast.DefaultRootRef) {
					if aggregator && x.HasPrefix(rulesRoot) && len(x) > len(rulesRoot) && !x[len(rulesRoot)].IsGround() {
						return false
					}
					queue = append(queue, c.GetRulesDynamicWithOpts(x, ast.RulesOptions{IncludeHiddenModules: true})...)
				}
				return reads
			}
			if op != nil && getsOtherKey(op, args, key, aliases.vars) {
				// object.get(input, "policies", …): walk all but input.
				for _, a := range args[1:] {
					vis.Walk(a)
				}
				return true
			}
			return false
		})
		vis.Walk(r)
		if reads {
			return true
		}
	}
	return false
}

// inputAliasSet is what inputAliases finds.
type inputAliasSet struct {
	vars map[ast.Var]bool
	defs map[*ast.Expr]bool
}

// inputAliases lists the variables of rule r bound to input as a whole
// (v = input, input = v) and the expressions that bind them.
func inputAliases(r *ast.Rule) inputAliasSet {
	set := inputAliasSet{vars: map[ast.Var]bool{}, defs: map[*ast.Expr]bool{}}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if !e.IsEquality() && !e.IsAssignment() {
			return false
		}
		terms, _ := e.Terms.([]*ast.Term)
		if len(terms) != 3 {
			return false
		}
		a, b := terms[1].Value, terms[2].Value
		if ref, ok := b.(ast.Ref); ok && ref.Equal(ast.InputRootRef) {
			a, b = b, a
		}
		if ref, ok := a.(ast.Ref); ok && ref.Equal(ast.InputRootRef) {
			if v, ok := b.(ast.Var); ok {
				set.vars[v] = true
				set.defs[e] = true
			}
		}
		return false
	})
	return set
}

// refReads reports whether ref reads input[key]: input.key, input[x]
// with x not a constant, or input as a whole.
func refReads(ref ast.Ref, key string) bool {
	if !ref.HasPrefix(ast.InputRootRef) {
		return false
	}
	if len(ref) == 1 {
		return true
	}
	s, ok := ref[1].Value.(ast.String)
	return !ok || string(s) == key
}

// getsOtherKey reports whether op(args…) is object.get(input, path, …)
// with a path that starts with a constant key other than key.
func getsOtherKey(op *ast.Term, args []*ast.Term, key string, aliases map[ast.Var]bool) bool {
	ref, ok := op.Value.(ast.Ref)
	if !ok || !ref.Equal(ast.ObjectGet.Ref()) || len(args) < 2 {
		return false
	}
	switch in := args[0].Value.(type) {
	case ast.Ref:
		if !in.Equal(ast.InputRootRef) {
			return false
		}
	case ast.Var:
		if !aliases[in] {
			return false
		}
	default:
		return false
	}
	first := args[1].Value
	if a, ok := first.(*ast.Array); ok {
		if a.Len() == 0 {
			return false
		}
		first = a.Elem(0).Value
	}
	s, ok := first.(ast.String)
	return ok && string(s) != key
}

// builtinOnly reports whether every rule under ref is a built-in one.
func builtinOnly(c *ast.Compiler, ref ast.Ref, builtin map[string]bool) bool {
	node := c.RuleTree.Find(ref)
	if node == nil {
		return true
	}
	own := true
	node.DepthFirst(func(n *ast.TreeNode) bool {
		for _, r := range n.Values {
			if r.Location == nil || !builtin[r.Location.File] {
				own = false
			}
		}
		return !own
	})
	return own
}

// ruleFamilies lists the keys of data.secretgate.rules, sorted; ok is false
// when they cannot be listed or package secretgate.main is not only the
// built-in one.
func ruleFamilies(c *ast.Compiler, builtin map[string]bool) ([]string, bool) {
	if c.RuleTree == nil {
		return nil, false
	}
	if c.RuleTree.Find(mainRoot) == nil || !builtinOnly(c, mainRoot, builtin) {
		return nil, false
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
// findings. A part with an axis is split into pieces over slices of that
// input list when the list is long enough and there are cores to share
// the work; the secrets of a slice are converted when its piece starts.
func (e *Engine) evaluateParts(ctx context.Context, doc *Document) ([]Raw, error) {
	procs := runtime.GOMAXPROCS(0)
	pieces := e.pieces(doc, procs)
	results := make([][]foundSet, len(pieces))
	// The first piece to fail stops the others; its error is the run's.
	// Pieces that fail after that fail because they were stopped.
	g, evalCtx := errgroup.WithContext(ctx)
	g.SetLimit(procs)
	for i := range pieces {
		g.Go(func() error {
			pc := pieces[i]
			input, err := pc.inputOf(doc)
			if err != nil {
				return err
			}
			for _, k := range pc.parts() {
				p := e.parts[k]
				res, err := evalFound(evalCtx, p.query, p.text, input)
				if err != nil {
					return err
				}
				results[i] = append(results[i], res)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return union(slices.Concat(results...)), nil
}

// piece is one query to evaluate: a part over the whole input, over the
// input without its secrets, or over a slice of its axis list.
type piece struct {
	part int
	// also are more parts evaluated over the same input, after part: the
	// families split over the secrets share their slices, each slice
	// converted once.
	also []int
	// input is the document to evaluate over; nil for a slice of the
	// secrets [lo, hi), converted when the piece starts (inputOf).
	input  ast.Value
	lo, hi int
	// whole: over the whole document, secrets included.
	whole bool
	cost  float64
}

// parts lists the parts the piece evaluates.
func (pc piece) parts() []int { return append([]int{pc.part}, pc.also...) }

// inputOf is the document the piece is evaluated over.
func (pc piece) inputOf(doc *Document) (ast.Value, error) {
	switch {
	case pc.input != nil:
		return pc.input, nil
	case pc.whole:
		return doc.value()
	}
	list, err := doc.secretSlice(pc.lo, pc.hi)
	if err != nil {
		return nil, err
	}
	return withList(doc.base, "secrets", list), nil
}

// maxSecretsPerPiece bounds the secrets a piece converts and judges at
// once: the Rego form of 100,000 secrets and the rules' work over them
// would be held together; in slices, a few slices' worth are.
const maxSecretsPerPiece = 4096

// pieces lists what to evaluate, the costliest first (longest processing
// time first: the slowest piece does not start last). With procs cores, a
// part with an axis is split into up to 2×procs slices, each of at least
// shardMin elements and an estimated pieceMin, so that the pieces can be
// shared out evenly; a family with sharedWork no finer than the cores
// need. A part split over the secrets is split further, into slices of at
// most maxSecretsPerPiece. A part that does not read the secrets — or
// finds one finding per waiver and there are none — is evaluated over
// the document without them; one that does and is not split, over the
// whole document.
func (e *Engine) pieces(doc *Document, procs int) []piece {
	length := func(list string) int {
		if list == "secrets" {
			return doc.nSecrets
		}
		if t := doc.base.Get(ast.StringTerm(list)); t != nil {
			if a, ok := t.Value.(*ast.Array); ok {
				return a.Len()
			}
		}
		return 0
	}
	costs := make([]float64, len(e.parts))
	total := 0.0
	for i, p := range e.parts {
		costs[i] = 1
		if c, ok := costPerElement[p.name]; ok {
			costs[i] = 1 + c.us*float64(length(c.list))
		}
		total += costs[i]
	}
	fair := total / float64(procs)
	var out []piece
	// The parts split over the secrets, and into how many slices: the
	// most any of them needs, so that each slice is converted once and
	// judged by all of them.
	var bySecrets []int
	secretShards := 0
	for i, p := range e.parts {
		cost := costs[i]
		n := length(p.axis)
		shards := 1
		if p.axis != "" && procs > 1 {
			shards = min(n/shardMin, int(cost/pieceMin), 2*procs)
			if sharedWork[p.name] {
				shards = min(shards, int(math.Ceil(cost/fair)))
			}
		}
		if p.axis == "secrets" {
			shards = max(shards, (n+maxSecretsPerPiece-1)/maxSecretsPerPiece)
		} else if p.readsSecrets {
			shards = 1 // its slices would need the whole document each
		}
		switch {
		case shards > 1 && p.axis == "secrets":
			bySecrets = append(bySecrets, i)
			secretShards = max(secretShards, shards)
		case shards > 1:
			list := doc.base.Get(ast.StringTerm(p.axis)).Value.(*ast.Array)
			for k := range shards {
				lo, hi := k*n/shards, (k+1)*n/shards
				out = append(out, piece{part: i, input: withList(doc.base, p.axis, list.Slice(lo, hi)), cost: cost * float64(hi-lo) / float64(n)})
			}
		case !p.readsSecrets || (p.perWaiver && !doc.waivers):
			out = append(out, piece{part: i, input: doc.base, cost: cost})
		default:
			out = append(out, piece{part: i, whole: true, cost: cost})
		}
	}
	if len(bySecrets) > 0 {
		n, cost := doc.nSecrets, 0.0
		for _, i := range bySecrets {
			cost += costs[i]
		}
		for k := range secretShards {
			lo, hi := k*n/secretShards, (k+1)*n/secretShards
			out = append(out, piece{part: bySecrets[0], also: bySecrets[1:], lo: lo, hi: hi, cost: cost * float64(hi-lo) / float64(n)})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].cost > out[b].cost })
	return out
}

// withList is the input document obj with its list key replaced by list.
func withList(obj ast.Object, key string, list *ast.Array) ast.Value {
	out := ast.NewObjectWithCapacity(obj.Len())
	obj.Foreach(func(k, v *ast.Term) {
		if ast.String(key).Equal(k.Value) {
			v = ast.NewTerm(list)
		}
		out.Insert(k, v)
	})
	return out
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
