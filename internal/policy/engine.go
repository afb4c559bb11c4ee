// Package policy compiles secretgate's Rego policies — the embedded
// built-ins plus the user's own directories — once, and evaluates them in one
// query over one input document. It also reads the rule catalogue from the
// policies' METADATA annotations and runs the Rego unit tests.
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safefile"
	"github.com/secretgate/secretgate/policies"
)

// Query is the one query evaluated per run.
const Query = "data.secretgate.main.findings"

// DocsBase is where the generated rule documentation lives; a rule's docs
// URL is DocsBase + "#" + its id.
const DocsBase = "https://github.com/secretgate/secretgate/blob/main/docs/policies.md"

// builtinPrefix marks embedded files in locations and error messages.
const builtinPrefix = "builtin:"

// ErrPolicy marks errors in Rego sources (parse, compile, metadata). The CLI
// maps it to exit code 2.
var ErrPolicy = errors.New("policy error")

// Engine is a compiled policy set, ready to evaluate many inputs.
type Engine struct {
	query   rego.PreparedEvalQuery
	catalog map[string]result.Rule
	// compiler and queries serve Eval: other queries over the same
	// compiled policies.
	compiler *ast.Compiler
	queries  preparedQueries
	// parts, when set, are queries whose results together are Query's:
	// one per check family and one each for the expired and the too
	// broad waivers. They are evaluated in parallel over the same input
	// document (see parts.go).
	parts []part
	// partial is set when built-in rule packages were left out
	// (LoadFamilies).
	partial bool
	// rulesOnly is set when the aggregator was left out too (LoadRules):
	// parts are the families' deny sets, and query is not prepared.
	rulesOnly bool
	// evalTimeout bounds one evaluation (SetEvalTimeout); zero means
	// DefaultEvalTimeout.
	evalTimeout time.Duration
}

// Source is one Rego file.
type Source struct {
	Name    string // path shown in messages
	Text    []byte
	Builtin bool
}

// Load reads the built-in policies and every .rego file (tests excluded)
// under dirs, lets user rules override built-in rules with the same id, and
// compiles the whole set.
func Load(ctx context.Context, dirs []string) (*Engine, error) {
	builtin, user, err := sources(dirs)
	if err != nil {
		return nil, err
	}
	return compile(ctx, append(builtin, user...))
}

// sources reads the built-in policies and the .rego files under dirs,
// tests excluded.
func sources(dirs []string) (builtin, user []Source, err error) {
	if builtin, err = BuiltinSources(false); err != nil {
		return nil, nil, err
	}
	if user, err = DirSources(dirs, false); err != nil {
		return nil, nil, err
	}
	return builtin, user, nil
}

// BuiltinSources returns the embedded policy files, with or without their
// _test.rego files.
func BuiltinSources(withTests bool) ([]Source, error) {
	var out []Source
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !wantRego(p, withTests) {
			return nil
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		out = append(out, Source{Name: builtinPrefix + "policies/" + p, Text: b, Builtin: true})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read built-in policies: %w", err)
	}
	return out, nil
}

// DirSources reads the .rego files below each directory. Each must be a
// regular file of at most safefile.MaxRego bytes inside its directory (a
// symbolic link that leaves it, a FIFO, a device or a /proc file is
// refused; see safefile). Symbolic links to directories are not entered.
func DirSources(dirs []string, withTests bool) ([]Source, error) {
	var out []Source
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("%w: policy directory %s: %v", ErrPolicy, dir, err)
		}
		if !info.IsDir() {
			if !strings.HasSuffix(dir, ".rego") {
				return nil, fmt.Errorf("%w: %s is neither a directory nor a .rego file", ErrPolicy, dir)
			}
			b, err := readRego(filepath.Dir(dir), dir)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrPolicy, err)
			}
			out = append(out, Source{Name: dir, Text: b})
			continue
		}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !wantRego(p, withTests) {
				return nil
			}
			b, err := readRego(dir, p)
			if err != nil {
				return err
			}
			out = append(out, Source{Name: p, Text: b})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: read policy directory %s: %w", ErrPolicy, dir, err)
		}
	}
	return out, nil
}

// readRego reads one policy file below root. Reading a regular file within
// the cap cannot block, so it needs no context.
func readRego(root, p string) ([]byte, error) {
	return safefile.Read(context.Background(), root, p, safefile.MaxRego)
}

