package judge

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// repoWith makes a repository with one commit holding files and returns it
// and the commit.
func repoWith(t *testing.T, files map[string]string) (dir, commit string) {
	t.Helper()
	dir = t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	write(t, dir, files)
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "base")
	return dir, gitIn(t, dir, "rev-parse", "HEAD")
}

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOpenExtractsTheJudgeAtTheCommit(t *testing.T) {
	dir, base := repoWith(t, map[string]string{
		".secretgate.yml":   "fail_on: high\n",
		".gitleaksignore":   "a.env:aws-access-token:1\n",
		"policy/acme.rego":  "package acme\n",
		"policy/x/y.rego":   "package y\n",
		"src/app.go":        "package app\n",
		"policy [x]/a.rego": "package glob\n",
	})
	// The checkout moves on: the judge still comes from base.
	write(t, dir, map[string]string{".secretgate.yml": "fail_on: never\n", "policy/acme.rego": "package changed\n"})
	gitIn(t, dir, "commit", "-q", "-am", "head")

	b, err := Open(context.Background(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Commit != base {
		t.Errorf("Commit = %s, want %s", b.Commit, base)
	}
	if err := b.Extract(context.Background(), "policy", "policy [x]", "missing"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		".secretgate.yml":   "fail_on: high\n",
		".gitleaksignore":   "a.env:aws-access-token:1\n",
		"policy/acme.rego":  "package acme\n",
		"policy/x/y.rego":   "package y\n",
		"policy [x]/a.rego": "package glob\n",
	}
	if diff := cmp.Diff(want, readAll(t, b.Dir)); diff != "" {
		t.Errorf("extracted files (-want +got):\n%s", diff)
	}
	files := b.Files()
	slices.Sort(files)
	if diff := cmp.Diff([]string{".gitleaksignore", ".secretgate.yml", "policy [x]/a.rego", "policy/acme.rego", "policy/x/y.rego"}, files); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	dirGone := b.Dir
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dirGone); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s: %v", dirGone, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Run("a symbolic link", func(t *testing.T) {
		dir, _ := repoWith(t, nil)
		if err := os.Symlink("/proc/self/environ", filepath.Join(dir, ".gitleaksignore")); err != nil {
			t.Fatal(err)
		}
		gitIn(t, dir, "add", "-A")
		gitIn(t, dir, "commit", "-q", "-m", "link")
		_, err := Open(context.Background(), dir, "HEAD")
		if err == nil || !strings.Contains(err.Error(), ".gitleaksignore is a symbolic link") {
			t.Fatalf("err = %v, want a refused symbolic link", err)
		}
	})
	t.Run("a commit the clone lacks", func(t *testing.T) {
		dir, _ := repoWith(t, nil)
		_, err := Open(context.Background(), dir, "0123456789012345678901234567890123456789")
		if err == nil || !strings.Contains(err.Error(), "not in this clone") {
			t.Fatalf("err = %v, want a missing commit", err)
		}
	})
	t.Run("a path leaving the repository", func(t *testing.T) {
		dir, base := repoWith(t, nil)
		b, err := Open(context.Background(), dir, base)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if err := b.Extract(context.Background(), "../etc"); err == nil {
			t.Fatal("Extract(../etc) succeeded")
		}
	})
}

