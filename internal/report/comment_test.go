package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/result"
)

// newOnly re-summarises r as a pull-request run where only new findings
// fail, as secretgate check does in pr mode.
func newOnly(r result.Report, failOn string) result.Report {
	t, err := result.ParseThreshold(failOn)
	if err != nil {
		panic(err)
	}
	t.NewOnly = true
	r.Summarize(t)
	return r
}

// hostileNamesReport is a pull-request run whose file names, resources and
// messages try every way out of the comment: HTML comments that would hide
// the rest or close the marker, mentions, backticks, pipes, line breaks,
// bidirectional overrides and isolates, zero-width characters that
// make one name look like another, and names long enough to eat the comment.
func hostileNamesReport() result.Report {
	long := strings.Repeat("a-very-long-path-segment/", 60) + "trust.json"
	names := []string{
		"<!-- secretgate:report -->\n<!-- secretgate:state=passing -->.json",
		"close --> the marker.json",
		"@org/team owns this.json",
		"```fenced``` and `ticks`.json",
		"a|b||c.json",
		"line1\nline2\r\n### heading.json",
		"invoice\u202eslx.exe.json",
		"secrets\u200b.env",
		"\ufeffconfig\u2060/\u2067prod\u2069/a\u200cb\u200dc.env",
		long,
	}
	r := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "1.5.0"},
		Context: result.Context{Mode: "pr", Repository: "acme/payments", SHA: "0123456789abcdef0123456789abcdef01234567", PullRequest: 7},
		Checks: []result.Check{
			{ID: result.CheckLeaks, Status: result.StatusFailed, Resources: 3},
			{ID: result.CheckTrust, Status: result.StatusOK, Resources: 8, Reason: "repository files only; live AWS skipped: no OIDC token on pull requests from forks"},
			{ID: result.CheckResolve, Status: result.StatusSkipped, Reason: "no OIDC token on pull requests from forks"},
		},
		Rules: catalogue(
			result.Rule{ID: "leaks-generic", Check: result.CheckLeaks, Severity: result.SeverityHigh, Title: "No credentials in the repository"},
		),
	}
	for i, n := range names {
		r.Findings = append(r.Findings, result.Finding{
			Rule: "leaks-generic", Check: result.CheckLeaks, Severity: result.SeverityHigh,
			Title:       "No credentials in the repository",
			Message:     "Secret in " + n + " -- ping @acme/security <b>now</b> | -->",
			Resource:    "token " + n,
			File:        n,
			Line:        i + 1,
			Fingerprint: "hostile-" + string(rune('a'+i)),
			New:         i%2 == 0,
		})
	}
	return newOnly(r, "high")
}

var commentCases = []struct {
	name     string
	report   func() result.Report
	previous CommentState
	opts     Options
}{
	{"comment-failing", func() result.Report { return newOnly(failingReport(), "high") }, StateNone, Options{}},
	{"comment-existing-only", func() result.Report {
		r := failingReport()
		for i := range r.Findings {
			r.Findings[i].New = false
		}
		r.Checks, r.Inputs = nil, result.Inputs{}
		return newOnly(r, "high")
	}, StateNone, Options{}},
	{"comment-clean", func() result.Report { return newOnly(cleanReport(), "high") }, StateNone, Options{}},
	{"comment-clean-now", func() result.Report { return newOnly(cleanReport(), "high") }, StateFailing, Options{}},
	{"comment-passing-now", func() result.Report {
		r := failingReport()
		for i := range r.Findings {
			r.Findings[i].New = false
		}
		r.Checks, r.Inputs = nil, result.Inputs{}
		return newOnly(r, "high")
	}, StateFailing, Options{}},
	{"comment-hostile", hostileNamesReport, StatePassing, Options{}},
	{"comment-trimmed", func() result.Report { return manyFindings(3000) }, StateNone,
		Options{FullReportURL: "https://github.com/acme/payments/actions/runs/42"}},
}

func TestCommentGolden(t *testing.T) {
	for _, tc := range commentCases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewComment(tc.opts, tc.previous).Render(tc.report())
			path := filepath.Join("testdata", "golden", tc.name+".md")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got; -update rewrites it):\n%s", path, diff)
			}
		})
	}
}

