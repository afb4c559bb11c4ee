package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// The GitHub integration as a workflow step runs it: the built binary with
// the runner's GITHUB_* environment, an event payload file, the step's
// summary and output files, and a stand-in for GitHub's REST API that
// records what secretgate asked of it.

// canaryToken must never appear in any output.
const canaryToken = "ghs_CANARYtoken0123456789abcdefABCDEF"

const demo = "../../docs/examples/demo"

// ghRun is one step run's files.
type ghRun struct {
	env              []string
	summary, outputs string
}

// actions returns the environment of a step in a workflow run for event
// with payload file (testdata/events/NAME.json, {{BASE}} and {{HEAD}}
// replaced), talking to srv.
func actions(t *testing.T, srv *prcommenttest.Server, event, payload, base, head string) ghRun {
	t.Helper()
	dir := t.TempDir()
	r := ghRun{summary: filepath.Join(dir, "summary.md"), outputs: filepath.Join(dir, "output")}
	for _, f := range []string{r.summary, r.outputs} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.env = []string{
		"GITHUB_ACTIONS=true",
		"GITHUB_EVENT_NAME=" + event,
		"GITHUB_REPOSITORY=acme/payments",
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_RUN_ID=42",
		"GITHUB_SHA=0123456789abcdef0123456789abcdef01234567",
		"GITHUB_TOKEN=" + canaryToken,
		"GITHUB_STEP_SUMMARY=" + r.summary,
		"GITHUB_OUTPUT=" + r.outputs,
	}
	if srv != nil {
		r.env = append(r.env, "GITHUB_API_URL="+srv.APIURL())
	}
	if payload != "" {
		b, err := os.ReadFile(filepath.Join("testdata", "events", payload+".json"))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.NewReplacer("{{BASE}}", base, "{{HEAD}}", head).Replace(string(b))
		p := filepath.Join(dir, "event.json")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		r.env = append(r.env, "GITHUB_EVENT_PATH="+p)
	}
	return r
}

const (
	sha1 = "1111111111111111111111111111111111111111"
	sha2 = "2222222222222222222222222222222222222222"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// outputs parses $GITHUB_OUTPUT as the runner does.
func outputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(readFile(t, path), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(lines[i], "=")
		if !ok {
			t.Fatalf("output line %q", lines[i])
		}
		out[name] = val
	}
	return out
}

// noCanary fails when the token shows anywhere.
func noCanary(t *testing.T, where string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, canaryToken) {
			t.Errorf("the GitHub token appears in %s", where)
		}
	}
}

