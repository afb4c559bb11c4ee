package policy

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// TestNothingToJudgeFindsNothing holds the promise a run relies on when it
// puts off compiling the policies (run.pendingEngine): over a document
// with nothing to judge — no roles, policies, secrets, leaks, credentials,
// waivers or judge — every built-in rule, under every valid configuration
// of the config package's tests, finds nothing. A built-in rule that
// reports from the configuration alone breaks it, and with it the runs
// that skip compiling: this test then fails.
func TestNothingToJudgeFindsNothing(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../config/testdata/valid/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configurations to try (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg, err := config.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			fc := cfg.Facts()
			fc.Waivers = nil // a run with waivers compiles first
			in := &facts.Input{Schema: facts.Schema, Now: "2026-12-05T00:00:00Z", Config: fc, Checks: result.Families}
			doc, err := NewDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			if !doc.NothingToJudge() {
				t.Fatal("NothingToJudge is false for a document without facts")
			}
			raws, err := eng.EvaluateDocument(context.Background(), doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range raws {
				t.Errorf("finding %s on %q with nothing to judge", r.Rule, r.Resource)
			}
		})
	}
}

// TestNothingToJudge: any fact, waiver or judge is something to judge.
func TestNothingToJudge(t *testing.T) {
	base := func() *facts.Input {
		return &facts.Input{Schema: facts.Schema, Now: "2026-12-05T00:00:00Z", Config: config.Default().Facts()}
	}
	tests := []struct {
		name  string
		edit  func(*facts.Input)
		empty bool
	}{
		{"nothing", func(*facts.Input) {}, true},
		{"checks only", func(in *facts.Input) { in.Checks = result.Families }, true},
		{"a role", func(in *facts.Input) { in.Roles = []facts.Role{{Name: "r"}} }, false},
		{"a policy", func(in *facts.Input) { in.Policies = []facts.Policy{{Name: "p"}} }, false},
		{"a secret", func(in *facts.Input) { in.Secrets = []facts.Secret{{Name: "prod/a/api"}} }, false},
		{"a leak", func(in *facts.Input) { in.Leaks = []facts.Leak{{RuleID: "aws-access-token"}} }, false},
		{"a credential", func(in *facts.Input) { in.Credentials = []facts.Credential{{}} }, false},
		{"a waiver", func(in *facts.Input) { in.Config.Waivers = []facts.Waiver{{Rule: "leaks-secret"}} }, false},
		{"a judge", func(in *facts.Input) { in.Judge = &facts.Judge{Base: "abc"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(in)
			doc, err := NewDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.NothingToJudge(); got != tt.empty {
				t.Errorf("NothingToJudge = %v, want %v", got, tt.empty)
			}
		})
	}
}
