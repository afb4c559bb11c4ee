package policy

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// leakCorpus is a set of leak facts that takes every branch of the leak
// rules: live values, configuration references, high-value and other
// rule ids, test, fixture and production paths (by the usual names and by
// a configured environment's), commits with and without author, and a
// match without redacted text.
func leakCorpus() []facts.Leak {
	paths := []string{
		"src/app.py", "config/prod/app.env", ".env.production", "values-prod.yaml", "prod.tfvars",
		"src/product/main.go", "config/live-eu/app.env", "deploy/PRD/keys.txt",
		"testdata/prod/key.pem", "internal/x_test.go", "tests/fixtures/prod.env", "spec/app.spec.js",
		"mock_client.go", "examples/prod/readme.md", "prod/testdata", "a/b/c/prod-eu_1.json",
	}
	rules := []string{"aws-access-token", "github-pat", "generic-api-key", "private-key", "stripe-access-token", "slack-bot-token", "jwt", "pkcs12-file"}
	var out []facts.Leak
	for i, p := range paths {
		for j, r := range rules {
			l := facts.Leak{RuleID: r, Description: "d", Redacted: "AKIA…", Entropy: 4.5,
				Fingerprint: fmt.Sprintf("%s:%s:%d", p, r, i+j+1), Location: facts.Location{File: p, Line: i + j + 1}}
			switch (i + j) % 7 {
			case 1:
				l.Commit, l.Author = "0123456789abcdef0123456789abcdef01234567", "Dev"
			case 2:
				l.Commit = "89abcdef0123456789abcdef0123456789abcdef"
			case 3:
				l.LiveSecret = "prod/app/api"
			case 4:
				l.ConfigReference = "credential name"
			case 5:
				l.Redacted = ""
			case 6:
				l.LiveSecret, l.ConfigReference = "prod/db/password", "credential name"
			}
			out = append(out, l)
		}
	}
	return out
}

// TestLoadRulesFindsWhatLoadFamiliesFinds holds LoadRules to its promise:
// over documents without waivers or judge, the families' rules compiled
// without the aggregator find exactly what LoadFamilies' and Load's
// engines find (every field of every finding), under every valid
// configuration of the config package's tests (their environments decide
// what a production path is).
func TestLoadRulesFindsWhatLoadFamiliesFinds(t *testing.T) {
	ctx := context.Background()
	full, err := Load(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	partial, err := LoadFamilies(ctx, nil, []string{result.CheckLeaks})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := LoadRules(ctx, []string{result.CheckLeaks})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rules.compiler.Modules["builtin:policies/main/main.rego"]; ok {
		t.Fatal("LoadRules compiled the aggregator")
	}
	files, err := filepath.Glob("../config/testdata/valid/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configurations to try (%v)", err)
	}
	corpus := leakCorpus()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg, err := config.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			fc := cfg.Facts()
			fc.Waivers = nil
			for _, leaks := range [][]facts.Leak{corpus, corpus[:1], corpus[len(corpus)-3:]} {
				in := &facts.Input{Schema: facts.Schema, Now: "2026-12-05T00:00:00Z", Config: fc, Checks: result.Families, Leaks: leaks}
				want := findingsOf(t, full, in)
				if len(want) == 0 {
					t.Fatal("the full engine found nothing in the leak corpus")
				}
				for name, eng := range map[string]*Engine{"LoadFamilies": partial, "LoadRules": rules} {
					if got := findingsOf(t, eng, in); !reflect.DeepEqual(got, want) {
						t.Errorf("%s: %d findings differ from Load's %d:\n got %+v\nwant %+v", name, len(got), len(want), got, want)
					}
				}
			}
		})
	}
}

// TestLeaksSplit: the leaks family, whose findings are each about one
// leak, is evaluated in pieces over slices of input.leaks when there are
// many (a tree with hundreds of matches: evaluating them was a warm
// scan's largest part after reading the tree), and the pieces find what
// the whole does.
func TestLeaksSplit(t *testing.T) {
	ctx := context.Background()
	rules, err := LoadRules(ctx, []string{result.CheckLeaks})
	if err != nil {
		t.Fatal(err)
	}
	corpus := leakCorpus()
	var leaks []facts.Leak
	for len(leaks) < 1000 {
		leaks = append(leaks, corpus...)
	}
	in := &facts.Input{Schema: facts.Schema, Now: "2026-12-05T00:00:00Z", Config: config.Default().Facts(), Leaks: leaks}
	val, err := inputValue(in)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rules.pieces(mustDocument(t, val), 2)); n < 2 {
		t.Fatalf("%d leaks in %d piece(s) on two cores, want several", len(leaks), n)
	}
	whole, err := evalFound(ctx, rules.parts[0].query, rules.parts[0].text, val)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rules.evaluateParts(ctx, mustDocument(t, val))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rawKeys(got), rawKeys(whole.raws)) {
		t.Errorf("split evaluation: %d findings, whole: %d", len(got), len(whole.raws))
	}
}

// TestLoadRulesRefusesWaiversAndJudge: an engine without the aggregator
// cannot apply waivers or report a judge's change, so it fails rather
// than report findings a waiver would have hidden.
func TestLoadRulesRefusesWaiversAndJudge(t *testing.T) {
	ctx := context.Background()
	rules, err := LoadRules(ctx, []string{result.CheckLeaks})
	if err != nil {
		t.Fatal(err)
	}
	leak := facts.Leak{RuleID: "github-pat", Redacted: "ghp_…", Fingerprint: "a.go:github-pat:1", Location: facts.Location{File: "a.go", Line: 1}}
	for name, edit := range map[string]func(*facts.Input){
		"waiver": func(in *facts.Input) {
			in.Config.Waivers = []facts.Waiver{{Rule: "leaks-secret", Resource: "a.go", Reason: "fixture", Owner: "me", Expires: "2099-01-01T00:00:00Z"}}
		},
		"judge": func(in *facts.Input) { in.Judge = &facts.Judge{Base: "abc", Changed: []string{".secretgate.yml"}} },
	} {
		t.Run(name, func(t *testing.T) {
			in := &facts.Input{Schema: facts.Schema, Now: "2026-12-05T00:00:00Z", Config: config.Default().Facts(), Leaks: []facts.Leak{leak}}
			edit(in)
			doc, err := NewDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			if raws, err := rules.EvaluateDocument(ctx, doc); !errors.Is(err, ErrRulesOnly) {
				t.Fatalf("EvaluateDocument = %d findings, %v; want ErrRulesOnly", len(raws), err)
			}
		})
	}
}

func findingsOf(t *testing.T, eng *Engine, in *facts.Input) []Raw {
	t.Helper()
	raws, err := eng.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(raws, func(i, j int) bool { return fmt.Sprintf("%+v", raws[i]) < fmt.Sprintf("%+v", raws[j]) })
	return raws
}
