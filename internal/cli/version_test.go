package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	info := func(main string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/secretgate/secretgate", Version: main}, Settings: settings}, true
		}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0386ea1f0c2d4e5f60718293a4b5c6d7e8f90123"}
	tests := []struct {
		name string
		set  string
		read func() (*debug.BuildInfo, bool)
		want string
	}{
		{"set at build time wins", "v1.4.0", info("v9.9.9"), "v1.4.0"},
		{"go install module@version", "dev", info("v1.2.3"), "v1.2.3"},
		{"checkout build with tags (pre-commit)", "dev", info("v1.2.4-0.20261126120000-0386ea1f0c2d+dirty"), "v1.2.4-0.20261126120000-0386ea1f0c2d+dirty"},
		{"devel build with a commit", "dev", info("(devel)", rev), "dev-0386ea1f0c2d"},
		{"modified checkout", "", info("(devel)", rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"}), "dev-0386ea1f0c2d-dirty"},
		{"nothing known", "dev", info("(devel)"), "dev"},
		{"no build info", "dev", func() (*debug.BuildInfo, bool) { return nil, false }, "dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionFrom(tc.set, tc.read); got != tc.want {
				t.Errorf("versionFrom = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestConventionalFlags: --version prints what the version command
// prints; the short flags users of gitleaks, trivy and conftest type (-c,
// -f, -o) mean --config, --format and --output; --now takes a date.
func TestConventionalFlags(t *testing.T) {
	var v1, v2, e bytes.Buffer
	if err := Run(context.Background(), []string{"--version"}, &v1, &e, envOf(nil)); err != nil {
		t.Fatalf("--version: %v %s", err, e.String())
	}
	if err := Run(context.Background(), []string{"version"}, &v2, &e, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	if v1.String() != v2.String() || !strings.HasPrefix(v1.String(), "secretgate ") {
		t.Errorf("--version %q, version %q", v1.String(), v2.String())
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "sg.yml")
	if err := os.WriteFile(cfg, []byte("fail_on: never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"check", "--offline", "--only", "naming", "--path", dir, "-c", cfg, "-f", "json", "-o", out, "--now", "2026-12-04"}, &stdout, &stderr, envOf(nil))
	if err != nil {
		t.Fatalf("check: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("-o: %v", err)
	}
	var rep struct {
		FailOn string `json:"fail_on"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("-f json wrote %q: %v", data, err)
	}
	if rep.FailOn != "never" {
		t.Errorf("fail_on %q: -c %s was not read", rep.FailOn, cfg)
	}
	// Every report went to a file: the verdict is on stderr, naming it
	// (after any progress line a slow phase left).
	if want := "secretgate: NOTHING JUDGED — no selected check had anything to judge (fail-on: never); reports: " + out + "\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr %q, want it to end with %q", stderr.String(), want)
	}
	stdout.Reset()
	stderr.Reset()
	if err := Run(context.Background(), []string{"check", "--offline", "--only", "naming", "--path", dir, "-c", cfg, "-f", "json"}, &stdout, &stderr, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "NOTHING JUDGED") || !strings.Contains(stdout.String(), `"no-input"`) {
		t.Errorf("report on stdout: stderr %q should not repeat the verdict; stdout %q", stderr.String(), stdout.String())
	}
}

// TestVerdictNamesOnlyReportsWritten: a report that could not be written
// is an error, not a place the verdict sends the reader to.
func TestVerdictNamesOnlyReportsWritten(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sg.yml")
	if err := os.WriteFile(cfg, []byte("fail_on: never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "r.json")
	bad := filepath.Join(dir, "missing-dir", "r.sarif")
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"check", "--offline", "--only", "naming", "--path", dir, "-c", cfg,
		"-f", "json", "-o", good, "-f", "sarif", "-o", bad, "--now", "2026-12-04"}, &stdout, &stderr, envOf(nil))
	if err == nil {
		t.Fatalf("check wrote to %s without an error", bad)
	}
	if !strings.Contains(stderr.String(), "; reports: "+good+"\n") {
		t.Errorf("stderr %q: the verdict should name %s", stderr.String(), good)
	}
	if strings.Contains(stderr.String(), "reports: "+good+", "+bad) {
		t.Errorf("stderr %q: the verdict names %s, which could not be written", stderr.String(), bad)
	}
}

// TestOutputDashIsStandardOutput: "-o -" is standard output, as gitleaks
// and trivy read it, not a file named "-"; still at most one format there.
func TestOutputDashIsStandardOutput(t *testing.T) {
	outs, err := parseOutputs([]string{"json", "sarif"}, []string{"-", "r.sarif"})
	if err != nil || len(outs) != 2 || outs[0].file != "" || outs[1].file != "r.sarif" {
		t.Errorf("outs %+v, err %v; want json to stdout and sarif to r.sarif", outs, err)
	}
	if _, err := parseOutputs([]string{"json", "sarif"}, []string{"-"}); err == nil {
		t.Error("two formats on standard output accepted")
	}
}
