package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// These tests build the real binary and run it the way a user or a pipeline
// does, checking exit codes, streams and the reports it writes.

var binary string

var update = flag.Bool("update", false, "rewrite golden files")

const now = "2026-11-26T12:00:00Z"

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "secretgate-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "secretgate")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build secretgate:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type run struct {
	code           int
	stdout, stderr string
}

func secretgate(t *testing.T, env []string, args ...string) run {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run secretgate: %v", err)
	}
	return run{code: code, stdout: out.String(), stderr: errb.String()}
}

func repo(name string) string { return filepath.Join("testdata", "repos", name) }

func jsonReport(t *testing.T, r run) result.Report {
	t.Helper()
	var rep result.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\nstdout: %s\nstderr: %s", err, r.stdout, r.stderr)
	}
	if rep.Schema != result.Schema {
		t.Fatalf("schema = %q", rep.Schema)
	}
	return rep
}

func rules(rep result.Report) map[string]int {
	m := map[string]int{}
	for _, f := range rep.Findings {
		if !f.Waived {
			m[f.Rule]++
		}
	}
	return m
}

// checkByID is the report's check of that id (zero when absent).
func checkByID(rep result.Report, id string) result.Check {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	return result.Check{}
}

func checkStatus(rep result.Report) map[string]result.Status {
	m := map[string]result.Status{}
	for _, c := range rep.Checks {
		m[c.ID] = c.Status
	}
	return m
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"clean repository passes", []string{"check", "--offline", "--path", repo("clean")}, 0, ""},
		{"secretgate's own repository passes its own checks", []string{"check", "--offline", "--path", "../.."}, 0, ""},
		{"demo has high findings", []string{"check", "--offline", "--path", "../../docs/examples/demo"}, 1, ""},
		{"fail-on never", []string{"check", "--offline", "--path", "../../docs/examples/demo", "--fail-on", "never"}, 0, ""},
		{"malformed file makes the run incomplete", []string{"check", "--offline", "--path", repo("broken")}, 3, ""},
		{"findings outrank incomplete", []string{"check", "--offline", "--path", repo("brokenbad")}, 1, ""},
		{"missing path", []string{"check", "--offline", "--path", repo("does-not-exist")}, 2, "does-not-exist"},
		{"invalid user rego", []string{"check", "--offline", "--path", repo("badrego")}, 2, "broken.rego:8"},
		{"unknown config key", []string{"check", "--offline", "--path", repo("badconfig")}, 2, ".secretgate.yml:3"},
		{"unknown check family", []string{"check", "--offline", "--path", repo("clean"), "--only", "nameing"}, 2, "nameing"},
		{"unknown format", []string{"check", "--offline", "--path", repo("clean"), "--format", "xml"}, 2, "xml"},
		{"unknown flag", []string{"check", "--bogus"}, 2, "bogus"},
		{"bad fail-on", []string{"check", "--offline", "--path", repo("clean"), "--fail-on", "severe"}, 2, "severe"},
		{"two formats to stdout", []string{"check", "--offline", "--path", repo("clean"), "--format", "json", "--format", "text"}, 2, "standard output"},
		{"live run without AWS support is incomplete", []string{"check", "--path", repo("clean")}, 3, ""},
		{"explicitly selected check that cannot run", []string{"check", "--offline", "--path", repo("clean"), "--only", "naming,resolve"}, 3, ""},
		{"nothing selected", []string{"check", "--offline", "--path", repo("clean"), "--only", "naming", "--skip", "naming"}, 2, "no check"},
		{"live flags with --offline", []string{"check", "--offline", "--path", repo("clean"), "--role-arn", "arn:aws:iam::123456789012:role/x"}, 2, "--role-arn"},
		{"unknown mode", []string{"check", "--offline", "--path", repo("clean"), "--mode", "weekly"}, 2, "weekly"},
		{"failing built-in in a user rule", []string{"check", "--offline", "--path", repo("badbuiltin")}, 2, "to_number"},
		{"a rule cannot waive itself", []string{"check", "--offline", "--path", repo("selfwaive")}, 1, ""},
		{"unwritable report makes a clean run incomplete", []string{"check", "--offline", "--path", repo("clean"), "--format", "json", "--output", "/nonexistent/dir/r.json"}, 3, "/nonexistent/dir/r.json"},
		{"unwritable report does not hide findings", []string{"check", "--offline", "--path", "../../docs/examples/demo", "--format", "json", "--output", "/nonexistent/dir/r.json"}, 1, "/nonexistent/dir/r.json"},
		{"credentials without live AWS are incomplete", []string{"check", "--path", "../../docs/examples/demo", "--only", "resolve", "--config", filepath.Join("testdata", "credentials.yml")}, 3, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := secretgate(t, nil, append(tc.args, "--now", now)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tc.wantStderr)
			}
		})
	}
}