func TestGitHubPullRequestComment(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		name := "github.com"
		if prefix != "" {
			name = "GHES " + prefix
		}
		t.Run(name, func(t *testing.T) {
			srv := prcommenttest.New(prefix, canaryToken)
			defer srv.Close()
			dir := t.TempDir()
			jsonOut, sarifOut := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.sarif")
			demo, base := prCheckout(t, demo)

			// Run 1: the demo's findings are all new (no baseline): the PR
			// fails and one comment is created.
			g := actions(t, srv, "pull_request", "pull_request", base, base)
			r := secretgate(t, g.env, "check", "--offline", "--path", demo, "--now", now,
				"--format", "json", "--output", jsonOut, "--format", "sarif", "--output", sarifOut)
			if r.code != 1 {
				t.Fatalf("run 1: exit %d, want 1\nstderr: %s", r.code, r.stderr)
			}
			cs := srv.Comments("acme/payments", 7)
			if len(cs) != 1 || len(srv.CallsOf("POST")) != 1 {
				t.Fatalf("run 1: %d comments, %d creates; want one", len(cs), len(srv.CallsOf("POST")))
			}
			first := cs[0]
			if !strings.HasPrefix(first.Body, report.Marker+"\n<!-- secretgate:state=failing -->\n### ❌") {
				t.Errorf("run 1 comment opens %.200q", first.Body)
			}
			if !strings.Contains(first.Body, "#### New findings") {
				t.Error("run 1 comment lists no new findings")
			}
			for _, c := range srv.Calls() {
				// GET /user asks which account the token is (403 for
				// GITHUB_TOKEN), to know whose marker comment to reuse.
				if !strings.HasPrefix(c.Path, prefix+"/repos/acme/payments/issues/") && c.Path != prefix+"/user" {
					t.Errorf("call %s %s outside %s/repos/acme/payments/issues/ and %s/user", c.Method, c.Path, prefix, prefix)
				}
			}
			out := outputs(t, g.outputs)
			rep := readReport(t, jsonOut)
			want := map[string]string{
				"critical": fmt.Sprint(rep.Summary.Critical), "high": fmt.Sprint(rep.Summary.High),
				"medium": fmt.Sprint(rep.Summary.Medium), "low": fmt.Sprint(rep.Summary.Low), "info": fmt.Sprint(rep.Summary.Info),
				"failed": "true", "incomplete": "false", "new": fmt.Sprint(countNew(rep)),
				"report-json": jsonOut, "report-sarif": sarifOut, "report-markdown": "",
				"comment-url": fmt.Sprintf("https://github.com/acme/payments/pull/7#issuecomment-%d", first.ID),
			}
			for k, v := range want {
				if got, ok := out[k]; !ok || got != v {
					t.Errorf("output %s = %q, want %q", k, got, v)
				}
			}
			summary := readFile(t, g.summary)
			if !strings.HasPrefix(summary, report.Marker+"\n### ❌ secretgate: new: ") {
				t.Errorf("summary opens %.200q", summary)
			}
			if rep.Context.PullRequest != 7 || !rep.NewOnly {
				t.Errorf("report context %+v new_only %v", rep.Context, rep.NewOnly)
			}
			errs := strings.Count(r.stdout, "::error ")
			if errs == 0 || errs > 10 || !strings.Contains(r.stdout, "::error file=") {
				t.Errorf("%d error annotations on stdout:\n%s", errs, r.stdout)
			}
			noCanary(t, "run 1", r.stdout, r.stderr, summary, readFile(t, g.outputs), first.Body, readFile(t, jsonOut), readFile(t, sarifOut))

			// Run 2: the base had the same findings; in pr mode only new
			// ones fail, so the PR passes and the same comment is edited.
			g2 := actions(t, srv, "pull_request", "pull_request", base, base)
			r2 := secretgate(t, g2.env, "check", "--offline", "--path", demo, "--now", now, "--baseline", jsonOut)
			if r2.code != 0 {
				t.Fatalf("run 2: exit %d, want 0 (existing findings do not fail a PR)\nstderr: %s", r2.code, r2.stderr)
			}
			cs = srv.Comments("acme/payments", 7)
			if len(cs) != 1 || cs[0].ID != first.ID || len(srv.CallsOf("POST")) != 1 {
				t.Fatalf("run 2: comments %d (ids %v), creates %d; want the first comment edited", len(cs), ids(cs), len(srv.CallsOf("POST")))
			}
			patches := srv.CallsOf("PATCH")
			if len(patches) != 1 || !strings.HasSuffix(patches[0].Path, fmt.Sprintf("/issues/comments/%d", first.ID)) {
				t.Fatalf("run 2 updates: %+v", patches)
			}
			if !strings.Contains(cs[0].Body, "### ✅ secretgate: passing now — the earlier run was failing; new: none; existing: ") ||
				!strings.Contains(cs[0].Body, "<details><summary>Existing findings") {
				t.Errorf("run 2 comment:\n%.600s", cs[0].Body)
			}
			for _, c := range jsonReport(t, secretgate(t, nil, "check", "--offline", "--mode", "pr", "--diff", base+"..HEAD", "--path", demo, "--now", now, "--baseline", jsonOut, "--format", "json")).Checks {
				if c.Status == result.StatusFailed {
					t.Errorf("check %s failed on existing findings alone", c.ID)
				}
			}
			if o := outputs(t, g2.outputs); o["failed"] != "false" || o["new"] != "0" || o["report-json"] != "" {
				t.Errorf("run 2 outputs %v", o)
			}
			errAnn := strings.Count(r2.stdout, "::error ")
			if errAnn != 0 || !strings.Contains(r2.stdout, "::warning file=") {
				t.Errorf("run 2: existing findings must be warnings, not errors:\n%s", r2.stdout)
			}

			// Run 3: --new-only=false blames existing findings too.
			g3 := actions(t, srv, "pull_request", "pull_request", base, base)
			if r3 := secretgate(t, g3.env, "check", "--offline", "--path", demo, "--now", now, "--baseline", jsonOut, "--new-only=false"); r3.code != 1 {
				t.Errorf("run 3 with --new-only=false: exit %d, want 1", r3.code)
			}
			if n := len(srv.Comments("acme/payments", 7)); n != 1 {
				t.Errorf("%d comments after three runs, want 1", n)
			}
		})
	}
}

