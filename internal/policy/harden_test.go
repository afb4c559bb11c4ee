package policy

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
)

// A user rule whose findings lack the "rule" field must not silently find
// nothing: the run fails with a policy error naming the rule's package,
// with or without waivers, in the per-family and the one-query evaluation.
func TestFindingWithoutRuleIsPolicyError(t *testing.T) {
	const norule = `package secretgate.rules.naming.forgot

import rego.v1

# METADATA
# custom:
#   id: acme-forgot
deny contains {"resource": s.name, "message": "no rule field"} if {
	some s in input.secrets
}
`
	const ownMain = `package secretgate.main

import rego.v1

extra := true
`
	tests := []struct {
		name    string
		files   map[string]string
		waivers []facts.Waiver
	}{
		{"no waivers", map[string]string{"forgot.rego": norule}, nil},
		{"waiver for another rule", map[string]string{"forgot.rego": norule}, []facts.Waiver{{Rule: "naming-pattern", Resource: "x"}}},
		{"star waiver", map[string]string{"forgot.rego": norule}, []facts.Waiver{{Rule: "*", Resource: "nothing/here"}}},
		{"one query (own main)", map[string]string{"forgot.rego": norule, "main.rego": ownMain}, nil},
		{"one query with star waiver", map[string]string{"forgot.rego": norule, "main.rego": ownMain}, []facts.Waiver{{Rule: "*", Resource: "nothing/here"}}},
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
			_, err = eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "prod/a/api"}}, tc.waivers))
			if err == nil {
				t.Fatal("a finding without a rule id was accepted")
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error %v is not ErrPolicy", err)
			}
			for _, want := range []string{"secretgate.rules.naming.forgot", `without a "rule" id`, "forgot.rego:8"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}
