package policy

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/result"
)

// LoadFamilies is Load with the built-in rule packages limited to the check
// families named: the built-in secretgate.rules.<family> packages of other
// families are not compiled (a run that has no facts for them, a staged
// commit without policy files, need not pay for them), nor the built-in
// library packages (secretgate.lib.<name>) that nothing compiled refers
// to. The aggregator (secretgate.main) and every user policy always
// compile. When a user policy refers to a built-in rule package left out,
// or to data.secretgate in a way that cannot be followed, the whole set is
// compiled instead, so the outcome never differs from Load's. A nil
// families is Load.
//
// The catalogue (Catalog, Compiled) holds the compiled rules only; Known
// and Rule also know the built-in rules left out: a waiver may name one,
// and a user rule may report under its id.
func LoadFamilies(ctx context.Context, dirs []string, families []string) (*Engine, error) {
	if families == nil {
		return Load(ctx, dirs)
	}
	all, user, err := sources(dirs)
	if err != nil {
		return nil, err
	}
	uses, ok := userUses(user, families)
	if !ok {
		return compile(ctx, append(all, user...))
	}
	kept, whole := selectBuiltin(all, families, uses)
	if whole {
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

// selectBuiltin returns the built-in sources a compilation of families
// needs: their rule packages, every source outside the rule packages and
// the library (the aggregator), and the library packages that these, or
// uses, name, and theirs in turn. whole reports that nothing was left out.
func selectBuiltin(all []Source, families, uses []string) (kept []Source, whole bool) {
	libs := map[string][]Source{}
	left := false
	for _, s := range all {
		pkg := "data." + packageOf(s.Text)
		if fam, ok := familyOf(pkg); ok && !slices.Contains(families, fam) {
			left = true
			continue
		}
		if strings.HasPrefix(pkg, libRoot.String()+".") {
			libs[pkg] = append(libs[pkg], s)
			continue
		}
		kept = append(kept, s)
	}
	queue := slices.Clone(uses)
	for _, s := range kept {
		queue = append(queue, libRefs(s.Text)...)
	}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		srcs, found := libs[pkg]
		if pkg == libRoot.String() {
			// The whole library.
			for p := range libs {
				queue = append(queue, p)
			}
			continue
		}
		if !found {
			continue
		}
		delete(libs, pkg)
		kept = append(kept, srcs...)
		for _, s := range srcs {
			queue = append(queue, libRefs(s.Text)...)
		}
	}
	return kept, !left && len(libs) == 0
}

// LoadRules compiles the built-in rule packages of families and the
// library packages they use, and nothing else: neither the aggregator
// (package secretgate.main) nor any user policy. Its findings are those of
// LoadFamilies' engine for a document without waivers and without judge,
// for which the aggregator only joins the families' deny sets
// (TestLoadRulesFindsWhatLoadFamiliesFinds): the expired and too broad
// waivers and the judge's change are findings about waivers and judge,
// and with no waiver active a family's findings are its deny set as it
// is. Such a run (no waivers, no judge, no policies of the user's; see
// run.deferrable) compiles about a third of the Rego and prepares one
// query per family instead of four more. EvaluateDocument refuses a
// document with waivers or a judge (ErrRulesOnly): this engine cannot
// judge them.
//
// A built-in family whose rules lie in subpackages, which the
// aggregator also reads (data.secretgate.rules[family][_].deny), is
// compiled by LoadFamilies instead.
func LoadRules(ctx context.Context, families []string) (*Engine, error) {
	all, err := BuiltinSources(false)
	if err != nil {
		return nil, err
	}
	kept, _ := selectBuiltin(all, families, nil)
	var srcs []Source
	for _, s := range kept {
		pkg := "data." + packageOf(s.Text)
		if pkg == mainRoot.String() {
			continue
		}
		if fam, ok := familyOf(pkg); ok && pkg != rulesRoot.String()+"."+fam {
			return LoadFamilies(ctx, nil, families)
		}
		srcs = append(srcs, s)
	}
	mods, builtin, err := parseSources(srcs)
	if err != nil {
		return nil, err
	}
	compiler, err := compileModules(mods)
	if err != nil {
		return nil, err
	}
	catalog, err := readCatalog(compiler, builtin)
	if err != nil {
		return nil, err
	}
	fams := slices.Clone(families)
	slices.Sort(fams)
	parts := make([]part, 0, len(fams))
	for _, f := range slices.Compact(fams) {
		ref := rulesRoot.Append(ast.StringTerm(f)).Append(ast.StringTerm("deny"))
		if compiler.RuleTree.Find(ref) == nil {
			continue // no rule of the family: it finds nothing
		}
		text := ref.String()
		pq, err := prepare(ctx, compiler, text)
		if err != nil {
			return nil, err
		}
		// Every rule compiled is built in: a family of shardAxes may be
		// split.
		reads := readsInput(compiler, compiler.GetRulesWithPrefix(rulesRoot.Append(ast.StringTerm(f))), "secrets", false)
		parts = append(parts, part{name: f, query: pq, text: text, axis: shardAxes[f], readsSecrets: reads})
	}
	return &Engine{catalog: catalog, parts: parts, compiler: compiler, partial: true, rulesOnly: true}, nil
}

// ErrRulesOnly is the error of an engine from LoadRules given a document
// with waivers or a judge, which only the aggregator judges.
var ErrRulesOnly = errors.New("policy engine compiled without the aggregator given waivers or a judge")

// libRoot is where the built-in library packages live.
var libRoot = ast.MustParseRef("data.secretgate.lib")

// libRefPattern finds the library packages a built-in source names (they
// name them in full, in imports).
var libRefPattern = regexp.MustCompile(`data\.secretgate\.lib\.([A-Za-z0-9_]+)`)

// libRefs returns the library packages a built-in source names, as
// "data.secretgate.lib.<name>".
func libRefs(text []byte) []string {
	var out []string
	for _, m := range libRefPattern.FindAllSubmatch(text, -1) {
		out = append(out, libRoot.String()+"."+string(m[1]))
	}
	return out
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

// userUses returns the library packages the user sources refer to
// (data.secretgate.lib for all of it); ok is false when the whole set must
// compile: a user source does not parse (the full set reports the error),
// adds to a rule package of a family left out or to the library, refers to
// such a rule package, or refers to data or data.secretgate as a whole or
// by a computed key.
func userUses(user []Source, families []string) (uses []string, ok bool) {
	if len(user) == 0 {
		return nil, true
	}
	mods, err := Parse(user)
	if err != nil {
		return nil, false
	}
	root := ast.MustParseRef("data.secretgate")
	ok = true
	check := func(r ast.Ref) {
		switch {
		case !r.HasPrefix(ast.DefaultRootRef):
			return
		case root.HasPrefix(r) || (r.HasPrefix(ast.DefaultRootRef) && len(r) > 1 && !r[1].IsGround()):
			// data, data.secretgate, data[x]...
			ok = false
		case !r.HasPrefix(root):
			return
		case len(r) == len(root) || !r[len(root)].IsGround():
			ok = false
		case r.HasPrefix(rulesRoot):
			if len(r) == len(rulesRoot) {
				ok = false
				return
			}
			if s, isStr := r[len(rulesRoot)].Value.(ast.String); !isStr || !slices.Contains(families, string(s)) {
				ok = false
			}
		case r.HasPrefix(libRoot):
			if len(r) == len(libRoot) {
				uses = append(uses, libRoot.String())
				return
			}
			if s, isStr := r[len(libRoot)].Value.(ast.String); isStr {
				uses = append(uses, libRoot.String()+"."+string(s))
			} else {
				uses = append(uses, libRoot.String())
			}
		}
	}
	for _, m := range mods {
		pkg := m.Package.Path
		if fam, isRules := familyOf(pkg.String()); isRules && !slices.Contains(families, fam) {
			return nil, false
		}
		if pkg.HasPrefix(libRoot) {
			return nil, false
		}
		for _, imp := range m.Imports {
			if ref, isRef := imp.Path.Value.(ast.Ref); isRef {
				check(ref)
			}
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			check(r)
			return false
		})
		if !ok {
			return nil, false
		}
	}
	return uses, true
}

// Compiled reports whether the rule id is one of the compiled rules.
func (e *Engine) Compiled(id string) bool {
	_, ok := e.catalog[id]
	return ok
}

// Partial reports whether built-in packages were left out.
func (e *Engine) Partial() bool { return e.partial }

// Known reports whether a rule id is in the catalogue, or, when built-in
// rule packages were left out (LoadFamilies), is the id of one of their
// rules (as Rule): a waiver naming it is not a typo.
func (e *Engine) Known(id string) bool {
	_, ok := e.Rule(id)
	return ok
}

// builtinCatalog is the catalogue of every built-in rule, read from the
// METADATA of the embedded policies without compiling them.
var builtinCatalog = sync.OnceValues(func() (map[string]result.Rule, error) {
	srcs, err := BuiltinSources(false)
	if err != nil {
		return nil, err
	}
	mods, builtin, err := parseSources(srcs)
	if err != nil {
		return nil, err
	}
	return catalogOf(mods, builtin)
})
