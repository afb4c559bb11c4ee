package leaks

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Tests run real git in repositories made in t.TempDir(). The user's and
// the system's git configuration are kept out, so that a developer's
// settings (colour, signing, hooks) cannot change what the tests see.
func TestMain(m *testing.M) {
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	os.Exit(m.Run())
}

// repo is a git repository in a temporary directory.
type repo struct {
	t   testing.TB
	dir string
}

func newRepo(t testing.TB) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.git("config", "user.name", "Test User")
	r.git("config", "user.email", "test@example.com")
	r.git("config", "commit.gpgsign", "false")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, nil, args...)
}

func runGit(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) write(rel, content string) {
	r.t.Helper()
	writeFile(r.t, r.dir, rel, content)
}

func writeFile(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// commit stages everything and commits it as author; it returns the
// commit id.
func (r *repo) commit(msg, author string) string {
	r.t.Helper()
	r.git("add", "-A")
	runGit(r.t, r.dir, []string{
		"GIT_AUTHOR_NAME=" + author, "GIT_AUTHOR_EMAIL=" + strings.ToLower(strings.ReplaceAll(author, " ", ".")) + "@example.com",
	}, "commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// scan resolves scope in dir and scans it with the gitleaks detector of
// dir (its .gitleaks.toml and .gitleaksignore, if any).
func scan(t testing.TB, dir string, scope Scope) *Result {
	t.Helper()
	res, err := scanErr(t, dir, scope, nil)
	if err != nil {
		t.Fatalf("scan %s: %v", scope, err)
	}
	return res
}

func scanErr(t testing.TB, dir string, scope Scope, tweak func(*Scanner)) (*Result, error) {
	t.Helper()
	ctx := context.Background()
	target, err := Resolve(ctx, dir, scope)
	if err != nil {
		return nil, err
	}
	det, err := LoadGitleaks(dir)
	if err != nil {
		return nil, err
	}
	ig, err := LoadIgnore(dir)
	if err != nil {
		return nil, err
	}
	s := &Scanner{Detector: det, Ignore: ig}
	if tweak != nil {
		tweak(s)
	}
	return s.Scan(ctx, target)
}

// where lists findings as "file:line rule" for failure messages and
// comparisons.
func where(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.File+":"+strconv.Itoa(f.Line)+" "+f.RuleID)
	}
	return out
}

// awsFindings returns the findings of gitleaks' AWS access key rule.
func awsFindings(res *Result) []Finding {
	var out []Finding
	for _, f := range res.Findings {
		if f.RuleID == "aws-access-token" {
			out = append(out, f)
		}
	}
	return out
}