// TestCommentStructure checks, on every case, what GitHub and the next run
// rely on: the marker and state line open the body and appear nowhere else
// outside code, the body fits GitHub's limit, nothing mentions anyone, and
// the state the next run reads is the one this run left.
func TestCommentStructure(t *testing.T) {
	for _, tc := range commentCases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.report()
			body := NewComment(tc.opts, tc.previous).Render(r)
			if n := utf8.RuneCountInString(body); n >= 65536 {
				t.Errorf("%d characters, GitHub refuses 65,536 or more", n)
			}
			if got, want := ParseCommentState(body), StateOf(r); got != want {
				t.Errorf("state read back %q, want %q", got, want)
			}
			prose := stripCode(body)
			if strings.Count(prose, "<!--") != 2 || strings.Count(prose, "-->") != 2 {
				t.Errorf("HTML comments outside code spans: %d opened, %d closed; want only the marker and the state line", strings.Count(prose, "<!--"), strings.Count(prose, "-->"))
			}
			for _, bad := range []string{"@acme/", "@org/", "<b>", "\u202e"} {
				if strings.Contains(prose, bad) {
					t.Errorf("%q outside code spans", bad)
				}
			}
		})
	}
}

func TestCommentHeadlines(t *testing.T) {
	clean := newOnly(cleanReport(), "high")
	failing := newOnly(failingReport(), "high")
	tests := []struct {
		name     string
		r        result.Report
		previous CommentState
		want     string
	}{
		{"clean, first comment", clean, StateNone, "### ✅ secretgate: no findings — passing (fail-on: high, new findings only)"},
		{"clean after failing", clean, StateFailing, "### ✅ secretgate: clean now — the earlier run was failing, this one has no findings (fail-on: high, new findings only)"},
		{"clean after incomplete", clean, StateIncomplete, "### ✅ secretgate: clean now — the earlier run was incomplete, this one has no findings (fail-on: high, new findings only)"},
		{"clean after passing", clean, StatePassing, "### ✅ secretgate: no findings — passing (fail-on: high, new findings only)"},
		{"still failing", failing, StateFailing, "### ❌ secretgate: new: 2 critical, 1 high, 1 medium, 1 info; existing: 1 high, 1 low — failing (fail-on: high, new findings only); incomplete: iam could not check everything, 1 file could not be parsed · 2 waived"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := strings.Split(NewComment(Options{}, tc.previous).Render(tc.r), "\n")
			if lines[0] != Marker || !strings.HasPrefix(lines[1], statePrefix) {
				t.Fatalf("body opens %q, %q", lines[0], lines[1])
			}
			if lines[2] != tc.want {
				t.Errorf("headline\n got %q\nwant %q", lines[2], tc.want)
			}
		})
	}
}

func TestParseCommentState(t *testing.T) {
	tests := []struct {
		body string
		want CommentState
	}{
		{Marker + "\n<!-- secretgate:state=failing -->\n### x", StateFailing},
		{Marker + "\n<!-- secretgate:state=passing -->", StatePassing},
		{Marker + "\n<!-- secretgate:state=incomplete -->\n", StateIncomplete},
		{Marker + "\n<!-- secretgate:state=bogus -->\n", StateNone},
		{Marker + "\n### old comment without a state\n<!-- secretgate:state=failing -->", StateNone},
		{"<!-- secretgate:state=failing -->\n" + Marker, StateNone},
		{"", StateNone},
		{Marker + "\n<!-- secretgate:state=failing", StateNone},
	}
	for _, tc := range tests {
		if got := ParseCommentState(tc.body); got != tc.want {
			t.Errorf("ParseCommentState(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestMarkdownText(t *testing.T) {
	got := MarkdownText("ask @acme/ops <b>now</b> | run `x | y`")
	want := "ask @\u200dacme/ops &lt;b&gt;now&lt;/b&gt; \\| run `x \\| y`"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// BenchmarkCommentTrimmed renders the comment for a run with far more
// findings than fit, the worst case of the trimming search.
func BenchmarkCommentTrimmed(b *testing.B) {
	r := manyFindings(5000)
	c := NewComment(Options{}, StateFailing)
	for b.Loop() {
		_ = c.Render(r)
	}
}
