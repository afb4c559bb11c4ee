package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/result"
)

// TestCommentWorkflowRunHead: on a workflow_run event `secretgate comment`
// posts only when the event names the head the run was for (commit,
// repository and branch) and the pull request's head is that same commit
// in that same repository and branch. A fork's author who pushes the
// victim's head commit to a branch of their own fork and opens a pull
// request with it cannot have their report replace the victim's comment.
// Every refusal is exit 2 with nothing written to GitHub.
func TestCommentWorkflowRunHead(t *testing.T) {
	victim := prcommenttest.Head{SHA: prHeadSHA, Repo: "someone/payments", Ref: "feature"}
	run := func(sha, repo, branch string) map[string]any {
		wr := map[string]any{"html_url": "https://github.com/acme/payments/actions/runs/9"}
		if sha != "" {
			wr["head_sha"] = sha
		}
		if repo != "" {
			wr["head_repository"] = map[string]any{"full_name": repo, "fork": true}
		}
		if branch != "" {
			wr["head_branch"] = branch
		}
		return map[string]any{"action": "completed", "workflow_run": wr}
	}
	tests := []struct {
		name      string
		pull      prcommenttest.Head // the pull request's head now
		event     any                // the workflow_run payload; nil: GITHUB_EVENT_PATH unset
		rawEvent  string             // used instead of event when set
		args      []string
		wantCode  int
		wantError string
	}{
		{"same head posts", victim, run(prHeadSHA, "someone/payments", "feature"), "", nil, 0, ""},
		{"repository case ignored", victim, run(prHeadSHA, "SomeOne/Payments", "feature"), "", nil, 0, ""},
		{"no head_sha", victim, run("", "someone/payments", "feature"), "", nil, result.ExitUsage, "does not say which head"},
		{"no head_repository", victim, run(prHeadSHA, "", "feature"), "", nil, result.ExitUsage, "does not say which head"},
		{"no head_branch", victim, run(prHeadSHA, "someone/payments", ""), "", nil, result.ExitUsage, "does not say which head"},
		{"no event file", victim, nil, "", nil, result.ExitUsage, "without GITHUB_EVENT_PATH"},
		{"event not JSON", victim, nil, "{", nil, result.ExitUsage, "read the workflow_run event"},
		{"--head-sha does not excuse a missing repository", victim, run("", "", ""), "", []string{"--head-sha", prHeadSHA}, result.ExitUsage, "does not say which head"},
		{"victim's commit from the attacker's fork", victim, run(prHeadSHA, "mallory/payments", "feature"), "", nil, result.ExitUsage, `its head is in repository "someone/payments", the run was for "mallory/payments"`},
		{"victim's commit on another branch", victim, run(prHeadSHA, "someone/payments", "copy"), "", nil, result.ExitUsage, `its head is branch "feature", the run was for "copy"`},
		{"branch case matters", victim, run(prHeadSHA, "someone/payments", "Feature"), "", nil, result.ExitUsage, "its head is branch"},
		{"head repository deleted", prcommenttest.Head{SHA: prHeadSHA, Ref: "feature"}, run(prHeadSHA, "someone/payments", "feature"), "", nil, result.ExitUsage, "its head is in repository"},
		{"head moved on", prcommenttest.Head{SHA: strings.Repeat("3", 40), Repo: "someone/payments", Ref: "feature"}, run(prHeadSHA, "someone/payments", "feature"), "", nil, result.ExitUsage, "its head is at 333333333333"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gh := prcommenttest.New("", commentToken)
			defer gh.Close()
			gh.SetPullHead(commentRepo, 12, tc.pull)
			dir := t.TempDir()
			env := commentEnv(gh)
			env["GITHUB_EVENT_NAME"] = "workflow_run"
			if tc.event != nil || tc.rawEvent != "" {
				b := []byte(tc.rawEvent)
				if tc.event != nil {
					var err error
					if b, err = json.Marshal(tc.event); err != nil {
						t.Fatal(err)
					}
				}
				env["GITHUB_EVENT_PATH"] = filepath.Join(dir, "event.json")
				if err := os.WriteFile(env["GITHUB_EVENT_PATH"], b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rep := commentReport(t, dir, 12, hostileFinding("config/a.env"))
			r := runCommentCmd(t, env, append([]string{"--report", rep, "--pr", "12", "--comment", "always"}, tc.args...)...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantError) {
				t.Fatalf("exit %d, stderr %q; want exit %d saying %q", r.code, r.stderr, tc.wantCode, tc.wantError)
			}
			writes := len(gh.CallsOf("POST")) + len(gh.CallsOf("PATCH"))
			if tc.wantCode == 0 && (writes != 1 || len(gh.Comments(commentRepo, 12)) != 1) {
				t.Errorf("%d writes, %d comments; want the comment created", writes, len(gh.Comments(commentRepo, 12)))
			}
			if tc.wantCode != 0 && writes != 0 {
				t.Errorf("refused, yet %d writes to GitHub", writes)
			}
		})
	}
}
