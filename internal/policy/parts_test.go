package policy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/bench"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
)

// accountInput is a generated account (every built-in family finds
// something in it) with the given waivers.
func accountInput(t *testing.T, waivers []facts.Waiver) *facts.Input {
	t.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fs, errs := bench.Account(300, 60, now).Facts()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cfg := config.Default().Facts()
	cfg.GitHub.Repositories = bench.Repositories()
	cfg.Waivers = waivers
	for i := range fs.Secrets {
		fs.Secrets[i].Environment = "prod"
	}
	return &facts.Input{Schema: facts.Schema, Now: now.Format(time.RFC3339), Config: cfg,
		Roles: fs.Roles, Policies: fs.Policies, Secrets: fs.Secrets,
		Leaks: []facts.Leak{}, Credentials: []facts.Credential{}, Checks: []string{"naming", "rotation", "iam", "trust"}}
}

// documentOf is the Document of an input already in OPA's form (tests).
func documentOf(val ast.Value) (*Document, error) {
	obj, ok := val.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("input document: %T, want an object", val)
	}
	list := ast.NewArray()
	if t := obj.Get(ast.InternedTerm("secrets")); t != nil {
		if a, isArray := t.Value.(*ast.Array); isArray {
			list = a
		}
	}
	waivers := false
	if t := obj.Get(ast.InternedTerm("config")); t != nil {
		if c, isObj := t.Value.(ast.Object); isObj {
			if w := c.Get(ast.InternedTerm("waivers")); w != nil {
				a, isArray := w.Value.(*ast.Array)
				waivers = !isArray || a.Len() > 0
			}
		}
	}
	return &Document{
		base:        withList(obj, "secrets", ast.NewArray()).(ast.Object),
		secretSlice: func(lo, hi int) (*ast.Array, error) { return list.Slice(lo, hi), nil },
		nSecrets:    list.Len(),
		waivers:     waivers,
	}, nil
}

// mustDocument is the Document of an input in OPA's form.
func mustDocument(t *testing.T, val ast.Value) *Document {
	t.Helper()
	doc, err := documentOf(val)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func rawKeys(rs []Raw) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%+v", r)
	}
	sort.Strings(out)
	return out
}

// TestPartsEqualFindings holds the parallel evaluation (family_findings per
// family, expired_waivers and broad_waivers) to the one query data.secretgate.main.findings
// that opa eval runs: the same findings, with and without waivers, with
// custom rules in families of their own and with identical findings from
// two packages (counted once, as in a set).
func TestPartsEqualFindings(t *testing.T) {
	waivers := map[string][]facts.Waiver{
		"none":        nil,
		"rule waiver": {{Rule: "rotation-manual", Resource: "dev/**", Reason: "r", Owner: "o", Expires: "2027-01-01T00:00:00Z"}},
		"star waiver": {{Rule: "*", Resource: "prod/bybit*/**", Reason: "all", Owner: "o"},
			{Rule: "naming-pattern", Resource: "Legacy*", Reason: "n", Owner: "o"}},
		"blanket": {{Rule: "*", Resource: "**", Reason: "all", Owner: "o", File: ".secretgate.yml", Line: 5}},
		"expired": {{Rule: "rotation-failing", Resource: "**", Reason: "old", Owner: "o", Expires: "2026-01-01T00:00:00Z", File: ".secretgate.yml", Line: 3}},
	}
	for _, dirs := range [][]string{nil, {"testdata/custom"}, {"testdata/twofamilies"}, {"testdata/override"}, {"testdata/readsecrets"}} {
		eng, err := Load(context.Background(), dirs)
		if err != nil {
			t.Fatal(err)
		}
		if len(eng.parts) == 0 {
			t.Fatalf("%v: no parallel parts prepared", dirs)
		}
		for name, ws := range waivers {
			t.Run(fmt.Sprintf("%v/%s", dirs, name), func(t *testing.T) {
				val, err := inputValue(accountInput(t, ws))
				if err != nil {
					t.Fatal(err)
				}
				want, err := evalFindings(context.Background(), eng.query, Query, val)
				if err != nil {
					t.Fatal(err)
				}
				got, err := eng.evaluateParts(context.Background(), mustDocument(t, val))
				if err != nil {
					t.Fatal(err)
				}
				if len(want) < 100 {
					t.Fatalf("only %d findings: the generated account should find more", len(want))
				}
				if diff := cmp.Diff(rawKeys(want), rawKeys(got)); diff != "" {
					t.Errorf("parts differ from %s (-findings +parts):\n%s", Query, diff)
				}
			})
		}
	}
}

