package policy

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/facts"
)

// A rule that would run for hours (three nested ranges: 2.7e10 steps, no
// memory) ends the evaluation at the engine's time limit with ErrDeadline
// (the run is incomplete: exit 3), not a policy error, and the error names
// the rule and where it is; the built-in rules, which finish, are not
// named. With the per-family parts and with one query (an own
// secretgate.main) alike; Eval's queries have the same limit.
func TestSlowRuleEndsAtTheDeadline(t *testing.T) {
	const slow = `package secretgate.rules.naming.slow

import rego.v1

# METADATA
# custom:
#   id: acme-slow
deny contains {"rule": "acme-slow", "resource": sprintf("%d", [a])} if {
	some a in numbers.range(1, 3000)
	some b in numbers.range(1, 3000)
	some c in numbers.range(1, 3000)
	a * b * c == -1
}
`
	const ownMain = "package secretgate.main\n\nimport rego.v1\n\nextra := true\n"
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"parts", map[string]string{"slow.rego": slow}},
		{"one query", map[string]string{"slow.rego": slow, "main.rego": ownMain}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tc.files {
				writeFile(t, filepath.Join(dir, name), text)
			}
			eng, err := Load(context.Background(), []string{dir})
			if err != nil {
				t.Fatal(err)
			}
			const limit = 500 * time.Millisecond
			eng.SetEvalTimeout(limit)
			start := time.Now()
			_, err = eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "prod/a/api"}}, nil))
			took := time.Since(start)
			t.Logf("%s: %v", took, err)
			if err == nil {
				t.Fatal("a rule running for hours finished")
			}
			if !errors.Is(err, ErrDeadline) || errors.Is(err, ErrPolicy) {
				t.Errorf("error %v: want ErrDeadline and not ErrPolicy", err)
			}
			for _, want := range []string{"acme-slow", "slow.rego:8", "limit 500ms"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "naming-pattern") {
				t.Errorf("error %q names a built-in rule that finishes", err)
			}
			if took > 10*limit {
				t.Errorf("the evaluation took %s with a limit of %s", took, limit)
			}
		})
	}

	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	eng.SetEvalTimeout(200 * time.Millisecond)
	_, err = eng.Eval(context.Background(), `count([1 | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); some c in numbers.range(1, 3000); a * b * c == -1])`, map[string]any{})
	if !errors.Is(err, ErrDeadline) {
		t.Errorf("Eval error = %v, want ErrDeadline", err)
	}
}

// Without SetEvalTimeout, the limit is the generous default.
func TestDefaultEvalTimeout(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := eng.timeout(); got != DefaultEvalTimeout || DefaultEvalTimeout != time.Minute {
		t.Errorf("timeout = %s (default %s), want one minute", got, DefaultEvalTimeout)
	}
	eng.SetEvalTimeout(0)
	if got := eng.timeout(); got != DefaultEvalTimeout {
		t.Errorf("SetEvalTimeout(0): timeout = %s, want the default", got)
	}
}
