package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/run"
)

// TestStagedFastPathSameReport runs the same staged checks twice, once
// with the built-in rules limited as a staged run without policy files
// allows and once with every rule compiled, and holds the reports equal
// (durations aside). A staged policy file takes the full path.
func TestStagedFastPathSameReport(t *testing.T) {
	key := leakstest.AWSKey(t)
	const openTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`
	tests := []struct {
		name     string
		files    map[string]string
		config   string
		compiles string
		wantCode int
		wantRule string
	}{
		{"leaked key", map[string]string{"deploy/prod.env": "aws_access_key_id=" + key + "\n", "main.go": "package main\n"}, "", compiledLeaks, 1, "leaks-secret"},
		{"clean change", map[string]string{"main.go": "package main\n"}, "", compiledNone, 0, ""},
		{"waiver for a rule not compiled", map[string]string{"deploy/prod.env": "aws_access_key_id=" + key + "\n"},
			"waivers:\n  - rule: trust-oidc-any-org\n    resource: \"iam/x.json\"\n    reason: test\n    owner: team\n    expires: \"2030-01-01\"\n", compiledLeaks, 1, "leaks-secret"},
		{"staged trust policy", map[string]string{"iam/deploy-trust.json": openTrust, "deploy/prod.env": "aws_access_key_id=" + key + "\n"}, "", compiledMore, 1, "trust-oidc-sub-missing"},
		{"excluded policy file", map[string]string{"iam/deploy-trust.json": openTrust}, "exclude: [\"iam/**\"]\n", compiledNone, 0, ""},
		{"user leaks rule runs", map[string]string{"deploy/prod.env": "aws_access_key_id=" + key + "\n", rulesDir + "own.rego": userLeaksRule}, "policies: [rules/]\n", compiledLeaks, 1, "acme-leak-owner"},
		{"user rule using a library the leaks rules do not", map[string]string{"deploy/prod.env": "aws_access_key_id=" + key + "\n", rulesDir + "own.rego": userLibRule}, "policies: [rules/]\n", compiledLeaks, 1, "acme-leak-file"},
		{"user rule reading a family not compiled", map[string]string{"main.go": "package main\n", rulesDir + "own.rego": userIAMRule}, "policies: [rules/]\n", compiledMore, 1, "acme-no-iam"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := stagedRepo(t, tc.files, tc.config)
			fast, fastCode, compiled := stagedReport(t, dir, false)
			if compiled != tc.compiles {
				t.Fatalf("compiled %s, want %s", compiled, tc.compiles)
			}
			full, fullCode, _ := stagedReport(t, dir, true)
			if fastCode != tc.wantCode || fullCode != tc.wantCode {
				t.Fatalf("exit codes %d (fast) and %d (full), want %d", fastCode, fullCode, tc.wantCode)
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

// TestStagedFastPathUnknownWaiver: a waiver naming no rule at all is still
// refused when the built-in rules are limited.
func TestStagedFastPathUnknownWaiver(t *testing.T) {
	dir := stagedRepo(t, map[string]string{"main.go": "package main\n"},
		"waivers:\n  - rule: trust-oidc-any-orgg\n    resource: \"x\"\n    reason: test\n    owner: team\n    expires: \"2030-01-01\"\n")
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"check", "--offline", "--staged", "--mode", "pre-commit", "--path", dir}, &stdout, &stderr, envOf(nil))
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 2 || !strings.Contains(err.Error(), "unknown rule") {
		t.Fatalf("err = %v, want exit 2 naming the unknown rule", err)
	}
}

const rulesDir = "rules/"

// userLeaksRule is a user rule of the leaks family: it must run on the
// fast path too.
const userLeaksRule = `# METADATA
# title: Leaks are reported to the owner
# custom:
#   id: acme-leak-owner
#   severity: low
#   remediation: Tell the owner.
package secretgate.rules.leaks.acme

import rego.v1

deny contains {"rule": "acme-leak-owner", "resource": l.file, "message": "a leak", "file": l.file, "line": l.line} if {
	some l in input.leaks
}
`

// userLibRule uses the trust library, which the leaks rules do not: it
// must be compiled for it.
const userLibRule = `# METADATA
# title: Leaks name their file
# custom:
#   id: acme-leak-file
#   severity: low
#   remediation: Tell the owner.
package secretgate.rules.leaks.acme

import rego.v1

import data.secretgate.lib.trust as tl

deny contains {"rule": "acme-leak-file", "resource": tl.str(l.file), "message": "a leak", "file": l.file, "line": l.line} if {
	some l in input.leaks
}
`

// userIAMRule reads a built-in IAM rule's document: only the full set
// gives it the same answer.
const userIAMRule = `# METADATA
# title: No IAM findings
# custom:
#   id: acme-no-iam
#   check: leaks
#   severity: high
#   remediation: None.
package secretgate.rules.leaks.acme

import rego.v1

deny contains {"rule": "acme-no-iam", "resource": "repo", "message": "no IAM findings", "file": "", "line": 0} if {
	count(data.secretgate.rules.iam.deny) == 0
}
`

var compilingMu sync.Mutex

// What a run compiled (checkReport).
const (
	compiledNone  = "nothing"         // the compilation was put off and never needed
	compiledLeaks = "the leaks rules" // of the built-in families, only the leaks rules
	compiledMore  = "more than leaks" // other built-in families too
)

// stagedReport runs check --staged in dir and returns its JSON report
// without durations, the exit code and what the run compiled.
func stagedReport(t *testing.T, dir string, full bool) (map[string]any, int, string) {
	t.Helper()
	return checkReport(t, dir, full, "--offline", "--staged", "--mode", "pre-commit")
}

// checkReport runs check with args (plus --now, --format json, --path dir)
// and returns what stagedReport does; full compiles every rule.
func checkReport(t *testing.T, dir string, full bool, args ...string) (map[string]any, int, string) {
	t.Helper()
	compilingMu.Lock()
	defer compilingMu.Unlock()
	compiled := compiledNone
	testPlan = func(p *run.Plan) {
		p.OnCompile = func(e *policy.Engine) {
			compiled = compiledMore
			if e.Partial() && e.Compiled("leaks-secret") && !e.Compiled("rotation-overdue") {
				compiled = compiledLeaks
			}
		}
		p.CompileAll = full
		// Whether a run without AWS facts takes the fast path must not
		// depend on how quickly this machine reads the directory.
		p.RepoWait = time.Minute
	}
	defer func() { testPlan = nil }()
	var stdout, stderr bytes.Buffer
	args = append(append([]string{"check"}, args...), "--now", "2026-01-01T00:00:00Z", "--format", "json", "--path", dir)
	runErr := Run(context.Background(), args, &stdout, &stderr, envOf(nil))
	err := runErr
	code := 0
	if err != nil {
		var ee *ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("check: %v\n%s", err, stderr.String())
		}
		code = ee.Code
	}
	var rep map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v (exit %d: %v)\n%s\n%s", err, code, runErr, stdout.String(), stderr.String())
	}
	checks, _ := rep["checks"].([]any)
	for _, c := range checks {
		delete(c.(map[string]any), "duration_ms")
	}
	return rep, code, compiled
}

// stagedRepo is a git repository with one commit and files staged, and
// config as its .secretgate.yml (committed) when not empty.
func stagedRepo(t *testing.T, files map[string]string, config string) string {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("README.md", "hello\n")
	if config != "" {
		write(".secretgate.yml", config)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "init")
	for rel, text := range files {
		write(rel, text)
	}
	git("add", "-A")
	return dir
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// userOtherFamilyRule is a user rule in the naming family that reports
// under the ids of built-in rules of other families (rotation, resolve).
const userOtherFamilyRule = `# METADATA
# title: Borrowed ids
# custom:
#   id: acme-borrow
#   check: naming
#   severity: low
#   remediation: None.
package secretgate.rules.naming.acme

import rego.v1

deny contains {"rule": "rotation-overdue", "resource": "borrowed", "message": "under a rotation id", "file": "", "line": 0} if true

deny contains {"rule": "resolve-not-found", "resource": "borrowed", "message": "under a resolve id", "file": "", "line": 0} if true

deny contains {"rule": "acme-borrow", "resource": "own", "message": "own id", "file": "", "line": 0} if true
`

// TestSelectedFamiliesSameReport: a run that compiles only the selected
// families' built-in rules reports exactly what a run with every rule
// compiled reports, also when a user rule borrows the id of a built-in
// rule left out.
func TestSelectedFamiliesSameReport(t *testing.T) {
	key := leakstest.AWSKey(t)
	const openTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`
	files := map[string]string{
		"iam/deploy-trust.json": openTrust,
		"deploy/prod.env":       "aws_access_key_id=" + key + "\n",
		rulesDir + "own.rego":   userOtherFamilyRule,
	}
	dir := stagedRepo(t, files, "policies: [rules/]\n")
	for _, args := range [][]string{
		{"--offline"},
		{"--offline", "--only", "naming"},
		{"--offline", "--only", "naming,trust"},
		{"--offline", "--skip", "rotation,leaks"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			got, gotCode, _ := checkReport(t, dir, false, args...)
			want, wantCode, _ := checkReport(t, dir, true, args...)
			if gotCode != wantCode || gotCode > 1 {
				t.Fatalf("exit %d, with every rule compiled %d (want 0 or 1, the same)", gotCode, wantCode)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("report differs from the fully compiled run (-full +selected):\n%s", diff)
			}
			if !bytes.Contains(mustJSON(t, got), []byte(`"rule":"acme-borrow"`)) {
				t.Errorf("the user rule's own finding is missing")
			}
		})
	}
}
