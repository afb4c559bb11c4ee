package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// TestPreCommitAsksGitOnce: a pre-commit run asks git what it needs of the
// repository (the commit checked, the work tree's top and prefix, whether
// it is shallow, whether it is a work tree at all) with one git rev-parse,
// not one per fact: each git process is a good part of a hook that runs
// on every commit. The staged listing and the staged patch are the only
// other git processes. The answers are the same: the report names the
// commit (none before the first), the leak is found at its line, a clean
// index passes.
func TestPreCommitAsksGitOnce(t *testing.T) {
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	// A git that logs its arguments, one line per process.
	wrap := t.TempDir()
	log := filepath.Join(wrap, "calls.log")
	script := "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + realGit + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(wrap, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + wrap + string(os.PathListSeparator) + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull}
	key := leakstest.AWSKey(t)

	tests := []struct {
		name     string
		commit   bool // a first commit before staging
		leak     bool
		wantCode int
	}{
		{"clean, after a commit", true, false, 0},
		{"a leak, after a commit", true, true, 1},
		{"a leak, before the first commit", false, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			gitIn(t, dir, "init", "-q", "-b", "main")
			sha := ""
			if tc.commit {
				writeIn(t, dir, "README.md", "hello\n")
				gitIn(t, dir, "add", "-A")
				gitIn(t, dir, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "first")
				sha = gitIn(t, dir, "rev-parse", "HEAD")
			}
			content := "region = eu-west-1\n"
			if tc.leak {
				content += "aws_access_key_id = " + key + "\n"
			}
			writeIn(t, dir, "src/app.conf", content)
			gitIn(t, dir, "add", "-A")
			if err := os.Remove(log); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}

			r := secretgate(t, env, "check", "--offline", "--staged", "--mode", "pre-commit", "--path", dir)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if tc.leak && !strings.Contains(r.stdout, "src/app.conf:2") {
				t.Errorf("the leak at src/app.conf:2 is not reported:\n%s", r.stdout)
			}
			if sha != "" && !strings.Contains(r.stdout, "commit "+sha[:12]) {
				t.Errorf("the report does not name commit %s:\n%s", sha[:12], r.stdout)
			}
			if sha == "" && strings.Contains(r.stdout, " · commit ") {
				t.Errorf("the report names a commit before the first one:\n%s", r.stdout)
			}
			b, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			calls := strings.Split(strings.TrimSpace(string(b)), "\n")
			revParse := 0
			for _, c := range calls {
				if strings.HasPrefix(c, "rev-parse") {
					revParse++
				}
			}
			if revParse != 1 || len(calls) > 3 {
				t.Errorf("%d git processes, %d of them rev-parse; want one rev-parse and at most 3 in all:\n%s", len(calls), revParse, b)
			}
		})
	}
}

// TestPreCommitGitSideBySide: a pre-commit run's git processes run side
// by side, not each after the other: the staged listing does not wait for
// the git rev-parse that says whether the directory is a work tree at all
// (its answer decides afterwards whether the listing counts), and the
// staged patch the leak scanner reads does not wait for the listing (it
// is started once the scope is known: leaks.Scanner.Prefetch). A git whose
// slow command takes a second shows it: the other starts before it ends.
func TestPreCommitGitSideBySide(t *testing.T) {
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		slow    string // "$1 $3" of the git command that takes a second
		slowEnd string // its line in the log when it ends
		other   string // the line of the command that must start before
	}{
		{"listing while asking", "rev-parse --show-toplevel", "end rev-parse --is-inside-work-tree --show-toplevel", "start diff --cached --raw"},
		{"patch while listing", "diff --raw", "end diff --cached --raw", "start -c core.quotePath=false diff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wrap := t.TempDir()
			log := filepath.Join(wrap, "calls.log")
			slow := "if [ \"$1 $3\" = '" + tc.slow + "' ]; then sleep 1; fi\n"
			script := "#!/bin/sh\n" +
				"echo \"start $1 $2 $3\" >> '" + log + "'\n" + slow +
				"'" + realGit + "' \"$@\"\nrc=$?\n" +
				"echo \"end $1 $2 $3\" >> '" + log + "'\nexit $rc\n"
			if err := os.WriteFile(filepath.Join(wrap, "git"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			env := []string{"PATH=" + wrap + string(os.PathListSeparator) + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull}
			dir := t.TempDir()
			gitIn(t, dir, "init", "-q", "-b", "main")
			writeIn(t, dir, "README.md", "hello\n")
			gitIn(t, dir, "add", "-A")
			gitIn(t, dir, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "first")
			writeIn(t, dir, "src/app.conf", "region = eu-west-1\n")
			gitIn(t, dir, "add", "-A")

			r := secretgate(t, env, "check", "--offline", "--staged", "--mode", "pre-commit", "--path", dir)
			if r.code != 0 || !strings.Contains(r.stdout, "leaks: ok (1 file)") {
				t.Fatalf("exit %d, want a clean pass of one file\n%s%s", r.code, r.stdout, r.stderr)
			}
			b, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			other, slowEnd := slices.Index(lines, tc.other), slices.Index(lines, tc.slowEnd)
			if other < 0 || slowEnd < 0 || other > slowEnd {
				t.Errorf("%q did not start before %q:\n%s", tc.other, tc.slowEnd, b)
			}
		})
	}
}
