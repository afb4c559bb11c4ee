package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func TestSyntheticHistory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "h")
	if err := SyntheticHistory(dir, 260); err != nil {
		t.Fatal(err)
	}
	if n := gitOut(t, dir, "rev-list", "--count", "HEAD"); n != "260" {
		t.Errorf("commits = %s, want 260", n)
	}
	// Commit 250 plants a token; the generator is deterministic.
	log := gitOut(t, dir, "log", "-p", "--format=", "-G", "ghp_")
	if strings.Count(log, "+const githubToken250") != 1 {
		t.Errorf("want exactly one planted token, in commit 250; log -G ghp_:\n%.400s", log)
	}
	if err := CommitOne(dir, "new.txt", "x\n"); err != nil {
		t.Fatal(err)
	}
	if n := gitOut(t, dir, "rev-list", "--count", "HEAD"); n != "261" {
		t.Errorf("after CommitOne: %s commits, want 261", n)
	}
}

func TestStagedRepo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	if err := StagedRepo(dir, 5, 10); err != nil {
		t.Fatal(err)
	}
	staged := strings.Fields(gitOut(t, dir, "diff", "--cached", "--name-only"))
	if len(staged) != 10 {
		t.Errorf("staged files = %d, want 10: %v", len(staged), staged)
	}
	if got := gitOut(t, dir, "diff", "--cached", "-G", "ghp_", "--name-only"); len(strings.Fields(got)) != 2 {
		t.Errorf("files planting a token = %q, want 2", got)
	}
}

func TestWritePolicies(t *testing.T) {
	dir := t.TempDir()
	n, err := WritePolicies(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no policy written")
	}
	tests, _ := filepath.Glob(filepath.Join(dir, "*", "*_test.rego"))
	if len(tests) > 0 {
		t.Errorf("tests copied: %v", tests)
	}
	if _, err := os.Stat(filepath.Join(dir, "main")); err != nil {
		t.Errorf("policies/main missing: %v", err)
	}
}
