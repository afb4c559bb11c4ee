package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/result"
)

func runIssueCLI(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), append([]string{"issue"}, args...), &out, &errb, envOf(env))
	var ee *ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &ee):
		return ee.Code, out.String() + errb.String() + err.Error()
	}
	t.Fatalf("issue: %v", err)
	return -1, ""
}

// TestIssueCommandNights: merge then issue on three nights — the first
// creates the tracking issue, the second edits it with the trend (new,
// fixed, still open), the third is clean and closes it; step outputs name
// the issue.
func TestIssueCommandNights(t *testing.T) {
	srv := prcommenttest.New("/api/v3", "tok")
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ghOut := filepath.Join(dir, "github_output")
	env := map[string]string{"GITHUB_API_URL": srv.APIURL(), "GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "acme/platform",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "77", "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": ghOut}

	night := func(n int, date string, findings ...result.Finding) (int, string) {
		t.Helper()
		shard := filepath.Join(dir, date, "shard-1.json")
		writeAccountReport(t, shard, "111111111111", findings...)
		merged := filepath.Join(dir, date, "merged.json")
		args := []string{"--now", date, "--format", "json", "--output", merged, filepath.Dir(shard)}
		if n > 1 {
			args = append(args, "--previous", filepath.Join(dir, previousDate[date], "merged.json"))
		}
		if code, _, stderr := runMergeCLI(t, nil, args...); code > 1 {
			t.Fatalf("merge night %d: exit %d\n%s", n, code, stderr)
		}
		return runIssueCLI(t, env, "--report", merged, "--artifact", "secretgate-org-report")
	}

	code, out := night(1, "2026-12-03", namingFinding("BadOne", result.SeverityHigh), namingFinding("BadTwo", result.SeverityHigh))
	if code != 0 || !strings.Contains(out, "tracking issue #1 created: https://github.com/acme/platform/issues/1") {
		t.Fatalf("night 1: exit %d\n%s", code, out)
	}
	outputs, _ := os.ReadFile(ghOut)
	for _, want := range []string{"issue-action=created", "issue-number=1", "issue-url=https://github.com/acme/platform/issues/1"} {
		if !strings.Contains(string(outputs), want) {
			t.Errorf("step outputs lack %s:\n%s", want, outputs)
		}
	}
	code, out = night(2, "2026-12-04", namingFinding("BadTwo", result.SeverityHigh), namingFinding("BadThree", result.SeverityHigh))
	if code != 0 || !strings.Contains(out, "#1 updated") {
		t.Fatalf("night 2: exit %d\n%s", code, out)
	}
	is := srv.Issues("acme/platform")
	if len(is) != 1 || is[0].State != "open" || is[0].Title != "secretgate nightly: failing — 2 high" {
		t.Fatalf("after night 2: %+v", is)
	}
	for _, want := range []string{"<!-- secretgate:issue:organization -->\n", "xychart-beta", "BadThree", "/actions/runs/77"} {
		if !strings.Contains(is[0].Body, want) {
			t.Errorf("night 2's body lacks %q:\n%s", want, is[0].Body)
		}
	}
	if !strings.Contains(is[0].Body, "1 new") || !strings.Contains(is[0].Body, "1 fixed") || !strings.Contains(is[0].Body, "1 still open") {
		t.Errorf("night 2's body does not show the trend (1 new, 1 fixed, 1 still open):\n%s", is[0].Body)
	}
	code, out = night(3, "2026-12-05")
	if code != 0 || !strings.Contains(out, "#1 closed") {
		t.Fatalf("night 3: exit %d\n%s", code, out)
	}
	if is := srv.Issues("acme/platform"); len(is) != 1 || is[0].State != "closed" {
		t.Fatalf("after night 3: %+v", is)
	}
}

var previousDate = map[string]string{"2026-12-04": "2026-12-03", "2026-12-05": "2026-12-04"}

// TestIssueCommandErrors: usage errors are 2; GitHub refusing is 3.
func TestIssueCommandErrors(t *testing.T) {
	srv := prcommenttest.New("", "tok")
	t.Cleanup(srv.Close)
	srv.ReadOnly = true
	dir := t.TempDir()
	shard := filepath.Join(dir, "s.json")
	writeAccountReport(t, shard, "111111111111", namingFinding("Bad", result.SeverityHigh))
	env := map[string]string{"GITHUB_API_URL": srv.APIURL(), "GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "acme/platform"}
	for name, c := range map[string]struct {
		env  map[string]string
		args []string
		code int
	}{
		"no report":    {env, nil, 2},
		"missing":      {env, []string{"--report", filepath.Join(dir, "nope.json")}, 2},
		"bad key":      {env, []string{"--report", shard, "--key", "A B"}, 2},
		"bad repo":     {env, []string{"--report", shard, "--repo", "acme"}, 2},
		"no token":     {map[string]string{"GITHUB_REPOSITORY": "acme/platform"}, []string{"--report", shard}, 2},
		"bad author":   {env, []string{"--report", shard, "--author", "a b"}, 2},
		"read-only":    {env, []string{"--report", shard}, 3},
		"bad artifact": {env, []string{"--report", shard, "--artifact", "x y"}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			if code, out := runIssueCLI(t, c.env, c.args...); code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out)
			}
		})
	}
}