func wantRego(p string, withTests bool) bool {
	if !strings.HasSuffix(p, ".rego") {
		return false
	}
	return withTests || !strings.HasSuffix(p, "_test.rego")
}

// Parse parses sources into modules keyed by name, processing annotations.
func Parse(srcs []Source) (map[string]*ast.Module, error) {
	mods := make(map[string]*ast.Module, len(srcs))
	var errs []error
	for _, s := range srcs {
		m, err := ast.ParseModuleWithOpts(s.Name, string(s.Text), ast.ParserOptions{
			ProcessAnnotation: true,
			RegoVersion:       ast.RegoV1,
		})
		if err != nil {
			errs = append(errs, parseError(s, err))
			continue
		}
		mods[s.Name] = m
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, errors.Join(errs...))
	}
	return mods, nil
}

// parseSources is Parse, and which of srcs, by name, are built in.
func parseSources(srcs []Source) (map[string]*ast.Module, map[string]bool, error) {
	mods, err := Parse(srcs)
	if err != nil {
		return nil, nil, err
	}
	builtin := make(map[string]bool, len(srcs))
	for _, s := range srcs {
		builtin[s.Name] = s.Builtin
	}
	return mods, builtin, nil
}

// compileModules compiles parsed modules with the capabilities policies
// are held to; ErrPolicy when they do not compile.
func compileModules(mods map[string]*ast.Module) (*ast.Compiler, error) {
	compiler := ast.NewCompiler().WithCapabilities(capabilities).WithEnablePrintStatements(false)
	compiler.Compile(mods)
	if compiler.Failed() {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, compiler.Errors)
	}
	return compiler, nil
}

func compile(ctx context.Context, srcs []Source) (*Engine, error) {
	mods, builtin, err := parseSources(srcs)
	if err != nil {
		return nil, err
	}
	if err := checkPlacement(mods, builtin); err != nil {
		return nil, err
	}
	applyOverrides(mods, builtin)

	compiler, err := compileModules(mods)
	if err != nil {
		return nil, err
	}
	catalog, err := readCatalog(compiler, builtin)
	if err != nil {
		return nil, err
	}
	pq, err := prepare(ctx, compiler, Query)
	if err != nil {
		return nil, err
	}
	parts, err := prepareParts(ctx, compiler, builtin)
	if err != nil {
		return nil, err
	}
	return &Engine{query: pq, catalog: catalog, parts: parts, compiler: compiler}, nil
}

// prepare compiles one query against the compiled policies.
func prepare(ctx context.Context, compiler *ast.Compiler, query string) (rego.PreparedEvalQuery, error) {
	pq, err := rego.New(
		rego.Query(query),
		rego.Compiler(compiler),
		rego.Capabilities(capabilities),
		// A built-in function failing (to_number on a name, a bad date)
		// is an error, not a silently undefined rule that finds nothing.
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return pq, fmt.Errorf("%w: prepare query: %v", ErrPolicy, err)
	}
	return pq, nil
}

// annotationOf returns the METADATA that describes a finding rule: its own
// rule-scoped block with a custom.id, else the package-scoped block with one
// (so a package holding a single rule may put METADATA above "package").
func annotationOf(m *ast.Module, r *ast.Rule) *ast.Annotations {
	for _, a := range r.Annotations {
		if _, ok := a.Custom["id"].(string); ok {
			return a
		}
	}
	for _, a := range m.Annotations {
		if a.Scope != "package" && a.Scope != "subpackages" {
			continue
		}
		if _, ok := a.Custom["id"].(string); ok {
			return a
		}
	}
	return nil
}

// ruleID returns the custom.id of a rule's METADATA, or "".
func ruleID(m *ast.Module, r *ast.Rule) string {
	if a := annotationOf(m, r); a != nil {
		id, _ := a.Custom["id"].(string)
		return id
	}
	return ""
}

