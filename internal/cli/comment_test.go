package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

const (
	commentRepo  = "acme/payments"
	commentToken = "write-token"
	prHeadSHA    = "1111111111111111111111111111111111111111"
)

// The hostile texts a fork's author can put into the report artifact.
const (
	hostileMention = "@acme/security-team"
	hostileHTML    = `<img src=x onerror=alert(1)>`
	hostileDocs    = "https://evil.example/phish"
)

// commentReport is a JSON report as `secretgate check --format json`
// writes it, for pull request pr, with findings whose texts are hostile.
func commentReport(t *testing.T, dir string, pr int, findings ...result.Finding) string {
	t.Helper()
	rep := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "test"},
		Context: result.Context{Mode: "pr", Repository: commentRepo, PullRequest: pr},
		FailOn:  "high",
		NewOnly: true,
		Checks: []result.Check{
			{ID: result.CheckLeaks, Status: result.StatusOK},
			{ID: result.CheckResolve, Status: result.StatusSkipped, Reason: run.ForkSkipReason},
		},
		Findings: findings,
	}
	for _, f := range findings {
		if f.Severity == result.SeverityHigh {
			rep.Summary.High++
			rep.Summary.Failed = true
		}
	}
	r, err := report.New(report.FormatJSON, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Write(&b, rep); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func hostileFinding(file string) result.Finding {
	return result.Finding{
		Rule: "leaks-secret", Check: result.CheckLeaks, Severity: result.SeverityHigh,
		Title:       "Secret in the repository",
		Message:     "ping " + hostileMention + " " + hostileHTML + " " + report.Marker + " | a | b |",
		Resource:    "`; rm -rf / | " + hostileMention,
		File:        file,
		Line:        3,
		Remediation: "see " + hostileHTML,
		DocsURL:     hostileDocs,
		Fingerprint: "fp-" + file,
		New:         true,
	}
}

type commentRun struct {
	code   int
	stderr string
}

func runCommentCmd(t *testing.T, env map[string]string, args ...string) commentRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), append([]string{"comment"}, args...), &stdout, &stderr, envOf(env))
	r := commentRun{stderr: stderr.String()}
	if err != nil {
		var ee *ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("error without an exit code: %v", err)
		}
		r.code = ee.Code
		r.stderr += err.Error()
	}
	return r
}

func commentEnv(gh *prcommenttest.Server) map[string]string {
	return map[string]string{"GITHUB_API_URL": gh.APIURL(), "GITHUB_TOKEN": commentToken, "GITHUB_REPOSITORY": commentRepo}
}

