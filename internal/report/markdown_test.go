package report

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/secretgate/secretgate/internal/result"
)

func TestMarkdownHeadline(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    result.Report
		want string
	}{
		{"failing", failingReport(), "### ❌ secretgate: 2 critical, 2 high, 1 medium, 1 low, 1 info — failing (fail-on: high); incomplete: iam could not check everything, 1 file could not be parsed · 2 waived\n"},
		{"clean", cleanReport(), "### ✅ secretgate: no findings — passing (fail-on: high)\n"},
		{"below threshold", func() result.Report {
			r := cleanReport()
			r.Findings = []result.Finding{{Rule: "r", Check: "naming", Severity: result.SeverityMedium, Message: "m", New: true}}
			return summarized(r, "high")
		}(), "### ✅ secretgate: 1 medium — passing (fail-on: high)\n"},
		{"incomplete only", func() result.Report {
			r := cleanReport()
			r.Checks[2] = result.Check{ID: result.CheckIAM, Status: result.StatusError, Error: "denied"}
			r.Findings = []result.Finding{{Rule: "r", Check: "naming", Severity: result.SeverityLow, Message: "m", New: true}}
			return summarized(r, "high")
		}(), "### ⚠️ secretgate incomplete: iam could not check everything — 1 low (fail-on: high)\n"},
		{"never", func() result.Report {
			r := failingReport()
			r.Checks = nil
			r.Inputs.Errors = nil
			return summarized(r, "never")
		}(), "### ✅ secretgate: 2 critical, 2 high, 1 medium, 1 low, 1 info — passing (fail-on: never) · 2 waived\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(render(t, FormatMarkdown, Options{}, tc.r))
			if !strings.HasPrefix(out, Marker+"\n") {
				t.Errorf("output does not start with the marker:\n%.200s", out)
			}
			lines := strings.SplitAfter(out, "\n")
			if len(lines) < 2 || lines[1] != tc.want {
				t.Errorf("headline\n got %q\nwant %q", lines[1], tc.want)
			}
		})
	}
}

// cells splits a table row the way GitHub (cmark-gfm) does: a pipe is a
// delimiter unless a backslash stands right before it.
func cells(row string) []string {
	row = strings.TrimSpace(row)
	var out []string
	start := 0
	for i := 0; i < len(row); i++ {
		if row[i] == '|' && (i == 0 || row[i-1] != '\\') {
			out = append(out, row[start:i])
			start = i + 1
		}
	}
	out = append(out, row[start:])
	// Leading and trailing pipes give empty outer pieces.
	return out[1 : len(out)-1]
}

// TestMarkdownHostileStructure renders values built to break out of the
// table, mention people or inject HTML, and checks the Markdown source the
// way GitHub will read it.
func TestMarkdownHostileStructure(t *testing.T) {
	out := string(render(t, FormatMarkdown, Options{}, hostileReport()))

	t.Run("tables keep their shape", func(t *testing.T) {
		width := 0
		for i, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "|") {
				width = 0
				continue
			}
			n := len(cells(line))
			if width == 0 {
				width = n
			} else if n != width {
				t.Errorf("line %d has %d cells, its table %d:\n%s", i+1, n, width, line)
			}
		}
	})
	t.Run("no raw HTML from the report", func(t *testing.T) {
		// Outside code spans, "<" only opens our own tags.
		prose := stripCode(out)
		for _, m := range regexp.MustCompile(`<[^>]*>?`).FindAllString(prose, -1) {
			switch m {
			case Marker, "<br>", "<details>", "</details>", "<summary>", "</summary>", "<sub>", "</sub>":
			default:
				t.Errorf("raw HTML %q in prose", m)
			}
		}
		if strings.Count(prose, "<!--") != 1 {
			t.Errorf("an HTML comment besides the marker")
		}
	})
	t.Run("no mentions", func(t *testing.T) {
		prose := stripCode(out)
		if m := regexp.MustCompile(`@[A-Za-z0-9]`).FindString(prose); m != "" {
			t.Errorf("mention %q outside code", m)
		}
	})
	t.Run("no unescaped syntax", func(t *testing.T) {
		prose := stripCode(out)
		// An unescaped character is one without a backslash before it.
		for _, bad := range []string{`]\(javascript:`, `~~`, `\$x`, `\[click`} {
			if m := regexp.MustCompile(`(^|[^\\])` + bad).FindString(prose); m != "" {
				t.Errorf("%q survived unescaped", m)
			}
		}
		for _, bad := range []string{"\x1b", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("control character %q in the output", bad)
			}
		}
	})
	t.Run("no newline inside a row", func(t *testing.T) {
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "|") && !strings.HasSuffix(line, "|") {
				t.Errorf("row does not end with a pipe: %q", line)
			}
		}
	})
	t.Run("details balanced", func(t *testing.T) {
		if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c {
			t.Errorf("%d <details>, %d </details>", o, c)
		}
	})
}

// stripCode removes inline code spans (any fence length) from Markdown
// source, leaving the prose a renderer would parse for HTML and mentions.
func stripCode(md string) string {
	var b strings.Builder
	for _, seg := range codeSegments(md) {
		if !seg.code {
			b.WriteString(seg.text)
		}
	}
	return b.String()
}

