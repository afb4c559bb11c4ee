package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// TestPreCommitHook runs secretgate the way a developer meets it: the
// pre-commit framework (the pre-commit on PATH, Debian's package in CI)
// installs the hook of this repository's .pre-commit-hooks.yaml with
// `language: golang` — it go-installs the current source tree, uncommitted
// changes included — and `git commit` in a throwaway repository runs it.
//
// Without pre-commit on PATH the test is skipped, unless CI is set: CI
// installs pre-commit (.ci/run), so a missing one there is a failure, never
// a silent skip.
func TestPreCommitHook(t *testing.T) {
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pre-commit is not on PATH and CI is set: .ci/run installs it (apt-get install pre-commit); %v", err)
		}
		t.Skip("pre-commit is not on PATH (apt-get install pre-commit, or pip install pre-commit); CI runs this test")
	}
	h := newHookSetup(t)

	t.Run("staged AWS key blocks the commit, naming file and line", func(t *testing.T) {
		dir := h.repo(t)
		key := leakstest.AWSKey(t)
		writeIn(t, dir, "config/prod/app.env", "region=eu-west-1\naws_access_key_id="+key+"\n")
		gitIn(t, dir, "add", "config/prod/app.env")
		out := h.commitFails(t, dir)
		for _, want := range []string{"- hook id: secretgate", "config/prod/app.env:2", "leaks-secret", "CRITICAL", "AKIA…"} {
			if !strings.Contains(out, want) {
				t.Errorf("commit output does not contain %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, key[4:]) || strings.Contains(out, key[:5]) {
			t.Errorf("commit output holds the key beyond its first four characters:\n%s", out)
		}
	})

	t.Run("key added by git commit -a blocks the commit", func(t *testing.T) {
		dir := h.repo(t)
		writeIn(t, dir, "README.md", "hello\naws_access_key_id="+leakstest.AWSKey(t)+"\n")
		out := h.commitFails(t, dir, "-a")
		if !strings.Contains(out, "README.md:2") {
			t.Errorf("commit output does not name README.md:2:\n%s", out)
		}
	})

	t.Run("clean commit passes", func(t *testing.T) {
		dir := h.repo(t)
		writeIn(t, dir, "docs/notes.md", "nothing secret here\n")
		writeIn(t, dir, "iam/read-app.json", readPolicy)
		gitIn(t, dir, "add", "-A")
		out := h.commitPasses(t, dir)
		if !strings.Contains(out, "Passed") {
			t.Errorf("pre-commit did not report the hook passed:\n%s", out)
		}
	})

	t.Run("waived finding passes", func(t *testing.T) {
		dir := h.repo(t)
		writeIn(t, dir, ".secretgate.yml", "waivers:\n"+
			"  - rule: leaks-secret\n"+
			"    resource: \"config/prod/app.env\"\n"+
			"    reason: \"throwaway key of the pre-commit test\"\n"+
			"    owner: secretgate-maintainers\n"+
			"    expires: "+time.Now().AddDate(1, 0, 0).Format(time.DateOnly)+"\n")
		writeIn(t, dir, "config/prod/app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
		gitIn(t, dir, "add", "-A")
		h.commitPasses(t, dir)
	})

	t.Run("SKIP=secretgate skips it once", func(t *testing.T) {
		dir := h.repo(t)
		writeIn(t, dir, "config/prod/app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
		gitIn(t, dir, "add", "-A")
		out := h.commitPasses(t, dir, "SKIP=secretgate")
		if !strings.Contains(out, "Skipped") {
			t.Errorf("pre-commit did not report the hook skipped:\n%s", out)
		}
	})

	t.Run("staged trust policy any repository can assume blocks the commit", func(t *testing.T) {
		dir := h.repo(t)
		writeIn(t, dir, "iam/deploy-trust.json", openTrustPolicy)
		gitIn(t, dir, "add", "-A")
		out := h.commitFails(t, dir)
		for _, want := range []string{"iam/deploy-trust.json:4", "trust-oidc-any-org"} {
			if !strings.Contains(out, want) {
				t.Errorf("commit output does not contain %q:\n%s", want, out)
			}
		}
	})

	t.Run("the installed-binary hook runs the secretgate on PATH, building nothing", func(t *testing.T) {
		sys := *h
		sys.env = slices.Concat(h.env, []string{"PATH=" + filepath.Dir(binary) + string(os.PathListSeparator) + os.Getenv("PATH")})
		dir := sys.repoWith(t, "secretgate-system")
		writeIn(t, dir, "config/prod/app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
		gitIn(t, dir, "add", "-A")
		out, took, err := sys.commit(t, dir)
		if err == nil || !strings.Contains(out, "- hook id: secretgate-system") || !strings.Contains(out, "config/prod/app.env:1") {
			t.Errorf("commit with a key through secretgate-system: err %v\n%s", err, out)
		}
		t.Logf("first commit through the installed-binary hook: %s", took.Round(time.Millisecond))
	})

	t.Run("bad trust policy in the working tree only does not block", func(t *testing.T) {
		dir := h.repo(t)
		// Never staged (pre-commit stashes unstaged changes to tracked
		// files before the hook runs, but leaves untracked files).
		writeIn(t, dir, "iam/draft-trust.json", openTrustPolicy)
		writeIn(t, dir, "docs/notes.md", "work in progress\n")
		gitIn(t, dir, "add", "docs/notes.md")
		h.commitPasses(t, dir)
	})
}

// openTrustPolicy lets any GitHub repository assume the role ("sub": "*";
// its statement starts on line 4).
const openTrustPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "*"}
      }
    }
  ]
}
`

const readPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-assets/*"}]
}
`