// applyOverrides removes built-in rules whose id a user rule also declares:
// a user replaces a built-in rule by writing one with the same custom.id.
func applyOverrides(mods map[string]*ast.Module, builtin map[string]bool) {
	userIDs := map[string]bool{}
	for name, m := range mods {
		if builtin[name] {
			continue
		}
		for _, r := range m.Rules {
			if id := ruleID(m, r); id != "" {
				userIDs[id] = true
			}
		}
	}
	if len(userIDs) == 0 {
		return
	}
	for name, m := range mods {
		if !builtin[name] {
			continue
		}
		kept := m.Rules[:0]
		for _, r := range m.Rules {
			if !userIDs[ruleID(m, r)] {
				kept = append(kept, r)
			}
		}
		m.Rules = kept
		annots := m.Annotations[:0]
		for _, a := range m.Annotations {
			if id, _ := a.Custom["id"].(string); id == "" || !userIDs[id] {
				annots = append(annots, a)
			}
		}
		m.Annotations = annots
	}
}

// readCatalog builds the rule catalogue from rule-scoped METADATA whose
// custom block has an id, and rejects finding rules without one.
func readCatalog(c *ast.Compiler, builtin map[string]bool) (map[string]result.Rule, error) {
	return catalogOf(c.Modules, builtin)
}

// catalogOf reads the catalogue from the METADATA of parsed (or compiled)
// modules.
func catalogOf(mods map[string]*ast.Module, builtin map[string]bool) (map[string]result.Rule, error) {
	catalog := map[string]result.Rule{}
	var errs []error
	for _, m := range mods {
		pkg := m.Package.Path.String()
		family, isRules := familyOf(pkg)
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if name == "" && len(r.Head.Reference) > 0 {
				name = r.Head.Reference[0].String()
			}
			isFindingRule := isRules && name == "deny"
			a := annotationOf(m, r)
			if a == nil || (!isFindingRule && !containsAnnotation(r.Annotations, a)) {
				if isFindingRule {
					errs = append(errs, fmt.Errorf("%s: rule deny in package %s has no METADATA block with custom.id", r.Location, strings.TrimPrefix(pkg, "data.")))
				}
				continue
			}
			rule, err := ruleFromAnnotation(a, family, builtin[r.Location.File])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", r.Location, err))
				continue
			}
			rule.File = strings.TrimPrefix(r.Location.File, builtinPrefix)
			rule.Line = r.Location.Row
			if prev, dup := catalog[rule.ID]; dup && (prev.File != rule.File) {
				errs = append(errs, fmt.Errorf("%s: rule id %s is also declared at %s:%d", r.Location, rule.ID, prev.File, prev.Line))
				continue
			}
			catalog[rule.ID] = rule
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, errors.Join(errs...))
	}
	return catalog, nil
}