func TestMarkdownTrimming(t *testing.T) {
	big := manyFindings(6000)
	for _, tc := range []struct {
		name  string
		limit int
	}{
		{"default", 0},
		{"job summary size", 1 << 20},
		{"small", 8000},
		{"tiny", 300},
		{"smaller than the marker", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(render(t, FormatMarkdown, Options{MaxBytes: tc.limit, FullReportURL: "https://github.com/acme/payments/actions/runs/1"}, big))
			limit := tc.limit
			if limit == 0 {
				limit = DefaultMaxBytes
			}
			if len(out) > limit {
				t.Fatalf("%d bytes, limit %d", len(out), limit)
			}
			if !utf8.ValidString(out) {
				t.Error("cut inside a character")
			}
			if tc.limit == 10 {
				return
			}
			if !strings.HasPrefix(out, Marker) {
				t.Error("marker lost")
			}
			if tc.limit >= 8000 {
				if !strings.Contains(out, "more findings not shown here") || !strings.Contains(out, "see the job summary of the [workflow run](https://github.com/acme/payments/actions/runs/1)") {
					t.Error("no note about the findings left out")
				}
				if !strings.Contains(out, "</sub>\n") || strings.Count(out, "<details>") != strings.Count(out, "</details>") {
					t.Error("document not closed properly")
				}
				if tc.limit != 1<<20 && len(out) < limit-2000 {
					t.Errorf("only %d of %d bytes used", len(out), limit)
				}
				checkWorstKept(t, big, out)
			}
		})
	}
}

// checkWorstKept: when a finding of some severity is left out, no unwaived
// finding of a lower severity is shown.
func checkWorstKept(t *testing.T, r result.Report, out string) {
	t.Helper()
	shown := map[result.Severity]int{}
	hidden := map[result.Severity]int{}
	for _, f := range r.Findings {
		if f.Waived {
			continue
		}
		if strings.Contains(out, "`"+fileLine(f.File, f.Line)+"`") {
			shown[f.Severity]++
		} else {
			hidden[f.Severity]++
		}
	}
	for hs := range hidden {
		for ss := range shown {
			if ss < hs {
				t.Errorf("a %s finding is shown while a %s one is left out", ss, hs)
			}
		}
	}
	if shown[result.SeverityCritical] == 0 {
		t.Error("no critical finding shown")
	}
}

func TestMarkdownUnlimited(t *testing.T) {
	r := manyFindings(2000)
	out := string(render(t, FormatMarkdown, Options{MaxBytes: -1}, r))
	if strings.Contains(out, "not shown here") {
		t.Error("findings left out without a limit")
	}
	if n := strings.Count(out, "\n| "); n < 2000 {
		t.Errorf("%d rows, want every finding", n)
	}
}

func TestMarkdownNewAndExisting(t *testing.T) {
	out := string(render(t, FormatMarkdown, Options{}, failingReport()))
	newAt := strings.Index(out, "#### New findings (5)")
	oldAt := strings.Index(out, "<details><summary>Existing findings (2)")
	waivedAt := strings.Index(out, "<details><summary>Waived findings (2)")
	if newAt < 0 || oldAt < newAt || waivedAt < oldAt {
		t.Fatalf("sections missing or out of order: new %d, existing %d, waived %d", newAt, oldAt, waivedAt)
	}
	if i := strings.Index(out, "deploy-staging"); i < oldAt {
		t.Error("an existing finding is listed among the new ones")
	}

	// Outside pull requests, with nothing known from a base, there is just
	// one findings table.
	r := failingReport()
	r.Context.Mode = "nightly"
	for i := range r.Findings {
		r.Findings[i].New = true
	}
	out = string(render(t, FormatMarkdown, Options{}, r))
	if !strings.Contains(out, "#### Findings (7)") || strings.Contains(out, "Existing findings") {
		t.Error("a nightly report should have a single findings table")
	}
}

// TestMarkdownTrimmingWorkFollowsTheLimit: trimming a report of many
// findings to a small limit (the tracking issue's 65,000 bytes, a merged
// organisation report's 200,000 findings) renders about as many rows as
// fit, not every finding once per step of the search: the memory it
// allocates is the sorted copy of the findings plus a few documents of the
// limit's size, whatever the number of findings. (Rendering every row at
// every step took 750 MB and 13 s for the emulated organisation's merged
// report, docs/organizations.md#scale.)
func TestMarkdownTrimmingWorkFollowsTheLimit(t *testing.T) {
	const limit = 65000
	big := manyFindings(40000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out := render(t, FormatMarkdown, Options{MaxBytes: limit}, big)
	runtime.ReadMemStats(&after)
	if len(out) > limit || len(out) < limit-2000 || !strings.Contains(string(out), "more findings not shown here") {
		t.Fatalf("%d bytes for a limit of %d, or no note about the findings left out", len(out), limit)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	// The sorted copy (and the order of the findings), plus 40 documents
	// of the limit's size and their rows: the search's steps.
	budget := 2*uint64(len(big.Findings))*uint64(unsafe.Sizeof(result.Finding{})) + 80*limit
	t.Logf("%.1f MB allocated, budget %.1f MB", float64(alloc)/1e6, float64(budget)/1e6)
	if alloc > budget {
		t.Errorf("trimming %d findings to %d bytes allocated %.1f MB, want at most %.1f MB", len(big.Findings), limit, float64(alloc)/1e6, float64(budget)/1e6)
	}
	checkWorstKept(t, big, string(out))
}