// hookSetup is what the subtests share: a git repository holding the
// current source tree at one commit, and a PRE_COMMIT_HOME in which
// pre-commit has built the hook from it (once).
type hookSetup struct {
	env      []string
	src, rev string
}

func newHookSetup(t *testing.T) *hookSetup {
	t.Helper()
	h := &hookSetup{env: hookEnv(t)}
	h.src = filepath.Join(t.TempDir(), "secretgate")
	copySourceTree(t, h.src)
	h.git(t, h.src, "init", "-q", "-b", "main")
	h.git(t, h.src, "add", "-A")
	h.git(t, h.src, "commit", "-q", "--no-verify", "-m", "secretgate under test")
	h.rev = strings.TrimSpace(h.git(t, h.src, "rev-parse", "HEAD"))

	// Build the hook once, in a repository of its own, so that no subtest
	// pays for (or times) the go install.
	dir := h.repo(t)
	timeout := 15 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = time.Until(d) - 30*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "pre-commit", "install-hooks")
	cmd.Dir, cmd.Env = dir, h.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pre-commit install-hooks (go install of the hook): %v\n%s", err, out)
	}
	t.Logf("pre-commit built the hook in %s", time.Since(start).Round(time.Millisecond))
	return h
}

// hookEnv is the environment of pre-commit and git: the caller's, minus
// anything git or pre-commit would take from an outer hook or the user's
// configuration, with the Go caches reused (GOMODCACHE: pre-commit points
// GOPATH at its own directory, which would download every module again).
func hookEnv(t *testing.T) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "PRE_COMMIT") || k == "SKIP" || k == "GOFLAGS" || k == "GOMODCACHE" || k == "GOCACHE" {
			continue
		}
		env = append(env, kv)
	}
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	return append(env,
		"GOFLAGS=-mod=mod",
		"GOMODCACHE="+goEnv("GOMODCACHE"),
		"GOCACHE="+goEnv("GOCACHE"),
		"PRE_COMMIT_HOME="+t.TempDir(),
		"NO_COLOR=1",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Test User", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test User", "GIT_COMMITTER_EMAIL=test@example.com",
	)
}

// copySourceTree copies the files of this module's working tree that git
// would see (tracked and not ignored, as they are now) to dst.
func copySourceTree(t *testing.T, dst string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("list the source tree (git ls-files in %s): %v", root, err)
	}
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, filepath.FromSlash(rel))
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the working tree, or not a plain file
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, fi.Mode().Perm()|fs.FileMode(0o200)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, ".pre-commit-hooks.yaml")); err != nil {
		t.Fatalf("the source tree has no .pre-commit-hooks.yaml: %v", err)
	}
}

// repo makes a repository whose .pre-commit-config.yaml uses the hook,
// with one commit, and installs pre-commit's git hook in it.
func (h *hookSetup) repo(t *testing.T) string { return h.repoWith(t, "secretgate") }

// repoWith is repo with the hook of id hookID.
func (h *hookSetup) repoWith(t *testing.T, hookID string) string {
	t.Helper()
	dir := t.TempDir()
	h.git(t, dir, "init", "-q", "-b", "main")
	writeIn(t, dir, ".pre-commit-config.yaml", "repos:\n"+
		"  - repo: "+h.src+"\n"+
		"    rev: "+h.rev+"\n"+
		"    hooks:\n"+
		"      - id: "+hookID+"\n")
	writeIn(t, dir, "README.md", "hello\n")
	h.git(t, dir, "add", "-A")
	h.git(t, dir, "commit", "-q", "--no-verify", "-m", "init")
	cmd := exec.Command("pre-commit", "install")
	cmd.Dir, cmd.Env = dir, h.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pre-commit install: %v\n%s", err, out)
	}
	return dir
}

