package run

import (
	"path/filepath"
	"testing"

	"github.com/secretgate/secretgate/internal/ghevent"
)

func event(t *testing.T, name, file string) *ghevent.Event {
	t.Helper()
	ev, err := ghevent.Load(name, filepath.Join("..", "ghevent", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLiveSkipReason(t *testing.T) {
	actions := map[string]string{"GITHUB_ACTIONS": "true"}
	withToken := map[string]string{"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token"}
	dependabot := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "dependabot[bot]"}
	fork := event(t, ghevent.PullRequest, "pull_request_fork.json")
	same := event(t, ghevent.PullRequest, "pull_request.json")
	mergeGroup := event(t, ghevent.MergeGroup, "merge_group.json")
	headless := event(t, ghevent.PullRequest, "pull_request_fork.json")
	headless.PullRequest.PullRequest.Head.Repo = nil
	tests := []struct {
		name    string
		offline bool
		mode    string
		env     map[string]string
		ev      *ghevent.Event
		want    string
	}{
		{"fork PR without a token", false, "pr", actions, fork, ForkSkipReason},
		{"unreadable payload fails closed", false, "pr", actions, nil, ""},
		{"merge_group fails closed", false, "pr", actions, mergeGroup, ""},
		{"deleted head repository fails closed", false, "pr", actions, headless, ""},
		{"Dependabot without a payload fails closed", false, "pr", dependabot, nil, ""},
		{"same-repository PR fails closed", false, "pr", actions, same, ""},
		{"Dependabot", false, "pr", dependabot, same, dependabotSkipReason},
		{"token available", false, "pr", withToken, fork, ""},
		{"offline asked for", true, "pr", actions, fork, ""},
		{"not a pull request", false, "nightly", actions, fork, ""},
		{"outside Actions", false, "pr", map[string]string{}, fork, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := liveSkipReason(tc.offline, tc.mode, envOf(tc.env), tc.ev); got != tc.want {
				t.Errorf("liveSkipReason = %q, want %q", got, tc.want)
			}
		})
	}
}