func TestDemoFindings(t *testing.T) {
	r := secretgate(t, nil, "check", "--offline", "--path", "../../docs/examples/demo", "--format", "json", "--now", now)
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rep := jsonReport(t, r)
	got := rules(rep)
	for _, want := range []string{"trust-oidc-prod-pull-request", "rotation-not-enabled", "iam-secret-read-other-environment", "iam-kms-decrypt-unscoped"} {
		if got[want] == 0 {
			t.Errorf("no %s finding; got %v", want, got)
		}
	}
	waived := 0
	for _, f := range rep.Findings {
		if f.Waived {
			waived++
			if f.Rule != "naming-pattern" || f.Resource != "Legacy_Bybit_Key" || f.WaiverReason == "" {
				t.Errorf("unexpected waived finding %+v", f)
			}
		}
		if f.Fingerprint == "" || f.Title == "" || f.Check == "" {
			t.Errorf("incomplete finding %+v", f)
		}
		if f.File != "" && f.Line == 0 {
			t.Errorf("finding without line: %+v", f)
		}
	}
	if waived == 0 {
		t.Error("the demo's waiver did not apply")
	}
	st := checkStatus(rep)
	if st["leaks"] != result.StatusOK || st["resolve"] != result.StatusSkipped {
		t.Errorf("statuses %v", st)
	}
	if !rep.Summary.Failed || rep.Summary.Incomplete {
		t.Errorf("summary %+v", rep.Summary)
	}
}

func TestBrokenFileIsReportedAndTheRestChecked(t *testing.T) {
	r := secretgate(t, nil, "check", "--offline", "--path", repo("broken"), "--format", "json", "--now", now)
	rep := jsonReport(t, r)
	if len(rep.Inputs.Errors) != 1 {
		t.Fatalf("input errors %+v", rep.Inputs.Errors)
	}
	e := rep.Inputs.Errors[0]
	if e.File != "iam/truncated.json" || e.Line == 0 || e.Message == "" {
		t.Errorf("input error %+v", e)
	}
	if !rep.Summary.Incomplete {
		t.Error("not incomplete")
	}
	st := checkStatus(rep)
	if st["trust"] != result.StatusError {
		t.Errorf("trust status %s, want error", st["trust"])
	}
	if trust := checkByID(rep, "trust").Resources; trust != 1 {
		t.Errorf("the good trust policy beside the broken file was not checked: %d resources", trust)
	}
}

func TestOnlyAndSkip(t *testing.T) {
	r := secretgate(t, nil, "check", "--offline", "--path", "../../docs/examples/demo", "--format", "json", "--only", "naming", "--now", now)
	rep := jsonReport(t, r)
	for _, f := range rep.Findings {
		if f.Check != "naming" && f.Check != "config" {
			t.Errorf("--only naming reported %s", f.Rule)
		}
	}
	st := checkStatus(rep)
	if st["trust"] != result.StatusSkipped || st["naming"] == result.StatusSkipped {
		t.Errorf("statuses %v", st)
	}
}

func TestEveryFormatToFiles(t *testing.T) {
	dir := t.TempDir()
	args := []string{"check", "--offline", "--path", "../../docs/examples/demo", "--now", now}
	for _, f := range []string{"text", "json", "sarif", "markdown"} {
		args = append(args, "--format", f, "--output", filepath.Join(dir, "report."+f))
	}
	r := secretgate(t, nil, args...)
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty when every format has a file: %q", r.stdout)
	}
	for _, f := range []string{"text", "json", "sarif", "markdown"} {
		b, err := os.ReadFile(filepath.Join(dir, "report."+f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("iam-secret-read-other-environment")) {
			t.Errorf("%s report does not name the cross-environment finding", f)
		}
	}
}

