package report

import (
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

func orgReport() result.Report {
	r := result.Report{
		Schema: result.Schema,
		Checks: []result.Check{{ID: "naming", Status: result.StatusOK, Resources: 4}},
		Accounts: []result.Account{
			{ID: "111111111111", Status: result.AccountJudged, Summary: result.Summary{High: 2}},
			{ID: "222222222222", Status: result.AccountNotJudged, Reason: "sts:AssumeRole refused | <b>@admins</b>"},
			{ID: "333333333333", Status: result.AccountJudged},
		},
		Merge: &result.Merge{Date: "2026-12-05T02:00:00Z", Reports: 2, Problems: []result.MergeProblem{{Shard: 3, Message: "no report of shard 3"}}},
		Trend: &result.Trend{Previous: "2026-12-04T02:00:00Z", New: 1, Fixed: 2, StillOpen: 3,
			History: []result.TrendPoint{{Date: "x\"]\n  pie", Open: 5}, {Date: "2026-12-05T02:00:00Z", Open: 4}}},
	}
	r.Summarize(result.Threshold{Min: result.SeverityHigh})
	return r
}

func TestMarkdownOrganisation(t *testing.T) {
	var b strings.Builder
	if err := (&Markdown{}).Write(&b, orgReport()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"#### Organisation — 3 accounts: 2 judged, 1 not judged",
		// Worst first: the account not judged, then the one with findings.
		"| `222222222222` | 0 | 0 | 0 | 0 | 0 | ⛔ **not judged**: sts:AssumeRole refused \\| &lt;b&gt;@\u200dadmins&lt;/b&gt; |\n| `111111111111` | 0 | 2 |",
		"| shard 3 | no report of shard 3 |",
		"#### Trend since 2026-12-04 — 1 new, 2 fixed, 3 still open",
		`x-axis ["?", "12-05"]`,
		"bar [5, 4]",
		"incomplete: 1 account not judged, 1 report missing or unreadable",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "pie") || strings.Contains(md, "<b>") {
		t.Errorf("hostile text reached the Markdown:\n%s", md)
	}
}

func TestTextOrganisation(t *testing.T) {
	var b strings.Builder
	if err := (&Text{}).Write(&b, orgReport()); err != nil {
		t.Fatal(err)
	}
	txt := b.String()
	for _, want := range []string{
		"INCOMPLETE",
		"3 accounts: 2 judged, 1 not judged",
		"  222222222222 not judged: sts:AssumeRole refused",
		"  report shard 3: no report of shard 3",
		"trend since 2026-12-04: 1 new, 2 fixed, 3 still open",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
}

// TestSARIFAccountsApart: the same resource name in two accounts gives two
// SARIF results with different fingerprints; a finding without an account
// keeps its own.
func TestSARIFAccountsApart(t *testing.T) {
	r := result.Report{Schema: result.Schema, Findings: []result.Finding{
		{Rule: "naming-pattern", Check: "naming", Resource: "x", Fingerprint: "fp", Account: "111111111111"},
		{Rule: "naming-pattern", Check: "naming", Resource: "x", Fingerprint: "fp", Account: "222222222222"},
		{Rule: "leaks-aws-key", Check: "leaks", Resource: "a.py", File: "a.py", Fingerprint: "fp2"},
	}}
	var b strings.Builder
	if err := (&SARIF{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"secretgate/v1": "111111111111/fp"`, `"secretgate/v1": "222222222222/fp"`, `"secretgate/v1": "fp2"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}
}
