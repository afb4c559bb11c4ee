package ghevent

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEvents(t *testing.T) {
	tests := []struct {
		name, event, file string
		number            int
		base, head        string
		rangeErr          bool
		fork, known       bool
		sender            string
	}{
		{"same-repository pull request", PullRequest, "pull_request.json", 7,
			"2222222222222222222222222222222222222222", "1111111111111111111111111111111111111111", false, false, true, "octocat"},
		{"pull request from a fork", PullRequest, "pull_request_fork.json", 8,
			"2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333", false, true, true, "mallory"},
		{"pull_request_target has the same payload", PullRequestTarget, "pull_request_fork.json", 8,
			"2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333", false, true, true, "mallory"},
		{"pull request inside a repository that is a fork", PullRequest, "pull_request_in_fork_repo.json", 3,
			"5555555555555555555555555555555555555555", "4444444444444444444444444444444444444444", false, false, true, "someone"},
		{"merge group: no pull request, base and head SHAs", MergeGroup, "merge_group.json", 0,
			"2222222222222222222222222222222222222222", "6666666666666666666666666666666666666666", false, false, false, "github-merge-queue[bot]"},
		{"push", Push, "push.json", 0,
			"2222222222222222222222222222222222222222", "7777777777777777777777777777777777777777", false, false, false, "octocat"},
		{"push that created the branch has no base", Push, "push_new_branch.json", 0, "", "", true, false, false, ""},
		{"a SHA that is not one is refused", PullRequest, "pull_request_bad_sha.json", 9, "", "", true, false, false, ""},
		{"other events answer no", "schedule", "push.json", 0, "", "", true, false, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Load(tc.event, filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if n := ev.PullRequestNumber(); n != tc.number {
				t.Errorf("PullRequestNumber = %d, want %d", n, tc.number)
			}
			base, head, err := ev.Range()
			if tc.rangeErr {
				if err == nil || !errors.Is(err, ErrNoRange) {
					t.Errorf("Range = %s..%s, %v; want ErrNoRange", base, head, err)
				}
			} else if err != nil || base != tc.base || head != tc.head {
				t.Errorf("Range = %s..%s, %v; want %s..%s", base, head, err, tc.base, tc.head)
			}
			fork, known := ev.Fork()
			if fork != tc.fork || known != tc.known {
				t.Errorf("Fork = %v, %v; want %v, %v", fork, known, tc.fork, tc.known)
			}
			if s := ev.Sender(); s != tc.sender {
				t.Errorf("Sender = %q, want %q", s, tc.sender)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"pull_request": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"unset": "", "missing": filepath.Join(t.TempDir(), "none.json"), "malformed": bad} {
		t.Run(name, func(t *testing.T) {
			ev, err := Load(PullRequest, path)
			if err == nil {
				t.Fatal("no error")
			}
			if ev == nil || ev.PullRequestNumber() != 0 {
				t.Error("a failed load must leave an event that answers no")
			}
		})
	}
	var nilEvent *Event
	if nilEvent.PullRequestNumber() != 0 || nilEvent.Sender() != "" {
		t.Error("nil event answers")
	}
	if _, _, err := nilEvent.Range(); err == nil {
		t.Error("nil event has a range")
	}
}