// TestCommentCreatesThenEdits: the first publish creates the comment, the
// next edits the same one; the report's texts reach it escaped, its rule
// links are secretgate's own.
func TestCommentCreatesThenEdits(t *testing.T) {
	gh := prcommenttest.New("", commentToken)
	defer gh.Close()
	dir := t.TempDir()
	env := commentEnv(gh)

	first := commentReport(t, dir, 12, hostileFinding("config/a.env"))
	if r := runCommentCmd(t, env, "--report", first, "--pr", "12"); r.code != 0 {
		t.Fatalf("first publish: exit %d: %s", r.code, r.stderr)
	}
	cs := gh.Comments(commentRepo, 12)
	if len(cs) != 1 || len(gh.CallsOf("POST")) != 1 {
		t.Fatalf("after the first publish: %d comments, %d creations", len(cs), len(gh.CallsOf("POST")))
	}
	body := cs[0].Body
	if !strings.HasPrefix(body, report.Marker) || strings.Count(body, report.Marker) != 1 {
		t.Errorf("the body does not start with the one marker:\n%s", body)
	}
	// The resource is a code span, where @ mentions nobody; in prose the
	// mention must be broken.
	for _, bad := range []string{"ping " + hostileMention, "<img", hostileDocs, "evil.example"} {
		if strings.Contains(body, bad) {
			t.Errorf("the comment carries %q from the report unescaped:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, policy.DocsBase+"#leaks-secret") || !strings.Contains(body, "config/a.env") {
		t.Errorf("the comment lacks the rule link or the file:\n%s", body)
	}

	second := commentReport(t, dir, 12, hostileFinding("config/a.env"), hostileFinding("config/b.env"))
	if r := runCommentCmd(t, env, "--report", second, "--pr", "12", "--comment", "always"); r.code != 0 {
		t.Fatalf("second publish: exit %d: %s", r.code, r.stderr)
	}
	cs = gh.Comments(commentRepo, 12)
	if len(cs) != 1 || len(gh.CallsOf("POST")) != 1 || len(gh.CallsOf("PATCH")) != 1 {
		t.Fatalf("after the second publish: %d comments, %d creations, %d edits", len(cs), len(gh.CallsOf("POST")), len(gh.CallsOf("PATCH")))
	}
	if !strings.Contains(cs[0].Body, "config/b.env") {
		t.Errorf("the edited comment lacks the new finding")
	}
}

// TestCommentRefusesUntrustedInput: a pull request number that is not a
// plain positive integer, a report that is not secretgate's or is for
// another pull request, one that is too large, or a head that moved on
// are refused with exit 2 before anything is posted.
func TestCommentRefusesUntrustedInput(t *testing.T) {
	gh := prcommenttest.New("", commentToken)
	defer gh.Close()
	gh.SetPull(commentRepo, 12, prHeadSHA)
	dir := t.TempDir()
	good := commentReport(t, t.TempDir(), 12, hostileFinding("config/a.env"))
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.json", `{"schema":"secretgate/report/v1","tool":{"name":"`+strings.Repeat("x", MaxCommentReportBytes)+`"}}`)
	runEvent := write("event.json", `{"workflow_run":{"head_sha":"2222222222222222222222222222222222222222","head_branch":"feature","head_repository":{"full_name":"someone/payments"},"html_url":"https://github.com/acme/payments/actions/runs/1"}}`)

	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"letters", nil, []string{"--report", good, "--pr", "12abc"}, "not a positive integer"},
		{"negative", nil, []string{"--report", good, "--pr", "-12"}, "not a positive integer"},
		{"zero", nil, []string{"--report", good, "--pr", "0"}, "not a positive integer"},
		{"leading zero", nil, []string{"--report", good, "--pr", "012"}, "not a positive integer"},
		{"expression", nil, []string{"--report", good, "--pr", "12; echo"}, "not a positive integer"},
		{"too large", nil, []string{"--report", good, "--pr", "1234567890"}, "not a positive integer"},
		{"file with two lines", nil, []string{"--report", good, "--pr-file", write("pr2", "12\n13\n")}, "not a positive integer"},
		{"file too large", nil, []string{"--report", good, "--pr-file", write("pr3", strings.Repeat("1", 100))}, "larger than"},
		{"both flags", nil, []string{"--report", good, "--pr", "12", "--pr-file", write("pr4", "12")}, "not both"},
		{"no number", nil, []string{"--report", good}, "required"},
		{"not JSON", nil, []string{"--report", write("x.json", "<html>"), "--pr", "12"}, "not a JSON report"},
		{"another schema", nil, []string{"--report", write("s.json", `{"schema":"other/v9"}`), "--pr", "12"}, "schema"},
		{"two documents", nil, []string{"--report", write("two.json", `{"schema":"secretgate/report/v1"} {}`), "--pr", "12"}, "more than one"},
		{"oversized report", nil, []string{"--report", big, "--pr", "12"}, "larger than"},
		{"report for another pull request", nil, []string{"--report", good, "--pr", "13"}, "made for pull request 12"},
		{"malformed head", nil, []string{"--report", good, "--pr", "12", "--head-sha", "main"}, "not a full commit SHA"},
		{"head moved on", map[string]string{"GITHUB_EVENT_NAME": "workflow_run", "GITHUB_EVENT_PATH": runEvent}, []string{"--report", good, "--pr", "12"}, "its head is at 111111111111"},
		{"comment never", nil, []string{"--report", good, "--pr", "12", "--comment", "never"}, "want always or on-change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := commentEnv(gh)
			for k, v := range tt.env {
				env[k] = v
			}
			before := len(gh.CallsOf("POST")) + len(gh.CallsOf("PATCH"))
			r := runCommentCmd(t, env, tt.args...)
			if r.code != result.ExitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", r.code, r.stderr, tt.want)
			}
			if after := len(gh.CallsOf("POST")) + len(gh.CallsOf("PATCH")); after != before {
				t.Errorf("refused input, yet %d writes to GitHub", after-before)
			}
		})
	}
	if n := len(gh.Comments(commentRepo, 12)) + len(gh.Comments(commentRepo, 13)); n != 0 {
		t.Errorf("%d comments were posted from refused input", n)
	}
}

// TestCommentHeadAndPermissions: the head from the workflow_run event
// must match the pull request's; a read-only token is exit 3.
func TestCommentHeadAndPermissions(t *testing.T) {
	gh := prcommenttest.New("", commentToken)
	defer gh.Close()
	gh.SetPull(commentRepo, 12, prHeadSHA)
	dir := t.TempDir()
	rep := commentReport(t, dir, 12, hostileFinding("config/a.env"))
	prFile := filepath.Join(dir, "pr-number")
	if err := os.WriteFile(prFile, []byte("12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"workflow_run":{"head_sha":"`+prHeadSHA+`","head_branch":"feature","head_repository":{"full_name":"someone/payments"},"html_url":"https://github.com/acme/payments/actions/runs/77"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	output := filepath.Join(dir, "output")
	env := commentEnv(gh)
	env["GITHUB_EVENT_NAME"], env["GITHUB_EVENT_PATH"], env["GITHUB_OUTPUT"] = "workflow_run", event, output

	gh.ReadOnly = true
	if r := runCommentCmd(t, env, "--report", rep, "--pr-file", prFile); r.code != result.ExitIncomplete {
		t.Errorf("read-only token: exit %d, want 3: %s", r.code, r.stderr)
	}
	gh.ReadOnly = false
	r := runCommentCmd(t, env, "--report", rep, "--pr-file", prFile)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	cs := gh.Comments(commentRepo, 12)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, report.Marker) {
		t.Errorf("comments %+v; want the one secretgate comment", cs)
	}
	var gotPull bool
	for _, c := range gh.CallsOf("GET") {
		gotPull = gotPull || c.Path == "/repos/acme/payments/pulls/12"
	}
	if !gotPull {
		t.Errorf("the pull request's head was not checked")
	}
	if b, _ := os.ReadFile(output); !strings.Contains(string(b), "comment-url") {
		t.Errorf("no comment-url step output: %q", b)
	}
}
