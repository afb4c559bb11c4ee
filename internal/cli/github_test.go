package cli

import "testing"

func envOf(m map[string]string) Env { return func(k string) string { return m[k] } }

func TestGitHubDefaults(t *testing.T) {
	actions := envOf(map[string]string{"GITHUB_ACTIONS": "true"})
	local := envOf(map[string]string{})
	for _, tc := range []struct {
		flag, mode string
		env        Env
		want       string
	}{
		{"", "pr", actions, "on-change"},
		{"", "pr", local, "never"},
		{"", "nightly", actions, "never"},
		{"always", "local", local, "always"},
	} {
		got, err := commentPolicy(githubFlags{comment: tc.flag}, tc.mode, tc.env)
		if err != nil || string(got) != tc.want {
			t.Errorf("commentPolicy(%q, %s) = %q, %v; want %q", tc.flag, tc.mode, got, err, tc.want)
		}
	}
	if newOnly(githubFlags{}, "pr") != true || newOnly(githubFlags{}, "local") != false {
		t.Error("--new-only default: on in pr mode only")
	}
	if newOnly(githubFlags{newOnly: optBool{set: true, val: false}}, "pr") {
		t.Error("--new-only=false ignored")
	}
	if newOnly(githubFlags{newOnly: optBool{set: true, val: true}}, "local") != true {
		t.Error("--new-only ignored outside pr mode")
	}
	if got := runURL(envOf(map[string]string{"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_REPOSITORY": "a/b", "GITHUB_RUN_ID": "5", "GITHUB_RUN_ATTEMPT": "2"})); got != "https://ghe.example.com/a/b/actions/runs/5/attempts/2" {
		t.Errorf("runURL = %q", got)
	}
	if got := workspacePrefix("/ws/sub/dir", envOf(map[string]string{"GITHUB_WORKSPACE": "/ws"})); got != "sub/dir" {
		t.Errorf("workspacePrefix = %q", got)
	}
	if got := workspacePrefix("/elsewhere", envOf(map[string]string{"GITHUB_WORKSPACE": "/ws"})); got != "" {
		t.Errorf("workspacePrefix outside = %q", got)
	}
}