// TestTwoFamiliesCountOnce: an object two packages both produce is one
// finding, as in the set data.secretgate.main.findings.
func TestTwoFamiliesCountOnce(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/twofamilies"})
	if err != nil {
		t.Fatal(err)
	}
	raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "prod/a/api"}, {Name: "prod/b/api"}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range raws {
		n[r.Rule]++
	}
	if n["acme-twice"] != 2 || n["acme-twice-own"] != 1 {
		t.Errorf("findings per rule = %v, want acme-twice 2 (one per secret), acme-twice-own 1", n)
	}
}

// TestOwnMainFallsBack: a custom policy that adds to package
// secretgate.main is not covered by the per-family pieces; the engine then
// evaluates the one query, and the custom finding is there.
func TestOwnMainFallsBack(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/ownmain"})
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.parts) != 0 {
		t.Fatalf("parts prepared although package secretgate.main has a custom rule")
	}
	raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "prod/a/api"}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range raws {
		found = found || r.Rule == "acme-main-extra"
	}
	if !found {
		t.Errorf("the finding added in package secretgate.main is missing: %+v", raws)
	}
}

// TestShardsEqualFindings holds the split evaluation to the whole: the
// families of shardAxes, evaluated over slices of their list (down to a
// handful of secrets or roles per slice), find exactly what they find over
// the whole input, and so does evaluateParts with every family split.
func TestShardsEqualFindings(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fs, errs := bench.Account(300, 60, now).Facts()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cfg := config.Default().Facts()
	cfg.GitHub.Repositories = bench.Repositories()
	// Names of every kind the naming rules tell apart, among the
	// generated ones; duplicates too (one finding in a set, though the
	// copies may fall in different slices).
	odd := []facts.Secret{
		{ID: "o1", Name: "Prod/Bybit/API", Source: "inventory"},
		{ID: "o2", Name: "prod/bybit/api", Tags: map[string]string{"environment": "staging"}, Environment: "prod", Source: "inventory"},
		{ID: "o3", Name: "arn:aws:secretsmanager:us-east-1:123456789012:secret:qa/x/api-AbCdEf", Source: "inventory"},
		{ID: "o4", Name: "${var.env}/x/api", Source: "terraform"},
		{ID: "o5", Name: "prod//api", Source: "inventory"},
		{ID: "o6", ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/y/db-AbCdEf", Source: "inventory"},
		{ID: "o7", Name: "staging/_x/db?", Environment: "staging", Source: "cloudformation"},
		{ID: "o8", Name: "qa/x/api", Source: "inventory"},
	}
	secretsOf := slices.Concat(fs.Secrets[:100], odd, fs.Secrets[100:200], odd, fs.Secrets[200:])
	natural := &facts.Input{Schema: facts.Schema, Now: now.Format(time.RFC3339), Config: cfg,
		Roles: fs.Roles, Policies: fs.Policies, Secrets: secretsOf,
		Leaks: leakCorpus(), Credentials: []facts.Credential{}, Checks: []string{"naming", "rotation", "iam", "trust", "leaks"}}
	inputs := map[string]*facts.Input{"generated": natural, "all prod, waivers": accountInput(t, []facts.Waiver{
		{Rule: "rotation-manual", Resource: "dev/**", Reason: "r", Owner: "o"},
		{Rule: "*", Resource: "prod/bybit*/**", Reason: "all", Owner: "o"}})}
	inputs["all prod, waivers"].Secrets = slices.Concat(inputs["all prod, waivers"].Secrets, odd, odd)
	inputs["all prod, waivers"].Leaks = slices.Concat(leakCorpus(), leakCorpus()[:9])
	savedMin, savedCost := shardMin, pieceMin
	defer func() { shardMin, pieceMin = savedMin, savedCost }()
	split := 0
	for name, in := range inputs {
		val, err := inputValue(in)
		if err != nil {
			t.Fatal(err)
		}
		obj := val.(ast.Object)
		for _, p := range eng.parts {
			if p.axis == "" {
				continue
			}
			split++
			whole, err := evalFound(context.Background(), p.query, p.text, val)
			if err != nil {
				t.Fatal(err)
			}
			if len(whole.raws) < 8 {
				t.Fatalf("%s/%s: only %d findings, the generated account should find more", name, p.name, len(whole.raws))
			}
			list := obj.Get(ast.StringTerm(p.axis)).Value.(*ast.Array)
			for _, shards := range []int{2, 3, 7, list.Len()} {
				var got []foundSet
				for k := range shards {
					lo, hi := k*list.Len()/shards, (k+1)*list.Len()/shards
					res, err := evalFound(context.Background(), p.query, p.text, withList(obj, p.axis, list.Slice(lo, hi)))
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, res)
				}
				if diff := cmp.Diff(rawKeys(whole.raws), rawKeys(union(got))); diff != "" {
					t.Errorf("%s/%s in %d slices of %s differs (-whole +slices):\n%s", name, p.name, shards, p.axis, diff)
				}
			}
		}
		// The engine's own split, every family in slices of 7.
		shardMin, pieceMin = 7, 1
		want, err := evalFindings(context.Background(), eng.query, Query, val)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(eng.pieces(mustDocument(t, val), 2)); n <= len(eng.parts) {
			t.Fatalf("%s: %d pieces for %d parts: nothing was split", name, n, len(eng.parts))
		}
		got, err := eng.evaluateParts(context.Background(), mustDocument(t, val))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rawKeys(want), rawKeys(got)); diff != "" {
			t.Errorf("%s: split evaluation differs from %s (-findings +split):\n%s", name, Query, diff)
		}
		shardMin, pieceMin = savedMin, savedCost
	}
	if split != 2*len(shardAxes) {
		t.Errorf("%d families split, want %d (every family of shardAxes, in both inputs)", split/2, len(shardAxes))
	}
}

