package merge

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// writePrevious writes a merged report as the JSON the nightly keeps for
// the next night, and returns it as that night's --previous (streamed).
func writePrevious(t *testing.T, r result.Report) *Previous {
	t.Helper()
	var b bytes.Buffer
	if err := (&report.JSON{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "merged.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return PreviousFile(path)
}

func findingsOf(r result.Report, resource string) []result.Finding {
	var out []result.Finding
	for _, f := range r.Findings {
		if f.Resource == resource {
			out = append(out, f)
		}
	}
	return out
}

// TestTrendCarriesFindingsNotRechecked: a lost shard's open findings are
// carried into the merged report, marked with the night they were last
// judged, listed in the Markdown report and never counted; the night after,
// found again they are still open (not new, not duplicated), gone from a
// judged account they are fixed, and carried again they keep their date.
func TestTrendCarriesFindingsNotRechecked(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	m, err := matrix.Build([]string{a, b}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	mediumA := live("naming-pattern", "in-a", result.SeverityMedium)
	highB := live("rotation-overdue", "in-b", result.SeverityHigh)
	d1, d2, d3 := night.Add(-24*time.Hour), night, night.Add(24*time.Hour)

	night1 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}, {File: "2.json", Report: accountReport(b, highB)}},
		Options{Matrix: &m, Now: d1})
	if night1.ExitCode() != result.ExitFindings {
		t.Fatalf("night 1 exit %d, want 1 (b's high finding)", night1.ExitCode())
	}

	// Night 2: shard 2's artifact is lost.
	night2 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}}, Options{Matrix: &m, Previous: writePrevious(t, night1), Now: d2})
	carried := findingsOf(night2, "in-b")
	if len(carried) != 1 || carried[0].CarriedSince != "2026-12-04T02:00:00Z" || carried[0].Account != b || carried[0].New {
		t.Fatalf("night 2: b's finding = %+v, want it carried since night 1, not new", carried)
	}
	if tr := night2.Trend; tr.NotRechecked != 1 || tr.Fixed != 0 || tr.New != 0 || tr.StillOpen != 1 {
		t.Errorf("night 2 trend = %+v", tr)
	}
	if s := night2.Summary; s.High != 0 || s.Medium != 1 || s.Failed || !s.Incomplete || night2.ExitCode() != result.ExitIncomplete {
		t.Errorf("night 2 summary %+v exit %d: the carried high finding must not count nor fail; the lost shard makes it incomplete (3)", s, night2.ExitCode())
	}
	for _, acc := range night2.Accounts {
		if acc.ID == b && (acc.Summary.High != 0 || acc.Status != result.AccountNotJudged) {
			t.Errorf("account b = %+v: not judged, its carried finding not counted", acc)
		}
	}
	if last := night2.Trend.History[len(night2.Trend.History)-1]; last.Open != 1 {
		t.Errorf("night 2's open findings = %d, want 1 (a carried finding is not counted open)", last.Open)
	}
	var md bytes.Buffer
	rep, _ := report.New(report.FormatMarkdown, report.Options{})
	if err := rep.Write(&md, night2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Not re-checked (1)", "**Not re-checked since 2026-12-04.**", "`in-b`", "1 not re-checked"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("night 2's Markdown lacks %q:\n%s", want, md.String())
		}
	}

	var text, sarif bytes.Buffer
	for _, w := range []struct {
		f   string
		out *bytes.Buffer
	}{{report.FormatText, &text}, {report.FormatSARIF, &sarif}} {
		rep, err := report.New(w.f, report.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.Write(w.out, night2); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(text.String(), "not re-checked (1)") || !strings.Contains(text.String(), "in-b  account 222222222222 — not re-checked since 2026-12-04") {
		t.Errorf("night 2's text report does not list the carried finding:\n%s", text.String())
	}
	if !strings.Contains(sarif.String(), "Not re-checked since 2026-12-04 (its account or check was not judged in this run)") {
		t.Errorf("night 2's SARIF does not say the finding was not re-checked")
	}

	// Night 2's report merged again with night 3's shard 2 (merging is
	// associative): the judged finding replaces the carried one.
	again := Merge([]Input{{File: "a-night2.json", Report: night2}, {File: "b-shard2.json", Report: accountReport(b, highB)}}, Options{Now: d3})
	if got := findingsOf(again, "in-b"); len(got) != 1 || got[0].Carried() || again.Summary.High != 1 {
		t.Errorf("b's finding merged again = %+v (summary %+v), want the judged one, counted", got, again.Summary)
	}

	prev2 := writePrevious(t, night2)
	t.Run("found again: still open, not new, once", func(t *testing.T) {
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}, {File: "2.json", Report: accountReport(b, highB)}},
			Options{Matrix: &m, Previous: prev2, Now: d3})
		got := findingsOf(night3, "in-b")
		if len(got) != 1 || got[0].Carried() || got[0].New {
			t.Errorf("b's finding = %+v, want one, judged (not carried), not new", got)
		}
		if tr := night3.Trend; tr.New != 0 || tr.StillOpen != 2 || tr.Fixed != 0 || tr.NotRechecked != 0 {
			t.Errorf("trend = %+v, want 2 still open", tr)
		}
		if night3.Summary.High != 1 || night3.ExitCode() != result.ExitFindings {
			t.Errorf("summary %+v: judged again, it counts", night3.Summary)
		}
	})
	t.Run("judged and gone: fixed", func(t *testing.T) {
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}, {File: "2.json", Report: accountReport(b)}},
			Options{Matrix: &m, Previous: prev2, Now: d3})
		if got := findingsOf(night3, "in-b"); len(got) != 0 {
			t.Errorf("b's fixed finding still in the report: %+v", got)
		}
		if tr := night3.Trend; tr.Fixed != 1 || len(tr.FixedFindings) != 1 || tr.FixedFindings[0].Resource != "in-b" || tr.NotRechecked != 0 {
			t.Errorf("trend = %+v, want b's finding fixed", tr)
		}
	})
	t.Run("an account the matrix no longer lists: not carried", func(t *testing.T) {
		onlyA, err := matrix.Build([]string{a}, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}}, Options{Matrix: &onlyA, Previous: prev2, Now: d3})
		if got := findingsOf(night3, "in-b"); len(got) != 0 || night3.Trend.NotRechecked != 1 {
			t.Errorf("b's finding = %+v, not re-checked %d; want it counted, not carried", got, night3.Trend.NotRechecked)
		}
	})
	t.Run("without the matrix, a shard missing: an unknown account's finding carried", func(t *testing.T) {
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}}, Options{ExpectShards: 2, Previous: prev2, Now: d3})
		got := findingsOf(night3, "in-b")
		if len(got) != 1 || got[0].CarriedSince != "2026-12-04T02:00:00Z" || got[0].New {
			t.Errorf("b's finding = %+v, want carried since night 1: the missing shard may have held b", got)
		}
		if night3.ExitCode() != result.ExitIncomplete {
			t.Errorf("exit %d, want 3 (a shard is missing)", night3.ExitCode())
		}
	})
	t.Run("without the matrix, a report unreadable: an unknown account's finding carried", func(t *testing.T) {
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}, {File: "2.json", Err: os.ErrNotExist}}, Options{Previous: prev2, Now: d3})
		if got := findingsOf(night3, "in-b"); len(got) != 1 || !got[0].Carried() {
			t.Errorf("b's finding = %+v, want carried: the unreadable report may have held b", got)
		}
	})
	t.Run("without the matrix, every report read: an unknown account's finding not carried", func(t *testing.T) {
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}}, Options{ExpectShards: 1, Previous: prev2, Now: d3})
		if got := findingsOf(night3, "in-b"); len(got) != 0 || night3.Trend.NotRechecked != 1 {
			t.Errorf("b's finding = %+v, not re-checked %d; want it counted, not carried", got, night3.Trend.NotRechecked)
		}
	})
	t.Run("lost again: carried with its first date", func(t *testing.T) {
		night3 := Merge([]Input{{File: "1.json", Report: accountReport(a, mediumA)}}, Options{Matrix: &m, Previous: prev2, Now: d3})
		got := findingsOf(night3, "in-b")
		if len(got) != 1 || got[0].CarriedSince != "2026-12-04T02:00:00Z" {
			t.Errorf("b's finding = %+v, want carried since night 1 still", got)
		}
	})
}

