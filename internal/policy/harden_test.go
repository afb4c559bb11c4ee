package policy

import (
	"context"
	"errors"
	"io"
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

// A deny rule, or a rule with a custom.id, in a package check never
// evaluates is refused at load with file:line and the package it must live
// in; library packages without either stay allowed.
func TestRulesOutsideRulePackagesAreRefused(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // "" when the policy loads
	}{
		{"deny in custom package", "package secretgate.custom.x\n\nimport rego.v1\n\ndeny contains {\"rule\": \"x\"} if {\n\ttrue\n}\n",
			"x.rego:5: rule deny in package secretgate.custom.x is never evaluated: move it to package secretgate.rules.<check>"},
		{"custom.id in custom package", "package acme.lib\n\nimport rego.v1\n\n# METADATA\n# custom:\n#   id: acme-x\nviolations contains 1 if {\n\ttrue\n}\n",
			"x.rego:8: rule violations (custom.id acme-x) in package acme.lib is never evaluated"},
		{"package-scoped custom.id", "# METADATA\n# custom:\n#   id: acme-y\npackage acme.other\n\nimport rego.v1\n\nhelper := 1\n",
			"x.rego:4: METADATA custom.id acme-y in package acme.other is never evaluated"},
		{"deny too deep", "package secretgate.rules.naming.a.b\n\nimport rego.v1\n\n# METADATA\n# custom:\n#   id: acme-deep\ndeny contains {\"rule\": \"acme-deep\"} if {\n\ttrue\n}\n",
			"x.rego:8: rule deny in package secretgate.rules.naming.a.b is never evaluated"},
		{"deny in secretgate.main", "package secretgate.main\n\nimport rego.v1\n\ndeny contains {\"rule\": \"x\"} if {\n\ttrue\n}\n",
			"x.rego:5: rule deny in package secretgate.main is never evaluated"},
		{"library package", "package acme.lib\n\nimport rego.v1\n\nowner(s) := s.tags.owner\n", ""},
		{"rule one level below a family", "package secretgate.rules.naming.acme\n\nimport rego.v1\n\n# METADATA\n# custom:\n#   id: acme-ok\ndeny contains {\"rule\": \"acme-ok\"} if {\n\tfalse\n}\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "x.rego"), tc.text)
			_, err := Load(context.Background(), []string{dir})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("library package refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded a rule that check never evaluates")
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error %v is not ErrPolicy", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// Policies are pure functions of the input document: built-ins that reach
// the network or the process environment are compile errors (exit 2) with
// file:line, in check, in policy test, and in Eval's queries.
func TestNetworkAndRuntimeBuiltinsAreRefused(t *testing.T) {
	for _, call := range []string{
		`http.send({"method": "GET", "url": "http://127.0.0.1:1/"})`,
		`net.lookup_ip_addr("example.com")`,
		`opa.runtime()`,
	} {
		name := call[:strings.IndexByte(call, '(')]
		t.Run(name, func(t *testing.T) {
			text := "package secretgate.rules.naming.net\n\nimport rego.v1\n\n# METADATA\n# custom:\n#   id: acme-net\ndeny contains {\"rule\": \"acme-net\", \"resource\": sprintf(\"%v\", [x])} if {\n\tx := " + call + "\n}\n"
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "net.rego"), text)
			_, err := Load(context.Background(), []string{dir})
			if err == nil || !errors.Is(err, ErrPolicy) {
				t.Fatalf("Load error = %v, want a policy error", err)
			}
			for _, want := range []string{"net.rego:9", name} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}

			testDir := t.TempDir()
			writeFile(t, filepath.Join(testDir, "net_test.rego"), "package acme_test\n\nimport rego.v1\n\ntest_net if {\n\t_ := "+call+"\n}\n")
			_, err = Test(context.Background(), io.Discard, TestOptions{Dirs: []string{testDir}})
			if err == nil || !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "net_test.rego:6") {
				t.Errorf("policy test error = %v, want a policy error at net_test.rego:6", err)
			}
		})
	}
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Eval(context.Background(), `opa.runtime()`, map[string]any{}); err == nil || !errors.Is(err, ErrPolicy) {
		t.Errorf("Eval(opa.runtime()) error = %v, want a policy error", err)
	}
}

// A blanket waiver waives every finding but its own: config-waiver-too-broad
// (high) is reported, unwaived, at the waiver's line.
func TestBlanketWaiverIsReported(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := eng.Rule("config-waiver-too-broad")
	if !ok || r.Check != "config" || r.Severity.String() != "high" {
		t.Fatalf("catalogue entry = %+v, %v", r, ok)
	}
	tests := []struct {
		name   string
		waiver facts.Waiver
		want   int
	}{
		{"every rule and resource", facts.Waiver{Rule: "*", Resource: "**", Reason: "r", Owner: "o", File: ".secretgate.yml", Line: 7}, 1},
		{"every resource", facts.Waiver{Rule: "naming-pattern", Resource: "*", Reason: "r", Owner: "o", File: ".secretgate.yml", Line: 7}, 1},
		{"narrow", facts.Waiver{Rule: "naming-pattern", Resource: "Legacy_*", Reason: "r", Owner: "o", File: ".secretgate.yml", Line: 7}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "Legacy_Key"}}, []facts.Waiver{tc.waiver}))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range raws {
				if f.Rule != "config-waiver-too-broad" {
					continue
				}
				n++
				if f.Waived || f.File != ".secretgate.yml" || f.Line != 7 {
					t.Errorf("finding %+v: waived or misplaced", f)
				}
			}
			if n != tc.want {
				t.Errorf("%d too-broad findings, want %d", n, tc.want)
			}
		})
	}
}
