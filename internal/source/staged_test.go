package source

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// openTrust is a GitHub OIDC trust policy any repository can assume.
const openTrust = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "*"}}
  }]
}
`

// readOnly is a permission policy.
const readOnly = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
`

func gitT(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func put(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitT(t, dir, "init", "-q", "-b", "main")
	return dir
}

func trustFiles(res *Result) []string {
	var files []string
	for _, r := range res.Roles {
		if r.Trust != nil {
			files = append(files, r.Location.File)
		}
	}
	return files
}

func policyFiles(res *Result) []string {
	var files []string
	for _, p := range res.Policies {
		files = append(files, p.Location.File)
	}
	return files
}

func TestScanStaged(t *testing.T) {
	dir := gitRepo(t)
	put(t, dir, "iam/committed-trust.json", openTrust) // committed, unchanged: not this commit's
	put(t, dir, "iam/deleted.json", readOnly)
	put(t, dir, "iam/renamed-from.json", readOnly)
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "init")

	// Staged bad, working copy clean: judged from the index.
	put(t, dir, "iam/deploy-trust.json", openTrust)
	gitT(t, dir, "add", "iam/deploy-trust.json")
	put(t, dir, "iam/deploy-trust.json", readOnly)
	// Bad in the working tree only, never staged: not judged.
	put(t, dir, "iam/unstaged-trust.json", openTrust)
	// Deleted from the index: ignored.
	gitT(t, dir, "rm", "-q", "iam/deleted.json")
	// Renamed: judged under its new name.
	gitT(t, dir, "mv", "iam/renamed-from.json", "iam/renamed-to.json")
	// Staged but excluded, below vendor/, or not a candidate.
	put(t, dir, "fixtures/open-trust.json", openTrust)
	put(t, dir, "vendor/x/trust.json", openTrust)
	put(t, dir, "notes.txt", openTrust)
	gitT(t, dir, "add", "fixtures", "vendor", "notes.txt")

	res, err := ScanStaged(context.Background(), dir, Options{Exclude: []string{"fixtures/**"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := trustFiles(res); len(got) != 1 || got[0] != "iam/deploy-trust.json" {
		t.Errorf("trust policies from %v, want only the staged iam/deploy-trust.json", got)
	}
	if got := policyFiles(res); len(got) != 1 || got[0] != "iam/renamed-to.json" {
		t.Errorf("permission policies from %v, want only iam/renamed-to.json", got)
	}
	if res.Files != 2 || len(res.Errors) != 0 || len(res.Skipped) != 0 {
		t.Errorf("files %d, errors %v, skipped %v", res.Files, res.Errors, res.Skipped)
	}
}

func TestScanStagedFirstCommitAndSubdirectory(t *testing.T) {
	dir := gitRepo(t)
	put(t, dir, "infra/iam/trust.json", openTrust)
	put(t, dir, "other/trust.json", openTrust)
	gitT(t, dir, "add", "-A")

	res, err := ScanStaged(context.Background(), filepath.Join(dir, "infra"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := trustFiles(res); len(got) != 1 || got[0] != "iam/trust.json" {
		t.Errorf("trust policies from %v, want iam/trust.json relative to the subdirectory", got)
	}
}

func TestScanStagedNothingStaged(t *testing.T) {
	dir := gitRepo(t)
	put(t, dir, "trust.json", openTrust)
	res, err := ScanStaged(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 0 || len(res.Roles) != 0 {
		t.Errorf("read %d files, %d roles from an empty index", res.Files, len(res.Roles))
	}
}

func TestScanStagedProblems(t *testing.T) {
	dir := gitRepo(t)
	put(t, dir, "broken.json", `{"Version": "2012-10-17", "Statement": [`)
	put(t, dir, "big-trust.json", openTrust+strings.Repeat(" ", 2048))
	put(t, dir, "big-data.json", `{"data": "`+strings.Repeat("x", 2048)+`"}`)
	gitT(t, dir, "add", "-A")

	res, err := ScanStaged(context.Background(), dir, Options{MaxFileBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 2 || res.Errors[0].File != "big-trust.json" || !strings.Contains(res.Errors[0].Message, "not judged") ||
		res.Errors[1].File != "broken.json" || res.Errors[1].Line == 0 {
		t.Errorf("errors %+v, want the oversized policy and the broken file with its line", res.Errors)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].File != "big-data.json" {
		t.Errorf("skipped %+v, want big-data.json", res.Skipped)
	}
}

func TestScanStagedOutsideGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	_, err := ScanStaged(context.Background(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("err = %v, want git's 'not a git repository'", err)
	}
	if _, err := ScanStaged(context.Background(), dir, Options{Exclude: []string{"["}}); err == nil || !strings.Contains(err.Error(), "invalid exclude") {
		t.Errorf("err = %v, want invalid exclude pattern", err)
	}
}

// A StagedIndex lists the index once for StagedCandidates and ScanStaged
// of one run: a file staged after the first listing is not seen through
// it (the listing was shared), while calls without one, or with one of
// another root, list the index anew.
func TestStagedIndexListsOnce(t *testing.T) {
	dir := gitRepo(t)
	put(t, dir, "README.md", "hello\n")
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "init")
	put(t, dir, "iam/first-trust.json", openTrust)
	gitT(t, dir, "add", "-A")

	ctx := context.Background()
	shared := Options{Staged: NewStagedIndex(dir)}
	files, err := StagedCandidates(ctx, dir, shared)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0] != "iam/first-trust.json" {
		t.Fatalf("candidates %v, want iam/first-trust.json", files)
	}
	put(t, dir, "iam/second-trust.json", openTrust)
	gitT(t, dir, "add", "-A")

	res, err := ScanStaged(ctx, dir, shared)
	if err != nil {
		t.Fatal(err)
	}
	if got := trustFiles(res); len(got) != 1 || got[0] != "iam/first-trust.json" {
		t.Errorf("with the shared listing: trust policies from %v, want only iam/first-trust.json", got)
	}
	for name, opts := range map[string]Options{
		"no index":              {},
		"an index of elsewhere": {Staged: NewStagedIndex(t.TempDir())},
	} {
		res, err := ScanStaged(ctx, dir, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := trustFiles(res); len(got) != 2 {
			t.Errorf("%s: trust policies from %v, want both staged files", name, got)
		}
	}
}