// TestPreviousFileRefuses: the streamed previous report is refused as
// ReadReport refuses a report, and nothing of a refused one is applied.
func TestPreviousFileRefuses(t *testing.T) {
	good := Merge([]Input{{File: "1.json", Report: accountReport("111111111111", live("naming-pattern", "x", result.SeverityHigh))}}, Options{Now: night})
	var b bytes.Buffer
	if err := (&report.JSON{}).Write(&b, good); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	cut := strings.Index(doc, `"inputs"`)
	for name, tc := range map[string]struct{ body, want string }{
		"two documents":  {doc + doc, "more than one JSON document"},
		"cut short":      {doc[:cut], "not a JSON report"},
		"another schema": {strings.Replace(doc, result.Schema, "other/v9", 1), `schema "other/v9"`},
		"not an object":  {"[]", "not a JSON report"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "prev.json")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := Merge([]Input{{File: "1.json", Report: accountReport("222222222222")}}, Options{Previous: PreviousFile(path), Now: night.Add(time.Hour)})
			if rep.Trend != nil || len(rep.Findings) != 0 || len(rep.Merge.Problems) != 1 ||
				!strings.Contains(rep.Merge.Problems[0].Message, tc.want) || rep.Merge.Problems[0].File != path || !rep.Summary.Incomplete {
				t.Errorf("trend %v, %d findings, problems %+v; want no trend, nothing carried, %q named", rep.Trend, len(rep.Findings), rep.Merge.Problems, tc.want)
			}
		})
	}
}

