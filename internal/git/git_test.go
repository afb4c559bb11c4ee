package git

import (
	"context"
	"errors"
	"os/exec"
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
