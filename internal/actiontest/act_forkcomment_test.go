package actiontest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/report"
)

const forkCommentWorkflow = "docs/examples/workflows/secretgate-fork-comment.yml"

// followUpCase is one run of the workflow_run follow-up.
type followUpCase struct {
	artifacts string // directory holding ARTIFACT_NAME/… as the upload stand-in left it
	number    int    // the pull request the triggering run was for (the event)
	head      string // workflow_run.head_sha
	runID     int64
	token     string
}

type followUpResult struct {
	exit int
	log  string
	out  string
}

// actFollowUp runs the shipped follow-up workflow unchanged with act on a
// workflow_run event: secretgate/secretgate@main is this checkout and
// actions/download-artifact the stand-in (both through
// --local-repository); the workspace stays empty, as nothing is checked
// out.
func actFollowUp(t *testing.T, actBin string, pr *prRepository, gh *gitHubStub, c followUpCase) *followUpResult {
	t.Helper()
	work := t.TempDir()
	out := filepath.Join(work, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	event := filepath.Join(work, "event.json")
	writeJSONOrYAML(t, event, map[string]any{
		"action": "completed",
		"workflow_run": map[string]any{
			"id": c.runID, "name": "secretgate", "event": "pull_request", "status": "completed", "conclusion": "failure",
			"head_sha": c.head, "head_branch": "feature",
			"head_repository": map[string]any{"full_name": "someone/payments", "fork": true},
			"repository":      map[string]any{"full_name": "acme/payments"},
			"html_url":        "https://github.com/acme/payments/actions/runs/" + strconv.FormatInt(c.runID, 10),
			"pull_requests":   []any{}, // GitHub leaves it empty for forks
		},
		"workflow":   map[string]any{"name": "secretgate fork comment"},
		"repository": map[string]any{"full_name": "acme/payments", "name": "payments", "owner": map[string]any{"login": "acme"}, "fork": false},
		"sender":     map[string]any{"login": "someone"},
	})
	wf, err := os.ReadFile(filepath.Join(repoRoot(t), forkCommentWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	download := "actions/download-artifact@" + regexpPin(t, wf, "actions/download-artifact") + "=" +
		filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/download-artifact")
	self := "secretgate/secretgate@main=" + repoRoot(t)
	setupGo := "actions/setup-go@" + actionPin(t, "actions/setup-go") + "=" +
		filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/setup-go")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, actBin, "workflow_run",
		"-W", filepath.Join(repoRoot(t), forkCommentWorkflow), "-e", event,
		"-P", "ubuntu-latest=-self-hosted",
		"--json", "--no-cache-server", "--actor", "someone",
		"--local-repository", download, "--local-repository", self, "--local-repository", setupGo,
		"--local-repository", cacheStandIn(t),
		"--env", "OUT="+out, "--env", "ARTIFACTS="+c.artifacts,
		"--env", "GITHUB_API_URL="+gh.URL,
		"-s", "GITHUB_TOKEN="+c.token)
	cmd.Dir = pr.dir
	cmd.Env = actEnv()
	b, err := cmd.CombinedOutput()
	r := &followUpResult{log: string(b), out: out}
	if err != nil {
		r.exit = exitCode(t, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("act did not finish the follow-up in time:\n%s", (&actResult{log: r.log}).tail())
	}
	return r
}

func regexpPin(t *testing.T, wf []byte, action string) string {
	t.Helper()
	for _, line := range strings.Split(string(wf), "\n") {
		if m := usesLine.FindStringSubmatch(line); m != nil && strings.HasPrefix(m[1], action+"@") {
			return strings.TrimPrefix(m[1], action+"@")
		}
	}
	t.Fatalf("%s does not use %s", forkCommentWorkflow, action)
	return ""
}

// runForkComment: a fork's pull request adds a leaked key. Its own run
// (read-only token) cannot comment but uploads the report; the follow-up
// (write token, workflow_run) posts it. A tampered artifact is refused.
func runForkComment(t *testing.T, actBin string, pr *prRepository, gh *gitHubStub, base string) {
	t.Helper()
	key := leakstest.AWSKey(t)
	head := pr.commit(t, "fork2", base, map[string]string{"config/prod/fork.env": "aws_access_key_id=" + key + "\n"})
	canaries := []string{key[4:]}

	// Run 6: the fork's own run.
	r6 := actRun(t, actBin, pr, gh, actCase{number: 10, base: base, head: head, token: "read-only-token", fork: true, live: true})
	r6.assertNoCanary(t, canaries)
	if r6.outcome != "failure" || r6.outputs["failed"] != "true" {
		t.Errorf("run 6 (fork with a leak): outcome %q, failed=%q; want a failed job", r6.outcome, r6.outputs["failed"])
	}
	if n := len(gh.commentsOn(10)); n != 0 {
		t.Fatalf("run 6: the fork's read-only run posted %d comments", n)
	}
	artifacts := filepath.Join(r6.out, "artifact")
	handoff := filepath.Join(artifacts, "secretgate-report")
	if got := strings.TrimSpace(readOr(t, filepath.Join(handoff, "pr-number"), "")); got != "10" {
		t.Fatalf("run 6: the uploaded artifact's pr-number is %q, want 10", got)
	}
	for _, f := range []string{"report.json", "report.md"} {
		if readOr(t, filepath.Join(handoff, f), "") == "" {
			t.Errorf("run 6: the artifact lacks %s", f)
		}
	}

	// Run 7: the follow-up posts the fork's report.
	gh.setPull(10, head)
	before := len(gh.allCalls())
	r7 := actFollowUp(t, actBin, pr, gh, followUpCase{artifacts: artifacts, number: 10, head: head, runID: 4242, token: "write-token"})
	if r7.exit != 0 {
		t.Fatalf("run 7 (follow-up): act exit %d\n%s", r7.exit, (&actResult{log: r7.log}).tail())
	}
	cs := gh.commentsOn(10)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, report.Marker) || !strings.Contains(cs[0].Body, "config/prod/fork.env") {
		t.Fatalf("run 7: comments on #10: %+v", cs)
	}
	var sawHead bool
	for _, c := range gh.allCalls()[before:] {
		sawHead = sawHead || c.method == "GET" && c.path == "/repos/acme/payments/pulls/10"
		if c.method != "GET" && c.auth != "Bearer write-token" {
			t.Errorf("run 7: %v with %q", c, c.auth)
		}
	}
	if !sawHead {
		t.Errorf("run 7: the pull request's head was not compared with workflow_run.head_sha")
	}
	if got := readOr(t, filepath.Join(r7.out, "download-run-id"), ""); got != "4242" {
		t.Errorf("run 7: the artifact was downloaded from run %q, want the triggering run 4242", got)
	}
	for place, text := range map[string]string{"act log": r7.log, "comment": cs[0].Body} {
		if strings.Contains(text, canaries[0]) {
			t.Errorf("run 7: the planted key appears in the %s", place)
		}
	}

	// Run 8: a tampered artifact — the number of another pull request
	// (#7, which has secretgate's comment) next to #10's report — is
	// refused; nothing is written.
	tampered := filepath.Join(t.TempDir(), "artifacts")
	copyDir(t, artifacts, tampered)
	if err := os.WriteFile(filepath.Join(tampered, "secretgate-report", "pr-number"), []byte("7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gh.setPull(7, head)
	before = len(gh.allCalls())
	body7 := gh.commentsOn(7)
	r8 := actFollowUp(t, actBin, pr, gh, followUpCase{artifacts: tampered, number: 10, head: head, runID: 4243, token: "write-token"})
	if r8.exit == 0 {
		t.Errorf("run 8 (tampered artifact): act exit 0, want the follow-up to fail")
	}
	for _, c := range gh.allCalls()[before:] {
		if c.method != "GET" {
			t.Errorf("run 8 (tampered artifact) wrote to GitHub: %v", c)
		}
	}
	if got := gh.commentsOn(7); len(got) != len(body7) || len(got) > 0 && got[0].Body != body7[0].Body {
		t.Errorf("run 8 changed #7's comment")
	}
	if !strings.Contains(r8.log, "made for pull request 10") {
		t.Errorf("run 8: the log does not say why the artifact was refused")
	}
}

// TestForkCommentWorkflowRunsNoPullRequestCode: the follow-up runs with a
// token that can write, so it must never check out or run the pull
// request's code: triggered by workflow_run only, no actions/checkout, no
// run: step (the artifact is only ever read by secretgate), and the least
// permissions.
func TestForkCommentWorkflowRunsNoPullRequestCode(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), forkCommentWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On          map[string]any `yaml:"on"`
		Permissions map[string]any `yaml:"permissions"`
		Jobs        map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
			Steps       []map[string]any  `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.On) != 1 || wf.On["workflow_run"] == nil {
		t.Errorf("triggers %v, want workflow_run only (never pull_request_target)", wf.On)
	}
	if len(wf.Permissions) != 0 {
		t.Errorf("workflow-level permissions %v, want {}", wf.Permissions)
	}
	for name, job := range wf.Jobs {
		want := map[string]string{"actions": "read", "pull-requests": "write"}
		if len(job.Permissions) != len(want) {
			t.Errorf("job %s permissions %v, want %v", name, job.Permissions, want)
		}
		for k, v := range want {
			if job.Permissions[k] != v {
				t.Errorf("job %s permissions %v, want %v", name, job.Permissions, want)
			}
		}
		for _, st := range job.Steps {
			uses, _ := st["uses"].(string)
			if strings.HasPrefix(uses, "actions/checkout@") {
				t.Errorf("job %s checks out code", name)
			}
			if _, ok := st["run"]; ok {
				t.Errorf("job %s has a run: step; the artifact must only be read by secretgate", name)
			}
		}
	}
}

// copyDir copies a directory tree of regular files.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		copyFile(t, path, filepath.Join(dst, rel), info.Mode())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