// TestPreviousCosts: the matrix's costs come from the previous report's
// accounts (a merged report) or its checks (one account's), its findings
// skipped; a report that cannot be read is an error.
func TestPreviousCosts(t *testing.T) {
	one := accountReport("111111111111", live("naming-pattern", "x", result.SeverityHigh))
	merged := Merge([]Input{{File: "1.json", Report: one}, {File: "2.json", Report: accountReport("222222222222")}}, Options{Now: night})
	for name, tc := range map[string]struct {
		r    result.Report
		want map[string]int64
	}{
		"merged":      {merged, map[string]int64{"111111111111": 100, "222222222222": 100}},
		"one account": {one, map[string]int64{"111111111111": 100}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := PreviousCosts(writePrevious(t, tc.r).Name)
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("costs %v, %v; want %v", got, err, tc.want)
			}
			for id, c := range tc.want {
				if got[id] != c {
					t.Errorf("cost of %s = %d, want %d", id, got[id], c)
				}
			}
		})
	}
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"schema":"other/v9","accounts":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := PreviousCosts(path); err == nil || !strings.Contains(err.Error(), "other/v9") {
		t.Errorf("err = %v, want the schema refused", err)
	}
}

// TestMergeAgainDoesNotCountCarried: a merged report merged again (its
// carried findings among the inputs) counts its carried findings nowhere —
// not in the account's row, not in the check's status — as the report's
// summary does not: the account is not judged, the check not failed by a
// finding nobody re-checked.
func TestMergeAgainDoesNotCountCarried(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	m, err := matrix.Build([]string{a, b}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	highB := live("rotation-overdue", "in-b", result.SeverityHigh)
	night1 := Merge([]Input{{File: "1.json", Report: accountReport(a)}, {File: "2.json", Report: accountReport(b, highB)}},
		Options{Matrix: &m, Now: night.Add(-24 * time.Hour)})
	night2 := Merge([]Input{{File: "1.json", Report: accountReport(a)}}, Options{Matrix: &m, Previous: writePrevious(t, night1), Now: night})
	if got := findingsOf(night2, "in-b"); len(got) != 1 || !got[0].Carried() {
		t.Fatalf("night 2: b's finding = %+v, want it carried", got)
	}
	check := func(name string, r result.Report) {
		t.Helper()
		for _, acc := range r.Accounts {
			if acc.ID == b && (acc.Summary.High != 0 || acc.Summary.Failed) {
				t.Errorf("%s: account b's row %+v counts its carried finding", name, acc.Summary)
			}
		}
		for _, c := range r.Checks {
			if c.ID == "naming" && c.Status != result.StatusOK {
				t.Errorf("%s: check naming is %s, want ok: its only failing finding is carried", name, c.Status)
			}
		}
		if r.Summary.High != 0 || r.Summary.Failed || r.ExitCode() != result.ExitIncomplete {
			t.Errorf("%s: summary %+v exit %d, want the carried finding uncounted, incomplete", name, r.Summary, r.ExitCode())
		}
	}
	check("night 2", night2)
	check("night 2 merged again", Merge([]Input{{File: "night2.json", Report: night2}}, Options{Now: night.Add(time.Hour)}))
}