func (h *hookSetup) git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, h.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// commit runs git commit (pre-commit's hook included) with extra
// environment variables (NAME=value) and git commit flags (-a).
func (h *hookSetup) commit(t *testing.T, dir string, extra ...string) (string, time.Duration, error) {
	t.Helper()
	args := []string{"commit", "-m", "change"}
	env := h.env
	for _, e := range extra {
		if strings.HasPrefix(e, "-") {
			args = append(args, e)
		} else {
			env = append(env[:len(env):len(env)], e)
		}
	}
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	return string(out), time.Since(start), err
}

func (h *hookSetup) commitFails(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	head := h.git(t, dir, "rev-parse", "HEAD")
	out, took, err := h.commit(t, dir, extra...)
	if err == nil {
		t.Fatalf("git commit succeeded, want it blocked by the hook:\n%s", out)
	}
	if h.git(t, dir, "rev-parse", "HEAD") != head {
		t.Fatal("a commit was made")
	}
	if !strings.Contains(out, "Failed") {
		t.Errorf("pre-commit did not report the hook failed:\n%s", out)
	}
	t.Logf("blocked in %s", took.Round(time.Millisecond))
	return out
}

func (h *hookSetup) commitPasses(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	out, took, err := h.commit(t, dir, extra...)
	if err != nil {
		t.Fatalf("git commit: %v, want it to pass:\n%s", err, out)
	}
	t.Logf("committed in %s", took.Round(time.Millisecond))
	return out
}

// TestStagedPolicyFiles: with --staged the naming, trust and IAM rules
// judge the policy files in the index, not the working files.
func TestStagedPolicyFiles(t *testing.T) {
	stagedBad := leakRepo(t) // staged open trust policy, working copy fixed
	writeIn(t, stagedBad, "iam/deploy-trust.json", openTrustPolicy)
	gitIn(t, stagedBad, "add", "-A")
	writeIn(t, stagedBad, "iam/deploy-trust.json", readPolicy)

	workingBad := leakRepo(t) // staged policy fine, the open one only in the working tree
	writeIn(t, workingBad, "iam/read-app.json", readPolicy)
	gitIn(t, workingBad, "add", "-A")
	writeIn(t, workingBad, "iam/read-app.json", openTrustPolicy)
	writeIn(t, workingBad, "iam/draft-trust.json", openTrustPolicy)

	deleted := leakRepo(t) // an open trust policy committed earlier, deleted now
	writeIn(t, deleted, "iam/deploy-trust.json", openTrustPolicy)
	gitIn(t, deleted, "add", "-A")
	gitIn(t, deleted, "commit", "-q", "-m", "open")
	gitIn(t, deleted, "rm", "-q", "iam/deploy-trust.json")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
	}{
		{"staged bad policy is judged from the index", []string{"--path", stagedBad}, 1, []string{"iam/deploy-trust.json:4", "trust-oidc-any-org", "trust: failed (1 role"}},
		{"without --staged the working copy is judged", []string{"--path", stagedBad, "--only", "trust"}, 0, []string{"trust: no input — nothing to judge"}},
		{"bad policy in the working tree only is not judged", []string{"--path", workingBad}, 0, []string{"iam: ok (1 policy)", "trust: no input — nothing to judge"}},
		{"deleted policy is ignored", []string{"--path", deleted}, 0, []string{"trust: no input — nothing to judge"}},
		{"--staged without leaks still judges the index", []string{"--path", stagedBad, "--skip", "leaks"}, 1, []string{"iam/deploy-trust.json:4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"check", "--offline", "--now", now}
			if !strings.Contains(tc.name, "without --staged") {
				args = append(args, "--staged", "--mode", "pre-commit")
			}
			r := secretgate(t, nil, append(args, tc.args...)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tc.wantStdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, r.stdout)
				}
			}
		})
	}

	r := secretgate(t, nil, "check", "--offline", "--staged", "--skip", "leaks", "--path", t.TempDir())
	if r.code != 2 || !strings.Contains(r.stderr, "--staged needs a git repository") {
		t.Errorf("--staged outside git: exit %d, stderr %q; want 2 and what to do", r.code, r.stderr)
	}
}
