package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// Leak scanning as a user runs it: real git repositories in t.TempDir(),
// keys made at run time (no key-shaped literal lives in this repository).

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Test User", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test User", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeIn(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func leakRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "config", "commit.gpgsign", "false")
	writeIn(t, dir, "README.md", "hello\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "init")
	return dir
}

func TestLeakScopes(t *testing.T) {
	dir := leakRepo(t)
	base := gitIn(t, dir, "rev-parse", "HEAD")
	key := leakstest.AWSKey(t)
	writeIn(t, dir, "deploy/prod.env", "aws_access_key_id="+key+"\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "config")
	writeIn(t, dir, "deploy/prod.env", "region=eu-west-1\n")
	gitIn(t, dir, "commit", "-q", "-am", "remove it again")
	cleanStaged := leakRepo(t)
	writeIn(t, cleanStaged, "a.txt", "nothing\n")
	gitIn(t, cleanStaged, "add", "a.txt")

	shallow := filepath.Join(t.TempDir(), "shallow")
	gitIn(t, t.TempDir(), "clone", "-q", "--depth", "1", "file://"+dir, shallow)
	broken := leakRepo(t)
	writeIn(t, broken, ".gitleaks.toml", "[extend]\nuseDefault = true\n[[rules]]\nid = \"x\"\nregex = '''(unclosed'''\n")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string
	}{
		{"working tree is clean now", []string{"--path", dir}, 0, "leaks: ok", nil},
		{"history finds the removed key", []string{"--path", dir, "--history"}, 1, "deploy/prod.env:1", nil},
		{"the range finds it too", []string{"--path", dir, "--diff", base + "..HEAD"}, 1, "added in commit", nil},
		{"clean staged change passes", []string{"--path", cleanStaged, "--staged"}, 0, "leaks: ok (1 file)", nil},
		{"staged outside git", []string{"--path", t.TempDir(), "--staged"}, 2, "", []string{"--staged needs a git repository"}},
		{"diff outside git", []string{"--path", t.TempDir(), "--diff", "main..HEAD"}, 2, "", []string{"--diff needs a git repository", "actions/checkout"}},
		{"unknown base", []string{"--path", dir, "--diff", "origin/main..HEAD"}, 2, "", []string{"origin/main", "git fetch origin origin/main"}},
		{"shallow clone lacks the base", []string{"--path", shallow, "--diff", base + "..HEAD"}, 2, "", []string{"shallow clone", "fetch-depth: 0", "git fetch origin " + base}},
		{"broken .gitleaks.toml", []string{"--path", broken}, 2, "", []string{".gitleaks.toml", `rule "x" regex`}},
		{"broken .gitleaks.toml does not matter when leaks are skipped", []string{"--path", broken, "--skip", "leaks"}, 0, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := secretgate(t, nil, append([]string{"check", "--offline", "--now", now}, tc.args...)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%s", tc.wantStdout, r.stdout)
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not contain %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stdout+r.stderr, key[4:]) {
				t.Error("output holds the key")
			}
		})
	}
}

// TestLeakCanary: a staged key blocks with file and line, and neither any
// report format, nor the input document, nor standard error holds more
// than its first four characters.
func TestLeakCanary(t *testing.T) {
	dir := leakRepo(t)
	key := leakstest.AWSKey(t)
	writeIn(t, dir, "config/prod/settings.py", "import os\nAWS_ACCESS_KEY_ID = \""+key+"\"\n")
	gitIn(t, dir, "add", "-A")
	out := t.TempDir()
	args := []string{"check", "--offline", "--staged", "--path", dir, "--now", now, "--write-input", filepath.Join(out, "input.json")}
	for _, f := range []string{"json", "sarif", "markdown"} {
		args = append(args, "--format", f, "--output", filepath.Join(out, "report."+f))
	}
	args = append(args, "--format", "text")
	r := secretgate(t, nil, args...)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "config/prod/settings.py:2") || !strings.Contains(r.stdout, "AKIA…") || !strings.Contains(r.stdout, "CRITICAL") {
		t.Errorf("text report does not name file, line and redacted key:\n%s", r.stdout)
	}
	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, f := range []string{"json", "sarif", "markdown", "input"} {
		name := "report." + f
		if f == "input" {
			name = "input.json"
		}
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	for name, s := range outputs {
		if strings.Contains(s, key[4:]) || strings.Contains(s, key[:5]) {
			t.Errorf("%s holds the key beyond its first four characters", name)
		}
	}
}
