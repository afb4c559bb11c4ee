package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// TestNoFactsFastPathSameReport runs check --offline on directories twice,
// once with the built-in rules limited as a repository without roles,
// policies or secrets allows (only the leaks rules, compiled only when
// there is a leak, a waiver or a user rule) and once with every rule
// compiled, and holds the reports equal (durations aside). A repository
// with a policy file, or a user rule reading a family left out, takes the
// full path.
func TestNoFactsFastPathSameReport(t *testing.T) {
	key := leakstest.AWSKey(t)
	const openTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`
	waiver := "waivers:\n  - rule: trust-oidc-any-org\n    resource: \"iam/x.json\"\n    reason: test\n    owner: team\n    expires: \"2030-01-01\"\n"
	expired := "waivers:\n  - rule: rotation-overdue\n    resource: \"prod/**\"\n    reason: test\n    owner: team\n    expires: \"2025-01-01\"\n"
	tests := []struct {
		name     string
		files    map[string]string
		args     []string
		compiles string
		wantRule string
	}{
		{"empty directory", nil, nil, compiledNone, ""},
		{"application with a leaked key", map[string]string{"deploy/prod.env": "aws_access_key_id=" + key + "\n", "main.go": "package main\n"}, nil, compiledLeaks, "leaks-secret"},
		{"waiver for a rule not compiled", map[string]string{".secretgate.yml": waiver, "main.go": "package main\n"}, nil, compiledLeaks, ""},
		{"expired waiver of a rule not compiled", map[string]string{".secretgate.yml": expired}, nil, compiledLeaks, "config-waiver-expired"},
		{"trust policy", map[string]string{"iam/deploy-trust.json": openTrust}, nil, compiledMore, "trust-oidc-sub-missing"},
		{"excluded policy file", map[string]string{"iam/deploy-trust.json": openTrust, ".secretgate.yml": "exclude: [\"iam/**\"]\n"}, nil, compiledNone, ""},
		{"--only trust on an empty directory", nil, []string{"--only", "trust"}, compiledNone, ""},
		{"user rule reading a family not compiled", map[string]string{"main.go": "package main\n", ".secretgate.yml": "policies: [rules/]\n", rulesDir + "own.rego": userIAMRule}, nil, compiledMore, "acme-no-iam"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, text := range tc.files {
				p := filepath.Join(dir, rel)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"--offline"}, tc.args...)
			fast, fastCode, compiled := checkReport(t, dir, false, args...)
			if compiled != tc.compiles {
				t.Fatalf("compiled %s, want %s", compiled, tc.compiles)
			}
			full, fullCode, _ := checkReport(t, dir, true, args...)
			if fastCode != fullCode {
				t.Fatalf("exit codes %d (fast) and %d (full)", fastCode, fullCode)
			}
			if diff := cmp.Diff(full, fast); diff != "" {
				t.Errorf("report differs from the fully compiled run (-full +fast):\n%s", diff)
			}
			if tc.wantRule != "" && !bytes.Contains(mustJSON(t, fast), []byte(`"rule":"`+tc.wantRule+`"`)) {
				t.Errorf("no %s finding in %s", tc.wantRule, mustJSON(t, fast))
			}
		})
	}
}