func containsAnnotation(list []*ast.Annotations, a *ast.Annotations) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// familyOf returns the check family of a rules package data.secretgate.rules.<family>.
func familyOf(pkg string) (string, bool) {
	const prefix = "data.secretgate.rules."
	if !strings.HasPrefix(pkg, prefix) {
		return "", false
	}
	rest := strings.TrimPrefix(pkg, prefix)
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

func knownCheck(c string) bool {
	if c == result.CheckConfig {
		return true
	}
	for _, f := range result.Families {
		if f == c {
			return true
		}
	}
	return false
}

func ruleFromAnnotation(a *ast.Annotations, family string, isBuiltin bool) (result.Rule, error) {
	str := func(k string) string {
		s, _ := a.Custom[k].(string)
		return strings.TrimSpace(s)
	}
	r := result.Rule{
		ID:          str("id"),
		Title:       strings.TrimSpace(a.Title),
		Description: strings.TrimSpace(a.Description),
		Check:       str("check"),
		Remediation: str("remediation"),
		Builtin:     isBuiltin,
	}
	if r.ID == "" {
		return r, errors.New("custom.id must be a non-empty string")
	}
	if r.Check == "" {
		r.Check = family
	}
	if !knownCheck(r.Check) {
		return r, fmt.Errorf("rule %s: custom.check %q is not one of %s (or name the package secretgate.rules.<check>)", r.ID, r.Check, strings.Join(result.Families, ", "))
	}
	sev := str("severity")
	if sev == "" {
		sev = "medium"
	}
	s, err := result.ParseSeverity(sev)
	if err != nil {
		return r, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	r.Severity = s
	if r.Title == "" {
		r.Title = r.ID
	}
	switch {
	case str("docs_url") != "":
		r.DocsURL = str("docs_url")
	case len(a.RelatedResources) > 0:
		r.DocsURL = a.RelatedResources[0].Ref.String()
	case isBuiltin:
		r.DocsURL = DocsBase + "#" + r.ID
	}
	return r, nil
}

// Catalog returns every rule, sorted by check and id.
func (e *Engine) Catalog() []result.Rule {
	out := make([]result.Rule, 0, len(e.catalog))
	for _, r := range e.catalog {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Check != out[j].Check {
			return checkOrder(out[i].Check) < checkOrder(out[j].Check)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func checkOrder(c string) int {
	for i, f := range result.Families {
		if f == c {
			return i
		}
	}
	return len(result.Families)
}

// Rule looks up a rule by id.
func (e *Engine) Rule(id string) (result.Rule, bool) {
	if r, ok := e.catalog[id]; ok || !e.partial {
		return r, ok
	}
	// A built-in rule left out (LoadFamilies) is still known: a user rule
	// may produce a finding under its id, which is then reported (or not:
	// its family may not be selected) as with every rule compiled.
	all, err := builtinCatalog()
	if err != nil {
		return result.Rule{}, false
	}
	r, ok := all[id]
	return r, ok
}

// Raw is one finding as a rule produced it, before the catalogue fills in
// title, remediation and default severity.
type Raw struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Key      string `json:"key"`
	Severity string `json:"severity"`
	// Remediation, when set, is this finding's own fix text (with the
	// resource's environment filled in), instead of the rule's.
	Remediation  string `json:"remediation"`
	Commit       string `json:"commit"`
	Waived       bool   `json:"waived"`
	WaiverReason string `json:"waiver_reason"`
	WaiverOwner  string `json:"waiver_owner"`
}

// Evaluate runs the query over input and returns the raw findings.
func (e *Engine) Evaluate(ctx context.Context, input *facts.Input) ([]Raw, error) {
	doc, err := NewDocument(input)
	if err != nil {
		return nil, err
	}
	return e.EvaluateDocument(ctx, doc)
}

// Document is an input document in OPA's own form, ready to be evaluated
// by any engine. Converting a large account takes a good part of a run;
// as a value of its own it can be made while the policies still compile.
//
// The secrets are kept apart: base is the document with an empty secrets
// list, and the secrets are converted when a query needs them — a slice
// at a time for the families split over them (naming, rotation), whole
// (once) for a query that reads them otherwise. An account of 100,000
// secrets then never holds the Rego form of all its secrets while the
// rules that judge them run (docs/performance.md).
type Document struct {
	base ast.Object
	// secrets is the secrets list, converted a slice at a time by
	// secretSlice; nSecrets its length.
	secretSlice func(lo, hi int) (*ast.Array, error)
	nSecrets    int
	// full is the whole document, made once when first needed.
	fullOnce sync.Once
	full     ast.Value
	fullErr  error
	// waivers: the configuration holds waivers.
	waivers bool
	// empty: no roles, policies, secrets, leaks, credentials, waivers or
	// judge (NothingToJudge).
	empty bool
	// aggregated: waivers or a judge, which only the aggregator judges
	// (LoadRules).
	aggregated bool
}

// NothingToJudge tells whether the document holds no facts for any rule
// to judge — no roles, policies, secrets, leaks or credentials — and no
// waivers or judge for the aggregator. The built-in policies find
// nothing in such a document (TestNothingToJudgeFindsNothing); a user's
// policy may, from the configuration alone.
func (d *Document) NothingToJudge() bool { return d.empty }

// NewDocument converts input, whose collections are always lists for the
// rules, never null. Its secrets are converted when evaluated.
func NewDocument(input *facts.Input) (*Document, error) {
	in := *input
	in.Roles = nonNil(in.Roles)
	in.Policies = nonNil(in.Policies)
	in.Secrets = []facts.Secret{}
	in.Leaks = nonNil(in.Leaks)
	in.Credentials = nonNil(in.Credentials)
	in.Checks = nonNil(in.Checks)
	in.Config.Waivers = nonNil(in.Config.Waivers)
	val, err := inputValue(&in)
	if err != nil {
		return nil, err
	}
	base, ok := val.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("input document: %T, want an object", val)
	}
	secrets := input.Secrets
	aggregated := len(in.Config.Waivers) > 0 || in.Judge != nil
	empty := len(in.Roles)+len(in.Policies)+len(secrets)+len(in.Leaks)+len(in.Credentials) == 0 && !aggregated
	return &Document{
		base:        base,
		secretSlice: func(lo, hi int) (*ast.Array, error) { return secretsValue(secrets[lo:hi]) },
		nSecrets:    len(secrets),
		waivers:     len(in.Config.Waivers) > 0,
		empty:       empty,
		aggregated:  aggregated,
	}, nil
}

// value is the whole document, secrets included.
func (d *Document) value() (ast.Value, error) {
	d.fullOnce.Do(func() {
		var list *ast.Array
		if list, d.fullErr = d.secretSlice(0, d.nSecrets); d.fullErr == nil {
			d.full = withList(d.base, "secrets", list)
		}
	})
	return d.full, d.fullErr
}

// EvaluateDocument runs the query over doc and returns the raw findings.
func (e *Engine) EvaluateDocument(ctx context.Context, doc *Document) ([]Raw, error) {
	if e.rulesOnly && doc.aggregated {
		return nil, ErrRulesOnly
	}
	return e.evaluate(ctx, doc)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (e *Engine) evaluate(ctx context.Context, doc *Document) ([]Raw, error) {
	var raws []Raw
	err := e.withDeadline(ctx, "evaluate policies", func(ctx context.Context) error {
		if len(e.parts) > 0 {
			var err error
			raws, err = e.evaluateParts(ctx, doc)
			return err
		}
		if e.rulesOnly {
			return nil
		}
		val, err := doc.value()
		if err != nil {
			return err
		}
		raws, err = evalFindings(ctx, e.query, Query, val)
		return err
	}, func(ctx context.Context, limit time.Duration) string {
		val, err := doc.value()
		if err != nil {
			return ""
		}
		return e.blameSlow(ctx, val, limit)
	})
	if errors.Is(err, errMissingRule) {
		val, verr := doc.value()
		if verr != nil {
			return nil, err
		}
		return nil, e.blameMissingRule(ctx, val, err)
	}
	return raws, err
}

// evalFindings evaluates a query whose value is a set of findings.
func evalFindings(ctx context.Context, q rego.PreparedEvalQuery, query string, val ast.Value) ([]Raw, error) {
	found, err := evalFound(ctx, q, query, val)
	if err != nil {
		return nil, err
	}
	return found.raws, nil
}

// evalFound evaluates a query whose value is a set of findings, read
// straight from OPA's values (readFindings).
func evalFound(ctx context.Context, q rego.PreparedEvalQuery, query string, val ast.Value) (foundSet, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(val), rego.EvalGenerateJSON(readFindings))
	if err != nil {
		if ctx.Err() != nil {
			return foundSet{}, fmt.Errorf("evaluate policies: %w", err)
		}
		var re readError
		if errors.As(err, &re) {
			return foundSet{}, re.error
		}
		// Conflicting values, failing built-ins: the policies are wrong,
		// nothing was judged.
		return foundSet{}, fmt.Errorf("%w: evaluate policies: %v", ErrPolicy, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return foundSet{}, fmt.Errorf("evaluate policies: the query %s is undefined", query)
	}
	found, ok := rs[0].Expressions[0].Value.(foundSet)
	if !ok {
		return foundSet{}, fmt.Errorf("evaluate policies: findings is %T, want a set", rs[0].Expressions[0].Value)
	}
	return found, nil
}

// rawFromObject reads a finding from its generic Go form (what OPA's
// default conversion gives); rawFromAST reads the same from OPA's value.
func rawFromObject(obj map[string]any) (Raw, error) {
	var r Raw
	str := func(k string) string {
		switch v := obj[k].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			return fmt.Sprint(v)
		}
	}
	r.Rule = str("rule")
	if r.Rule == "" {
		return r, fmt.Errorf("%w: %w: %v", ErrPolicy, errMissingRule, keys(obj))
	}
	r.Resource = str("resource")
	r.Message = str("message")
	r.File = path.Clean(filepath.ToSlash(str("file")))
	if r.File == "." {
		r.File = ""
	}
	switch n := obj["line"].(type) {
	case json.Number:
		i, _ := n.Int64()
		r.Line = int(i)
	case float64:
		r.Line = int(n)
	case int:
		r.Line = n
	}
	r.Key = str("key")
	r.Severity = str("severity")
	r.Remediation = str("remediation")
	r.Commit = str("commit")
	r.Waived, _ = obj["waived"].(bool)
	r.WaiverReason = str("waiver_reason")
	r.WaiverOwner = str("waiver_owner")
	return r, nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
