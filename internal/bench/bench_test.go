package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

var benchNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// writeAccount writes the generated account as a snapshot into a fresh
// repository directory.
func writeAccount(tb testing.TB, secrets, roles int) string {
	tb.Helper()
	dir := tb.TempDir()
	f, err := os.Create(filepath.Join(dir, "inventory.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := inventory.Write(f, Account(secrets, roles, benchNow)); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func runOptions(tb testing.TB, root string) run.Options {
	tb.Helper()
	eng, err := policy.Load(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	pc := cfg.Facts()
	pc.GitHub.Repositories = Repositories()
	return run.Options{
		Config:       pc,
		Environments: cfg,
		Engine:       eng,
		Gatherers:    []run.Gatherer{&run.RepoFiles{Root: root}},
		Families:     []string{"naming", "rotation", "iam", "trust"},
		Threshold:    result.Threshold{Min: result.SeverityHigh},
		Now:          benchNow,
	}
}

// TestGeneratedAccountFindings keeps the benchmark honest: the generated
// account must produce findings of every family it is meant to exercise.
func TestGeneratedAccountFindings(t *testing.T) {
	root := writeAccount(t, 300, 60)
	rep, err := run.Pipeline(context.Background(), runOptions(t, root))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range rep.Findings {
		seen[f.Check]++
	}
	for _, c := range []string{"naming", "rotation", "iam", "trust"} {
		if seen[c] == 0 {
			t.Errorf("no %s findings in the generated account: %v", c, seen)
		}
	}
	if rep.Summary.Incomplete {
		t.Errorf("generated account is incomplete: %+v", rep.Inputs.Errors)
	}
}

// BenchmarkCheck10k is the whole offline check of 10,000 secrets and 1,000
// roles: read the snapshot, derive environments, evaluate, build the report.
func BenchmarkCheck10k(b *testing.B) {
	root := writeAccount(b, 10000, 1000)
	opts := runOptions(b, root)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := run.Pipeline(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate10k is the policy evaluation alone, over the same input.
func BenchmarkEvaluate10k(b *testing.B) {
	root := writeAccount(b, 10000, 1000)
	opts := runOptions(b, root)
	var in *facts.Input
	opts.OnInput = func(x *facts.Input) error { in = x; return nil }
	if _, err := run.Pipeline(context.Background(), opts); err != nil {
		b.Fatal(err)
	}
	eng := opts.Engine.(*policy.Engine)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Evaluate(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadPolicies is parsing and compiling the built-in policies.
func BenchmarkLoadPolicies(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := policy.Load(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