func TestChangedNamesTheEditedJudgeFiles(t *testing.T) {
	dir, base := repoWith(t, map[string]string{
		".secretgate.yml":  "fail_on: high\n",
		"policy/acme.rego": "package acme\n",
		"policy/same.rego": "package same\n",
		"src/app.go":       "package app\n",
	})
	write(t, dir, map[string]string{
		".secretgate.yml":  "fail_on: never\n",
		".gitleaksignore":  "x:y:1\n", // untracked: the checkout holds it all the same
		"policy/new.rego":  "package added\n",
		"src/app.go":       "package changed\n", // not a judge file
		"policy/acme.rego": "package acme\n",    // rewritten, unchanged
	})
	gitIn(t, dir, "add", "policy/new.rego")
	if err := os.Remove(filepath.Join(dir, "policy/same.rego")); err != nil {
		t.Fatal(err)
	}
	b, err := Open(context.Background(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.Changed(context.Background(), []string{".secretgate.yml", ".gitleaksignore", ".gitleaks.toml", "policy"})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{".gitleaksignore", ".secretgate.yml", "policy/new.rego", "policy/same.rego"}, got); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
}

func TestExplainNamesTheCommit(t *testing.T) {
	dir, base := repoWith(t, map[string]string{".secretgate.yml": "x: 1\n"})
	b, err := Open(context.Background(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	inner := errors.New(filepath.Join(b.Dir, ".secretgate.yml") + ":1:1: unknown key x")
	got := b.Explain(inner)
	if want := base[:12] + ":.secretgate.yml:1:1: unknown key x"; got.Error() != want {
		t.Errorf("Explain = %q, want %q", got, want)
	}
	if !errors.Is(got, inner) {
		t.Error("Explain lost the error chain")
	}
	if rel, ok := b.Rel(filepath.Join(b.Dir, "policy", "a.rego")); !ok || rel != "policy/a.rego" {
		t.Errorf("Rel = %q, %v", rel, ok)
	}
	if _, ok := b.Rel("/etc/policies"); ok {
		t.Error("Rel accepted a path outside the extracted judge")
	}
}

func TestPathsFollowWhatTheJudgeFilesName(t *testing.T) {
	dir, base := repoWith(t, map[string]string{
		"ci/secretgate.yml":     "policies: [../policy, /opt/shared-policies, ../../outside]\n",
		"policy/a.rego":         "package a\n",
		".gitleaks.toml":        "[extend]\npath = \"ci/gitleaks-base.toml\"\n",
		"ci/gitleaks-base.toml": "title = \"base\"\n",
	})
	// The change names another policy directory of its own.
	write(t, dir, map[string]string{"ci/secretgate.yml": "policies: [../policy, ../mine]\n", "mine/quiet.rego": "package quiet\n"})
	b, err := Open(context.Background(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Extract(context.Background(), "ci/secretgate.yml"); err != nil {
		t.Fatal(err)
	}
	if err := b.ExtractReferenced(context.Background(), "ci/secretgate.yml"); err != nil {
		t.Fatal(err)
	}
	files := b.Files()
	slices.Sort(files)
	if diff := cmp.Diff([]string{".gitleaks.toml", "ci/gitleaks-base.toml", "ci/secretgate.yml", "policy/a.rego"}, files); diff != "" {
		t.Errorf("extracted (-want +got):\n%s", diff)
	}
	paths := b.Paths(dir, "ci/secretgate.yml")
	for _, want := range []string{".secretgate.yml", ".gitleaksignore", "ci/secretgate.yml", "policy", "mine", "ci/gitleaks-base.toml"} {
		if !slices.Contains(paths, want) {
			t.Errorf("Paths = %v, want it to hold %s", paths, want)
		}
	}
	for _, never := range []string{"/opt/shared-policies", "../outside", "outside"} {
		if slices.Contains(paths, never) {
			t.Errorf("Paths = %v holds %s, outside the repository", paths, never)
		}
	}
	changed, err := b.Changed(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(changed)
	if diff := cmp.Diff([]string{"ci/secretgate.yml", "mine/quiet.rego"}, changed); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
}

// The base branch moving on does not make its judge changes the pull
// request's: a checkout of the pull request's head is compared with the
// point it branched off.
func TestChangedIgnoresWhatTheBaseDidSince(t *testing.T) {
	dir, fork := repoWith(t, map[string]string{".secretgate.yml": "fail_on: high\n"})
	write(t, dir, map[string]string{".gitleaksignore": "x:y:1\n"})
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "main moves on")
	base := gitIn(t, dir, "rev-parse", "HEAD")
	gitIn(t, dir, "checkout", "-q", "-b", "feature", fork)
	write(t, dir, map[string]string{".secretgate.yml": "fail_on: never\n"})
	gitIn(t, dir, "commit", "-q", "-am", "the pull request")

	b, err := Open(context.Background(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.Changed(context.Background(), FixedFiles)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{".secretgate.yml"}, got); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
	// The judge itself is the base's, newer ignore file included.
	if _, err := os.Stat(filepath.Join(b.Dir, ".gitleaksignore")); err != nil {
		t.Errorf("the base's .gitleaksignore was not extracted: %v", err)
	}
}

// The checked directory may be a subdirectory of the repository (--path
// svc): its judge files are its own, at the base as in the checkout.
func TestJudgeOfASubdirectory(t *testing.T) {
	dir, base := repoWith(t, map[string]string{
		".secretgate.yml":     "fail_on: never\n",
		"svc/.secretgate.yml": "fail_on: high\n",
	})
	svc := filepath.Join(dir, "svc")
	write(t, dir, map[string]string{"svc/.gitleaksignore": "x:y:1\n"})
	b, err := Open(context.Background(), svc, base)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if diff := cmp.Diff(map[string]string{".secretgate.yml": "fail_on: high\n"}, readAll(t, b.Dir)); diff != "" {
		t.Errorf("extracted (-want +got):\n%s", diff)
	}
	got, err := b.Changed(context.Background(), FixedFiles)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{".gitleaksignore"}, got); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
}

// A checked directory reached through a symbolic link inside the
// repository is refused: the change could make app a link to legacy and
// be judged by legacy's base configuration. A link outside the repository
// is the user's own and followed.
func TestCheckedDirectoryThroughALink(t *testing.T) {
	dir, base := repoWith(t, map[string]string{
		"app/.secretgate.yml":    "fail_on: high\n",
		"legacy/.secretgate.yml": "fail_on: never\n",
	})
	if err := os.RemoveAll(filepath.Join(dir, "app")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("legacy", filepath.Join(dir, "app")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), filepath.Join(dir, "app"), base); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Open through app -> legacy: err = %v, want a refusal", err)
	}
	outside := filepath.Join(t.TempDir(), "legacy-link")
	if err := os.Symlink(filepath.Join(dir, "legacy"), outside); err != nil {
		t.Fatal(err)
	}
	b, err := Open(context.Background(), outside, base)
	if err != nil {
		t.Fatalf("Open through a link outside the repository: %v", err)
	}
	defer b.Close()
	if got := readAll(t, b.Dir)[".secretgate.yml"]; got != "fail_on: never\n" {
		t.Errorf("judge through the outside link = %q, want legacy's", got)
	}
}

// The checkout's judge files are read as regular files inside it: a link
// to /dev/zero or out of the repository names nothing (and hangs nothing).
func TestReferencedReadsRegularFilesOnly(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"gl/a.toml": "[extend]\npath = \"gl/b.toml\"\n"})
	if err := os.Symlink("/dev/zero", filepath.Join(dir, ".secretgate.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, ".gitleaks.toml")); err != nil {
		t.Fatal(err)
	}
	if got := Referenced(dir, ".secretgate.yml"); len(got) != 0 {
		t.Errorf("Referenced = %v, want nothing from links to /dev/zero", got)
	}
}

// TestReferencedParametersFile: the CloudFormation parameter values the
// configuration names change verdicts, so the file is part of the judge.
func TestReferencedParametersFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"ci/.secretgate.yml":   "cloudformation_parameters: ../deploy/params.json\npolicies: [rules]\n",
		"deploy/params.json":   "{}",
		"ci/rules/custom.rego": "package x\n",
	})
	got := Referenced(dir, "ci/.secretgate.yml")
	if !slices.Contains(got, "deploy/params.json") || !slices.Contains(got, "ci/rules") {
		t.Errorf("Referenced = %v, want the parameters file and the policy directory", got)
	}
}
