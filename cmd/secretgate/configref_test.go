package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

var gitleaksRuleRE = regexp.MustCompile(`gitleaks rule ([\w-]+)`)

// TestCredentialNamesAreNotLeaks: the names in the credentials list of the
// configuration in use are not reported as leaks, although gitleaks'
// generic-api-key rule takes them for keys; the same lines in any other
// file, the same name on a line that is not a secret: entry, and a key
// pasted into the configuration are reported.
func TestCredentialNamesAreNotLeaks(t *testing.T) {
	// Built at run time, so that this file holds no line the rule flags.
	name := "dev/canary" + "ph/db"
	key := leakstest.AWSKey(t)
	config := strings.Join([]string{
		"credentials:",
		"  - secret: " + name, // 2
		"  - type: db",
		"    region: eu-west-1",
		"    secret: " + name,         // 5: not the entry's first key
		"# token: " + name,            // 6: the name, but not a secret: entry
		"# aws_access_key_id: " + key, // 7: a key pasted into the configuration
		"",
	}, "\n")
	// The copy is not the configuration in use: the engine's findings on
	// it show that the name trips generic-api-key.
	copyWant := []string{
		"docs/example.yml:2 generic-api-key", "docs/example.yml:5 generic-api-key",
		"docs/example.yml:6 generic-api-key", "docs/example.yml:7 aws-access-token",
	}
	tests := []struct {
		name       string
		configFile string // relative to the repository
		args       func(dir string) []string
		stage      bool
	}{
		{"working tree", ".secretgate.yml", func(string) []string { return nil }, false},
		{"staged (the pre-commit hook)", ".secretgate.yml", func(string) []string { return []string{"--staged"} }, true},
		{"--config elsewhere in the repository", "ci/secretgate.yml", func(dir string) []string {
			return []string{"--config", filepath.Join(dir, "ci", "secretgate.yml")}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := leakRepo(t)
			writeIn(t, dir, tc.configFile, config)
			writeIn(t, dir, "docs/example.yml", config)
			if tc.stage {
				gitIn(t, dir, "add", "-A")
			}
			args := append([]string{"check", "--offline", "--only", "leaks", "--path", dir, "--format", "json", "--now", now}, tc.args(dir)...)
			r := secretgate(t, nil, args...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (the pasted key is high)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			var got []string
			for _, f := range jsonReport(t, r).Findings {
				if f.Rule != "leaks-secret" || f.Waived {
					t.Errorf("unexpected finding %s %s:%d", f.Rule, f.File, f.Line)
					continue
				}
				rule := gitleaksRuleRE.FindStringSubmatch(f.Message)
				if rule == nil {
					t.Fatalf("message names no gitleaks rule: %s", f.Message)
				}
				got = append(got, fmt.Sprintf("%s:%d %s", f.File, f.Line, rule[1]))
			}
			sort.Strings(got)
			want := append([]string{
				tc.configFile + ":6 generic-api-key",
				tc.configFile + ":7 aws-access-token",
			}, copyWant...)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("leak findings (-want +got):\n%s", diff)
			}
			if strings.Contains(r.stdout+r.stderr, key[4:]) {
				t.Error("output holds the key")
			}
		})
	}
}
