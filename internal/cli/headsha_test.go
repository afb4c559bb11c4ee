package cli

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestHeadSHA holds the report's commit to GITHUB_SHA when Actions sets it,
// otherwise to the repository's HEAD, and proves the git call honours the
// run's context: once the context is cancelled no commit is reported.
func TestHeadSHA(t *testing.T) {
	repo := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q"},
		{"commit", "-q", "--allow-empty", "-m", "first"},
	} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(string(out))

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	const actionsSHA = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		ctx  context.Context
		root string
		env  map[string]string
		want string
	}{
		{"GITHUB_SHA wins", context.Background(), repo, map[string]string{"GITHUB_SHA": actionsSHA}, actionsSHA},
		{"HEAD of the repository", context.Background(), repo, nil, head},
		{"not a repository", context.Background(), t.TempDir(), nil, ""},
		{"cancelled run asks git nothing", cancelled, repo, nil, ""},
		{"cancelled run still takes GITHUB_SHA", cancelled, repo, map[string]string{"GITHUB_SHA": actionsSHA}, actionsSHA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := headSHA(tc.ctx, tc.root, envOf(tc.env)); got != tc.want {
				t.Errorf("headSHA = %q, want %q", got, tc.want)
			}
		})
	}
}