// TestCanaryNeverPrinted plants a value in a SecretString and proves that no
// output of any format, nor the error stream, ever contains it.
func TestCanaryNeverPrinted(t *testing.T) {
	const canary = "CANARY-7f3a9c1e-do-not-print"
	dir := t.TempDir()
	args := []string{"check", "--offline", "--path", repo("canary"), "--now", now, "--fail-on", "info"}
	for _, f := range []string{"json", "sarif", "markdown"} {
		args = append(args, "--format", f, "--output", filepath.Join(dir, "report."+f))
	}
	args = append(args, "--format", "text")
	r := secretgate(t, nil, args...)
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, f := range []string{"json", "sarif", "markdown"} {
		b, err := os.ReadFile(filepath.Join(dir, "report."+f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	for name, out := range outputs {
		if strings.Contains(out, canary) || strings.Contains(out, "7f3a9c1e") {
			t.Errorf("%s contains the canary secret value", name)
		}
	}
	if !strings.Contains(r.stdout, "Prod/Stripe/Token") {
		t.Error("text report does not name the badly named secret (did the canary repo get checked?)")
	}
}

func TestRequireWaiverExpiry(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "sg.yml")
	if err := os.WriteFile(cfg, []byte("waivers:\n  - rule: naming-pattern\n    resource: \"legacy/**\"\n    reason: legacy\n    owner: team\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := secretgate(t, nil, "check", "--offline", "--path", repo("clean"), "--config", cfg, "--require-waiver-expiry", "--now", now)
	if r.code != 2 || !strings.Contains(r.stderr, "sg.yml:2") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = secretgate(t, nil, "check", "--offline", "--path", repo("clean"), "--config", cfg, "--now", now)
	if r.code != 0 {
		t.Fatalf("without the flag: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBaselineMarksExistingFindings(t *testing.T) {
	base := secretgate(t, nil, "check", "--offline", "--path", "../../docs/examples/demo", "--format", "json", "--now", now)
	file := filepath.Join(t.TempDir(), "base.json")
	if err := os.WriteFile(file, []byte(base.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	r := secretgate(t, nil, "check", "--offline", "--path", "../../docs/examples/demo", "--format", "json", "--baseline", file, "--now", now)
	rep := jsonReport(t, r)
	if len(rep.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range rep.Findings {
		if f.New {
			t.Errorf("finding %s on %s is new although the baseline has it", f.Rule, f.Resource)
		}
	}
}

func TestPullRequestContext(t *testing.T) {
	clean, base := prCheckout(t, repo("clean"))
	r := secretgate(t, []string{"GITHUB_REF=refs/pull/42/merge", "GITHUB_EVENT_NAME=pull_request", "GITHUB_REPOSITORY=acme/payments", "GITHUB_SHA=0123abc"},
		"check", "--offline", "--path", clean, "--diff", base+"..HEAD", "--format", "json", "--now", now)
	rep := jsonReport(t, r)
	if c := rep.Context; c.PullRequest != 42 || c.Mode != "pr" || c.Repository != "acme/payments" || c.SHA != "0123abc" {
		t.Errorf("context %+v", c)
	}
}

func TestPolicyCommands(t *testing.T) {
	r := secretgate(t, nil, "policy", "test")
	if r.code != 0 || !strings.Contains(r.stdout, " passed, 0 failed") {
		t.Fatalf("policy test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = secretgate(t, nil, "policy", "list", "--format", "json")
	var rules []result.Rule
	if err := json.Unmarshal([]byte(r.stdout), &rules); err != nil || len(rules) < 10 {
		t.Fatalf("policy list: %v, %d rules", err, len(rules))
	}
}

func TestPolicyDocsAreCurrent(t *testing.T) {
	r := secretgate(t, nil, "policy", "list", "--format", "markdown")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	const path = "../../docs/policies.md"
	if *update {
		if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != r.stdout {
		t.Fatal("docs/policies.md is stale: run `make docs` (or go test ./cmd/secretgate -run PolicyDocs -update)")
	}
}
