package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/result"
)

// manyLeaks is a report with n leak findings in 7 rules, plus the failing
// fixture's checks and findings: enough to switch the text report to its
// compact form when n is large.
func manyLeaks(n int) result.Report {
	r := manyFindings(n)
	f := failingReport()
	r.Checks = f.Checks
	r.Findings = append(r.Findings, f.Findings...)
	return summarized(r, "high")
}

func TestTextCompactGolden(t *testing.T) {
	got := render(t, FormatText, Options{}, manyLeaks(60))
	path := filepath.Join("testdata", "golden", "many.compact.txt")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("compact text differs from %s (-want +got):\n%s", path, diff)
	}
}

// TestTextCompactness: above CompactAbove findings each finding is one
// line and each rule's fix is printed once, with a count per rule at the
// end; at or below it, and with Verbose, each finding has its own fix.
func TestTextCompactness(t *testing.T) {
	tests := []struct {
		name    string
		report  result.Report
		opts    Options
		compact bool
	}{
		{"few findings: full view", manyLeaks(CompactAbove - len(failingReport().Findings) + 2), Options{}, false},
		{"many findings: compact", manyLeaks(300), Options{}, true},
		{"many findings, verbose: full view", manyLeaks(300), Options{Verbose: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(render(t, FormatText, tt.opts, tt.report))
			fixes := strings.Count(out, "fix: Remove the value and rotate it.")
			var active, waived, leakRules int
			rules := map[string]bool{}
			for _, f := range tt.report.Findings {
				if f.Waived {
					waived++ // listed one line each, under waived
				}
				if !f.Waived && f.Remediation == "Remove the value and rotate it." {
					active++
					rules[f.Rule] = true
				}
			}
			leakRules = len(rules)
			if tt.compact {
				if fixes != leakRules {
					t.Errorf("fix printed %d times, want once per rule (%d)", fixes, leakRules)
				}
				if !strings.Contains(out, "findings by rule:") {
					t.Error("no count per rule")
				}
				// Besides one line per finding: headers, 7 rule groups of
				// two lines, the other checks, the count table and the summary.
				if lines := strings.Count(out, "\n"); lines > active+waived+90 {
					t.Errorf("%d lines for %d findings and %d waived: not one line each", lines, active, waived)
				}
			} else {
				if fixes != active {
					t.Errorf("fix printed %d times, want once per finding (%d)", fixes, active)
				}
				if strings.Contains(out, "findings by rule:") {
					t.Error("count per rule in the full view")
				}
			}
		})
	}
}

// TestTextShowSeverity: the display filter hides findings below it from
// the lists, says how many, and leaves the counts alone.
func TestTextShowSeverity(t *testing.T) {
	r := failingReport()
	out := string(render(t, FormatText, Options{ShowSeverity: result.SeverityHigh}, r))
	for _, f := range r.Findings {
		if f.Waived {
			continue
		}
		listed := strings.Contains(out, "  "+f.Rule+"  ")
		if want := f.Severity >= result.SeverityHigh; listed != want {
			t.Errorf("%s (%s) listed %v, want %v", f.Rule, f.Severity, listed, want)
		}
	}
	if !strings.Contains(out, "below high not shown (--show-severity)") {
		t.Errorf("no note about hidden findings:\n%s", out)
	}
	if !strings.Contains(out, "summary: 2 critical, 2 high, 1 medium, 1 low, 1 info") {
		t.Errorf("counts changed by the display filter:\n%s", out)
	}
	// A check's line counts its findings, shown or not (rotation has a
	// high, a low and an info finding; only the high one is listed).
	if !strings.Contains(out, "rotation: failed (4 secrets, 3 findings)") {
		t.Errorf("the check line counts only the findings shown:\n%s", out)
	}
}

// TestTextErrorOncePerReason: one unparsable file stops four checks; the
// report says so in one line naming them, not four times.
func TestTextErrorOncePerReason(t *testing.T) {
	msg := "1 file(s) could not be parsed, first p.json:2: invalid character 'x' looking for beginning of value (column 11)"
	r := result.Report{Checks: []result.Check{
		{ID: result.CheckNaming, Status: result.StatusError, Error: msg},
		{ID: result.CheckRotation, Status: result.StatusError, Error: msg},
		{ID: result.CheckIAM, Status: result.StatusError, Error: msg},
		{ID: result.CheckTrust, Status: result.StatusError, Error: msg},
		{ID: result.CheckLeaks, Status: result.StatusError, Error: "scan: boom"},
	}}
	r = summarized(r, "high")
	out := string(render(t, FormatText, Options{}, r))
	if n := strings.Count(out, msg); n != 1 {
		t.Errorf("the error is printed %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "naming, rotation, iam, trust: error — "+msg) {
		t.Errorf("no line naming the four checks:\n%s", out)
	}
	if !strings.Contains(out, "leaks: error — scan: boom") {
		t.Errorf("a different error merged:\n%s", out)
	}
}

// TestCompactLineSaysItsAssumptions: two variants of one resource (the
// branches of an Fn::If) differ by their assumptions, which the clipped
// message would cut off: the compact line shows them.
func TestCompactLineSaysItsAssumptions(t *testing.T) {
	r := manyLeaks(30)
	var f result.Finding
	for _, x := range r.Findings {
		if !x.Waived {
			f = x
			break
		}
	}
	f.Message = strings.Repeat("long message ", 20) + "(assuming condition IsMain is false)"
	f.Assumptions = []string{"condition IsMain is false"}
	f.Fingerprint = "variant"
	r.Findings = append(r.Findings, f)
	out := string(render(t, FormatText, Options{}, summarized(r, "high")))
	if !strings.Contains(out, "[assuming condition IsMain is false]") {
		t.Errorf("no compact line names the assumption:\n%s", out)
	}
}

// TestThousandFindingsOfOneRule is the measure: 1,000 findings of
// the same rule print as about one line per finding plus a short header
// and footer.
func TestThousandFindingsOfOneRule(t *testing.T) {
	r := result.Report{Schema: result.Schema, Context: result.Context{Mode: "local"},
		Checks: []result.Check{{ID: result.CheckLeaks, Status: result.StatusFailed, Resources: 1000, Unit: result.UnitFiles}}}
	for i := range 1000 {
		r.Findings = append(r.Findings, result.Finding{
			Rule: "leaks-secret", Check: result.CheckLeaks, Severity: result.SeverityHigh,
			Title: "No credentials in the repository", Resource: fmt.Sprintf("svc/%d.env", i),
			File: fmt.Sprintf("svc/%d.env", i), Line: 1, Message: "Possible AWS access key: a match AKIA… in this file.",
			Remediation: "Treat the value as compromised and rotate it.\nThen remove it from the code.", Fingerprint: fmt.Sprint(i), New: true,
		})
	}
	r = summarized(r, "high")
	out := string(render(t, FormatText, Options{}, r))
	lines := strings.Count(out, "\n")
	if lines > 1000+25 {
		t.Errorf("%d lines for 1,000 findings of one rule, want at most 1,025", lines)
	}
	if n := strings.Count(out, "rotate it."); n != 1 {
		t.Errorf("the fix is printed %d times, want once", n)
	}
	t.Logf("1,000 findings of one rule: %d lines (verbose: %d)", lines, strings.Count(string(render(t, FormatText, Options{Verbose: true}, r)), "\n"))
}