func readReport(t *testing.T, path string) result.Report {
	t.Helper()
	var rep result.Report
	if err := json.Unmarshal([]byte(readFile(t, path)), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func countNew(rep result.Report) int {
	n := 0
	for _, f := range rep.Findings {
		if f.New && !f.Waived {
			n++
		}
	}
	return n
}

func ids(cs []prcommenttest.Comment) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestGitHubCommentPolicies(t *testing.T) {
	tests := []struct {
		name        string
		path        string
		args        []string
		readOnly    bool
		wantCode    int
		wantCreates int
		wantWarning bool
	}{
		{"on-change: clean PR gets no comment", repo("clean"), nil, false, 0, 0, false},
		{"always: clean PR gets one", repo("clean"), []string{"--comment", "always"}, false, 0, 1, false},
		{"never", demo, []string{"--comment", "never"}, false, 1, 0, false},
		{"read-only token, clean: a warning, exit 0", repo("clean"), []string{"--comment", "always"}, true, 0, 0, true},
		{"read-only token, findings: a warning, exit still 1", demo, nil, true, 1, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := prcommenttest.New("", canaryToken)
			defer srv.Close()
			srv.ReadOnly = tc.readOnly
			path, base := prCheckout(t, tc.path)
			g := actions(t, srv, "pull_request", "pull_request", base, base)
			r := secretgate(t, g.env, append([]string{"check", "--offline", "--path", path, "--now", now}, tc.args...)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, tc.wantCode, r.stderr)
			}
			if n := len(srv.Comments("acme/payments", 7)); n != tc.wantCreates {
				t.Errorf("%d comments, want %d", n, tc.wantCreates)
			}
			summary := readFile(t, g.summary)
			gotWarning := strings.Contains(r.stdout, "::warning::the pull-request comment was not posted: GitHub refused the token")
			if gotWarning != tc.wantWarning || strings.Contains(summary, "comment was not posted") != tc.wantWarning {
				t.Errorf("warning in log %v / summary %v, want %v\nstdout: %s", gotWarning, strings.Contains(summary, "not posted"), tc.wantWarning, r.stdout)
			}
			if !strings.HasPrefix(summary, report.Marker) {
				t.Error("no job summary")
			}
			noCanary(t, tc.name, r.stdout, r.stderr, summary)
		})
	}
}

