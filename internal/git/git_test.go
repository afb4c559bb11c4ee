package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
}

// newRepo makes a repository with one commit and returns its directory.
func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first"},
	} {
		if out, err := Command(context.Background(), dir, args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func TestHeadSHA(t *testing.T) {
	needGit(t)
	ctx := context.Background()
	repo := newRepo(t)
	sha, err := HeadSHA(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(sha) != 40 && len(sha) != 64 {
		t.Errorf("HeadSHA = %q, want a full sha", sha)
	}
	if _, err := HeadSHA(ctx, t.TempDir()); err == nil {
		t.Error("HeadSHA outside a repository: no error")
	}
}

func TestOutputErrors(t *testing.T) {
	needGit(t)
	ctx := context.Background()
	repo := newRepo(t)
	tests := []struct {
		name string
		dir  string // "" for a directory outside any repository
		args []string
		want string // in the error's text
	}{
		{"git's message", repo, []string{"rev-parse", "--verify", "no-such-ref"}, "git rev-parse: fatal: Needed a single revision"},
		{"outside a repository", "", []string{"log"}, "git log: fatal: not a git repository"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = t.TempDir()
			}
			_, err := Output(ctx, dir, tc.args...)
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			if strings.Contains(ge.Stderr, "\n") {
				t.Errorf("Stderr %q is more than one line", ge.Stderr)
			}
		})
	}
}

func TestOutputEndedContext(t *testing.T) {
	needGit(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Output(ctx, t.TempDir(), "version"); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestErrorReason(t *testing.T) {
	exit := errors.New("exit status 128")
	tests := []struct {
		e    Error
		want string
	}{
		{Error{Args: []string{"ls-files"}, Stderr: "fatal: bad", Err: exit}, "git ls-files: fatal: bad"},
		{Error{Args: []string{"ls-files"}, Err: exit}, "git ls-files: exit status 128"},
		{Error{Args: []string{"cat-file"}, Err: exec.ErrNotFound}, "git cat-file: " + exec.ErrNotFound.Error()},
	}
	for _, tc := range tests {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	if e := (&Error{Err: exec.ErrNotFound}); !errors.Is(e, exec.ErrNotFound) {
		t.Error("errors.Is(*Error, exec.ErrNotFound) = false")
	}
}

func TestMessage(t *testing.T) {
	long := strings.Repeat("x", maxMessage+10)
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"fatal: not a git repository\nhint: run\tgit init\n", "fatal: not a git repository hint: run git init"},
		{long, long[:maxMessage] + "…"},
	}
	for _, tc := range tests {
		if got := Message(tc.in); got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDescribe: one git rev-parse gives what each fact's own command gave:
// the work tree's top, the directory's prefix, shallowness, the object
// directory (absolute, from a subdirectory too) and HEAD (none
// before the first commit); in a .git directory ErrNoWorkTree with git's
// message, outside a repository git's message.
func TestDescribe(t *testing.T) {
	needGit(t)
	ctx := context.Background()
	repo := newRepo(t)
	if err := os.MkdirAll(filepath.Join(repo, "sub", "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	head, err := Output(ctx, repo, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	top, err := Output(ctx, repo, "rev-parse", "--show-toplevel")
	if err != nil {
		t.Fatal(err)
	}
	unborn := t.TempDir()
	if out, err := Command(ctx, unborn, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	unbornTop, err := Output(ctx, unborn, "rev-parse", "--show-toplevel")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		want    Repo
		wantErr string // in the error's text; "" for none
		noTree  bool   // errors.Is(err, ErrNoWorkTree)
	}{
		{"top level", repo, Repo{InWorkTree: true, Top: strings.TrimSpace(string(top)), Objects: filepath.Join(repo, ".git", "objects"), Head: strings.TrimSpace(string(head))}, "", false},
		{"below it", filepath.Join(repo, "sub", "dir"), Repo{InWorkTree: true, Top: strings.TrimSpace(string(top)), Prefix: "sub/dir/", Objects: filepath.Join(repo, ".git", "objects"), Head: strings.TrimSpace(string(head))}, "", false},
		{"before the first commit", unborn, Repo{InWorkTree: true, Top: strings.TrimSpace(string(unbornTop)), Objects: filepath.Join(unborn, ".git", "objects")}, "", false},
		{"in the .git directory", filepath.Join(repo, ".git"), Repo{}, "git rev-parse: fatal: this operation must be run in a work tree", true},
		{"outside a repository", t.TempDir(), Repo{}, "git rev-parse: fatal: not a git repository", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Describe(ctx, tc.dir)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Describe = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var ge *Error
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &ge) {
				t.Fatalf("Describe error = %v, want a git error with %q", err, tc.wantErr)
			}
			if errors.Is(err, ErrNoWorkTree) != tc.noTree {
				t.Errorf("errors.Is(err, ErrNoWorkTree) = %v, want %v", !tc.noTree, tc.noTree)
			}
		})
	}
	t.Run("HeadSHA in the .git directory", func(t *testing.T) {
		sha, err := HeadSHA(ctx, filepath.Join(repo, ".git"))
		if err != nil || sha != strings.TrimSpace(string(head)) {
			t.Errorf("HeadSHA = %q, %v; want %s", sha, err, head)
		}
	})
	t.Run("HeadSHA before the first commit", func(t *testing.T) {
		if sha, err := HeadSHA(ctx, unborn); err == nil {
			t.Errorf("HeadSHA = %q, want an error", sha)
		}
	})
}

// TestDescribeMemo: within WithMemo's context a directory is described
// once: a commit made meanwhile is not seen, as by a run that asked at its
// start. Without it, every call asks git.
func TestDescribeMemo(t *testing.T) {
	needGit(t)
	repo := newRepo(t)
	commit := func() {
		t.Helper()
		if out, err := Command(context.Background(), repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "next").CombinedOutput(); err != nil {
			t.Fatalf("git commit: %v\n%s", err, out)
		}
	}
	ctx := WithMemo(context.Background())
	first, err := Describe(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	commit()
	if again, err := Describe(ctx, repo); err != nil || again != first {
		t.Errorf("memoised Describe = %+v, %v; want %+v", again, err, first)
	}
	fresh, err := Describe(context.Background(), repo)
	if err != nil || fresh.Head == first.Head {
		t.Errorf("Describe without memo = %+v, %v; want the new commit", fresh, err)
	}
}