// TestUserRulesKeepFamilyWhole: a user rule in a built-in family's package
// (which could count or compare the secrets) keeps that family in one
// piece; the other families still split.
func TestUserRulesKeepFamilyWhole(t *testing.T) {
	for _, tc := range []struct {
		dir   string
		whole []string
	}{
		{"", nil},
		{"testdata/infamily", []string{"rotation"}},
		{"testdata/inlib", []string{"rotation", "naming", "trust", "leaks"}},
	} {
		var dirs []string
		if tc.dir != "" {
			dirs = []string{tc.dir}
		}
		eng, err := Load(context.Background(), dirs)
		if err != nil {
			t.Fatal(err)
		}
		axes := map[string]string{}
		for _, p := range eng.parts {
			if _, ok := shardAxes[p.name]; ok {
				axes[p.name] = p.axis
			}
		}
		for fam, axis := range shardAxes {
			want := axis
			if slices.Contains(tc.whole, fam) {
				want = ""
			}
			if axes[fam] != want {
				t.Errorf("%s: family %s has axis %q, want %q", tc.dir, fam, axes[fam], want)
			}
		}
	}
}

// TestFailingPieceStopsTheRest: a rule that fails at evaluation time (a
// built-in error) fails the run with its own error, a policy error naming
// the rule's file, not with the cancellation it causes in the other pieces.
func TestFailingPieceStopsTheRest(t *testing.T) {
	dir := t.TempDir()
	const failing = `# METADATA
# title: Fails
# custom:
#   id: acme-fails
#   check: naming
#   severity: low
#   remediation: None.
package secretgate.rules.acme

import rego.v1

deny contains {"rule": "acme-fails", "resource": "x", "message": "m", "line": to_number(s.name)} if {
	some s in input.secrets
}
`
	if err := os.WriteFile(filepath.Join(dir, "fails.rego"), []byte(failing), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err := Load(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	savedMin, savedCost := shardMin, pieceMin
	defer func() { shardMin, pieceMin = savedMin, savedCost }()
	shardMin, pieceMin = 7, 1
	val, err := inputValue(accountInput(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(eng.pieces(mustDocument(t, val), 2)); n <= len(eng.parts) {
		t.Fatalf("%d pieces for %d parts: nothing was split", n, len(eng.parts))
	}
	for range 5 {
		_, err := eng.evaluateParts(context.Background(), mustDocument(t, val))
		if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "fails.rego") || !strings.Contains(err.Error(), "to_number") {
			t.Fatalf("error %v, want the policy error of fails.rego's to_number", err)
		}
	}
}

// TestSharedWorkSplitsCoarsely: the trust rules, whose pieces repeat work
// the whole query shares, are split only as far as the cores need (one
// piece on two cores, while rotation is split into four), and further
// with more cores; the families without shared work split as before.
func TestSharedWorkSplitsCoarsely(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	savedMin, savedCost := shardMin, pieceMin
	defer func() { shardMin, pieceMin = savedMin, savedCost }()
	shardMin, pieceMin = 7, 1
	val, err := inputValue(accountInput(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	count := func(procs int) map[string]int {
		n := map[string]int{}
		for _, pc := range eng.pieces(mustDocument(t, val), procs) {
			for _, k := range pc.parts() {
				n[eng.parts[k].name]++
			}
		}
		return n
	}
	two, eight := count(2), count(8)
	if two["trust"] != 1 || two["rotation"] != 4 {
		t.Errorf("on 2 cores: trust in %d pieces, rotation in %d; want 1 and 4", two["trust"], two["rotation"])
	}
	if eight["trust"] < 2 || eight["trust"] >= eight["rotation"] {
		t.Errorf("on 8 cores: trust in %d pieces, rotation in %d; want trust split, less than rotation", eight["trust"], eight["rotation"])
	}
}

// TestReadsInput: which rules read input.secrets, however they reach it.
func TestReadsInput(t *testing.T) {
	cases := map[string]struct {
		module string
		reads  bool
	}{
		"by name":                    {`p if input.secrets[_]`, true},
		"another list":               {`p if input.roles[_]`, false},
		"another key by object.get":  {`p if object.get(input, "roles", [])`, false},
		"another path by object.get": {`p if object.get(input, ["config", "naming"], {})`, false},
		"secrets by object.get":      {`p if object.get(input, ["secrets"], [])`, true},
		"object.get, key unknown":    {`p if { k := "secrets"; object.get(input, k, []) }`, true},
		"input[k]":                   {`p if input[k]`, true},
		"through an alias":           {`p if { d := input; d.secrets[_] }`, true},
		"alias, another list":        {`p if { d := input; d.roles[_] }`, false},
		"alias passed on":            {`p if { d := input; count(d) > 0 }`, true},
		"whole input":                {`p if count(input) > 0`, true},
		"through a rule":             {"p if q\n" + "q if input.secrets[_]", true},
		"through a function":         {"p if f(1)\nf(_) if input.secrets[_]", true},
		"through another package":    {`p if data.other.names[_]`, true},
		"with, then roles":           {`p if input.roles[_] with input.roles as []`, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := ast.NewCompiler()
			c.Compile(map[string]*ast.Module{
				"p.rego":     ast.MustParseModuleWithOpts("package x\n"+tc.module, ast.ParserOptions{RegoVersion: ast.RegoV1}),
				"other.rego": ast.MustParseModuleWithOpts("package other\nnames contains s.name if some s in input.secrets", ast.ParserOptions{RegoVersion: ast.RegoV1}),
			})
			if c.Failed() {
				t.Fatal(c.Errors)
			}
			if got := readsInput(c, c.GetRules(ast.MustParseRef("data.x.p")), "secrets", false); got != tc.reads {
				t.Errorf("readsInput = %v, want %v", got, tc.reads)
			}
		})
	}
}

// TestBuiltinPartsWithoutSecrets: of the built-in queries only naming,
// rotation and the waiver breadth read the secrets; every other family is
// evaluated over the document without them (so a large account's secrets
// are converted a slice at a time, never whole: docs/performance.md).
func TestBuiltinPartsWithoutSecrets(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var readers []string
	for _, p := range eng.parts {
		if p.readsSecrets {
			readers = append(readers, p.name)
		}
	}
	sort.Strings(readers)
	if want := []string{"broad waivers", "naming", "rotation"}; !slices.Equal(readers, want) {
		t.Errorf("parts reading input.secrets: %v, want %v", readers, want)
	}
	// The engine a put-off compilation makes (LoadRules) knows it too:
	// a family of its that read the secrets, judged without them, would
	// find nothing.
	rules, err := LoadRules(context.Background(), []string{"leaks", "naming", "resolve", "rotation"})
	if err != nil {
		t.Fatal(err)
	}
	if !rules.rulesOnly {
		t.Fatal("LoadRules compiled the aggregator for these families")
	}
	var ruleReaders []string
	for _, p := range rules.parts {
		if p.readsSecrets {
			ruleReaders = append(ruleReaders, p.name)
		}
	}
	sort.Strings(ruleReaders)
	if want := []string{"naming", "rotation"}; !slices.Equal(ruleReaders, want) {
		t.Errorf("LoadRules' parts reading input.secrets: %v, want %v", ruleReaders, want)
	}
	// A large account: no piece converts every secret at once.
	in := accountInput(t, nil)
	for len(in.Secrets) < 3*maxSecretsPerPiece {
		in.Secrets = slices.Concat(in.Secrets, in.Secrets)
	}
	doc, err := NewDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	sliced := map[string]int{}
	for _, pc := range eng.pieces(doc, 2) {
		if pc.whole || (pc.input == nil && pc.hi-pc.lo > maxSecretsPerPiece) {
			t.Errorf("%s: a piece over %d secrets (whole: %v)", eng.parts[pc.part].name, pc.hi-pc.lo, pc.whole)
		}
		if pc.input == nil && !pc.whole {
			for _, k := range pc.parts() {
				sliced[eng.parts[k].name]++
			}
		}
	}
	// Naming and rotation share their slices: each slice converted once.
	if sliced["naming"] < 3 || sliced["naming"] != sliced["rotation"] || len(sliced) != 2 {
		t.Errorf("pieces over slices of the secrets per part: %v, want naming and rotation in the same slices", sliced)
	}
	if doc.full != nil {
		t.Error("listing the pieces converted the whole document")
	}
}