// TestGitHubForkPullRequest: no OIDC token and a read-only token on a pull
// request from a fork: the offline checks run, the live ones are skipped
// with the reason, the comment failure is a warning, the run passes.
func TestGitHubForkPullRequest(t *testing.T) {
	srv := prcommenttest.New("", canaryToken)
	defer srv.Close()
	srv.ReadOnly = true
	clean, base := prCheckout(t, repo("clean"))
	g := actions(t, srv, "pull_request", "pull_request_fork", base, base)
	r := secretgate(t, g.env, "check", "--path", clean, "--now", now, "--format", "json", "--comment", "always", "--config", filepath.Join("testdata", "credentials.yml"))
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	rep := jsonReport(t, r)
	for _, c := range rep.Checks {
		switch c.ID {
		case result.CheckResolve:
			if c.Status != result.StatusSkipped || c.Reason != "no OIDC token on pull requests from forks" {
				t.Errorf("resolve: %s %q", c.Status, c.Reason)
			}
		case result.CheckNaming, result.CheckRotation, result.CheckIAM, result.CheckTrust:
			if c.Status != result.StatusOK || !strings.HasSuffix(c.Reason, "live AWS skipped: no OIDC token on pull requests from forks") {
				t.Errorf("%s: %s %q", c.ID, c.Status, c.Reason)
			}
		}
	}
	if rep.Summary.Incomplete {
		t.Error("a fork PR run reads as incomplete")
	}
	summary := readFile(t, g.summary)
	for _, want := range []string{"no OIDC token on pull requests from forks", "comment was not posted"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	// Workflow commands go to stderr when the JSON report has stdout.
	if strings.Contains(r.stdout, "::warning") || !strings.Contains(r.stderr, "::warning::the pull-request comment was not posted") {
		t.Errorf("warning not on stderr:\nstdout: %.300s\nstderr: %s", r.stdout, r.stderr)
	}

	// The same without a fork: a missing id-token permission fails closed.
	same := actions(t, nil, "pull_request", "pull_request", base, base)
	if r := secretgate(t, same.env, "check", "--path", clean, "--now", now, "--comment", "never"); r.code != 3 {
		t.Errorf("same-repository PR without an OIDC token: exit %d, want 3", r.code)
	}
	// With an OIDC token the fork rule does not apply.
	tok := actions(t, nil, "pull_request", "pull_request_fork", base, base)
	tok.env = append(tok.env, "ACTIONS_ID_TOKEN_REQUEST_URL=http://127.0.0.1:9/token")
	if r := secretgate(t, tok.env, "check", "--path", clean, "--now", now, "--comment", "never", "--format", "json"); strings.Contains(r.stdout, "no OIDC token") {
		t.Errorf("the fork rule applied although an OIDC token was available")
	}
}

// TestGitHubDiffAuto: --diff auto takes the range from the event payload,
// however many commits it holds, and a leak it adds is new even when the
// base report lists the same one.
func TestGitHubDiffAuto(t *testing.T) {
	dir := leakRepo(t)
	base := gitIn(t, dir, "rev-parse", "HEAD")
	key := leakstest.AWSKey(t)
	writeIn(t, dir, "deploy/prod.env", "aws_access_key_id="+key+"\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "the leak, first of many commits")
	for i := range 40 {
		writeIn(t, dir, "notes.txt", fmt.Sprintf("change %d\n", i))
		gitIn(t, dir, "add", "-A")
		gitIn(t, dir, "commit", "-q", "-m", fmt.Sprintf("change %d", i))
	}
	head := gitIn(t, dir, "rev-parse", "HEAD")

	for _, event := range []string{"pull_request", "merge_group"} {
		t.Run(event, func(t *testing.T) {
			srv := prcommenttest.New("", canaryToken)
			defer srv.Close()
			g := actions(t, srv, event, event, base, head)
			out := filepath.Join(t.TempDir(), "r.json")
			r := secretgate(t, g.env, "check", "--offline", "--path", dir, "--diff", "auto", "--only", "leaks", "--now", now, "--format", "json", "--output", out)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
			}
			rep := readReport(t, out)
			if len(rep.Findings) != 1 || !rep.Findings[0].New || rep.Findings[0].File != "deploy/prod.env" {
				t.Fatalf("findings %+v", rep.Findings)
			}
			if n := checkByID(rep, result.CheckLeaks).Resources; n != 41 {
				t.Errorf("leaks scanned %d commits, want all 41 of the range", n)
			}
			// The base report lists the same leak: still new in the range.
			r2 := secretgate(t, g.env, "check", "--offline", "--path", dir, "--diff", "auto", "--only", "leaks", "--now", now, "--baseline", out, "--format", "json")
			if r2.code != 1 || !jsonReport(t, r2).Findings[0].New {
				t.Errorf("with a baseline: exit %d; a leak the range adds must stay new", r2.code)
			}
			noCanary(t, event, r.stdout, r.stderr, readFile(t, g.summary), readFile(t, out))
			for _, s := range []string{r.stdout, r.stderr, readFile(t, g.summary), readFile(t, out)} {
				if strings.Contains(s, key) {
					t.Error("the leaked key appears in an output")
				}
			}
			switch event {
			case "pull_request":
				if n := len(srv.Comments("acme/payments", 7)); n != 1 {
					t.Errorf("%d comments on the PR, want 1", n)
				}
			case "merge_group":
				if n := len(srv.Calls()); n != 0 {
					t.Errorf("a merge group run made %d API calls; it has no pull request to comment on", n)
				}
			}
		})
	}

	t.Run("outside Actions it is a usage error", func(t *testing.T) {
		r := secretgate(t, nil, "check", "--offline", "--path", dir, "--diff", "auto")
		if r.code != 2 || !strings.Contains(r.stderr, "--diff auto") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("a scheduled run has no range", func(t *testing.T) {
		g := actions(t, nil, "schedule", "", "", "")
		g.env = append(g.env, "GITHUB_EVENT_PATH="+filepath.Join("testdata", "events", "pull_request.json"))
		r := secretgate(t, g.env, "check", "--offline", "--path", dir, "--diff", "auto")
		if r.code != 2 || !strings.Contains(r.stderr, "no commit range") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// TestGitHubFlags: --github=false writes nothing for the runner; the PR
// number falls back to GITHUB_REF without a payload.
func TestGitHubFlags(t *testing.T) {
	srv := prcommenttest.New("", canaryToken)
	defer srv.Close()
	g := actions(t, srv, "pull_request", "", "", "")
	g.env = append(g.env, "GITHUB_REF=refs/pull/9/merge")
	demo, base := prCheckout(t, demo)
	r := secretgate(t, g.env, "check", "--offline", "--path", demo, "--diff", base+"..HEAD", "--now", now, "--github=false")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	if readFile(t, g.summary) != "" || readFile(t, g.outputs) != "" || strings.Contains(r.stdout, "::error") {
		t.Error("--github=false still wrote the summary, outputs or annotations")
	}
	if n := len(srv.Comments("acme/payments", 9)); n != 1 {
		t.Errorf("%d comments on #9 (from GITHUB_REF), want 1", n)
	}
	if r := secretgate(t, g.env, "check", "--offline", "--path", demo, "--comment", "sometimes"); r.code != 2 {
		t.Errorf("--comment sometimes: exit %d, want 2", r.code)
	}
}
