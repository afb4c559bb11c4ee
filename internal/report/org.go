package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// Limits of the organisation sections, so that a report of thousands of
// accounts still fits a job summary: the worst accounts are listed, the
// rest counted.
const (
	mdMaxAccounts   = 100
	textMaxAccounts = 20
	mdMaxFixed      = 20
)

// orgIncomplete says what makes a merged report incomplete beyond its
// checks: accounts not judged and inputs that could not be used.
func orgIncomplete(r result.Report) []string {
	var why []string
	notJudged, partial := 0, 0
	for _, a := range r.Accounts {
		switch a.Status {
		case result.AccountJudged, result.AccountExcluded:
		case result.AccountIncomplete:
			partial++
		default:
			notJudged++
		}
	}
	if notJudged > 0 {
		why = append(why, plural(notJudged, "account", "accounts")+" not judged")
	}
	if partial > 0 {
		why = append(why, plural(partial, "account", "accounts")+" checked in part")
	}
	if r.Merge != nil && len(r.Merge.Problems) > 0 {
		why = append(why, plural(len(r.Merge.Problems), "report", "reports")+" missing or unreadable")
	}
	return why
}

// worstAccounts orders accounts worst first: not judged, checked in
// part, then by findings from critical down, then by id; the accounts the
// configuration excludes last.
func worstAccounts(as []result.Account) []result.Account {
	out := slices.Clone(as)
	slices.SortStableFunc(out, func(a, b result.Account) int {
		sa, sb := a.Summary, b.Summary
		return cmp.Or(
			cmp.Compare(accountRank(b.Status), accountRank(a.Status)),
			cmp.Compare(sb.Critical, sa.Critical), cmp.Compare(sb.High, sa.High),
			cmp.Compare(sb.Medium, sa.Medium), cmp.Compare(sb.Low, sa.Low),
			cmp.Compare(sb.Info, sa.Info), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func accountRank(s result.AccountStatus) int {
	switch s {
	case result.AccountExcluded:
		return -1
	case result.AccountJudged:
		return 0
	case result.AccountIncomplete:
		return 1
	}
	return 2
}

// accountCounts reads "200 accounts: 197 judged, 1 checked in part, 2 not
// judged".
func accountCounts(as []result.Account) string {
	var judged, partial, not, excluded int
	for _, a := range as {
		switch a.Status {
		case result.AccountJudged:
			judged++
		case result.AccountExcluded:
			excluded++
		case result.AccountIncomplete:
			partial++
		default:
			not++
		}
	}
	s := fmt.Sprintf("%s: %d judged", plural(len(as), "account", "accounts"), judged)
	if partial > 0 {
		s += fmt.Sprintf(", %d checked in part", partial)
	}
	if not > 0 {
		s += fmt.Sprintf(", %d not judged", not)
	}
	if excluded > 0 {
		s += fmt.Sprintf(", %d excluded", excluded)
	}
	return s
}

// writeOrganisation is the Markdown organisation summary: one row per
// account (the worst mdMaxAccounts), the inputs that could not be used and
// the trend.
func writeOrganisation(b *strings.Builder, r result.Report) {
	if len(r.Accounts) > 0 {
		fmt.Fprintf(b, "#### Organisation — %s\n\n", accountCounts(r.Accounts))
		b.WriteString("| Account | Critical | High | Medium | Low | Info | Status |\n|---|--:|--:|--:|--:|--:|---|\n")
		rows := worstAccounts(r.Accounts)
		for i, a := range rows {
			if i == mdMaxAccounts {
				fmt.Fprintf(b, "| … | | | | | | %d more accounts (the JSON report lists every one) |\n", len(rows)-mdMaxAccounts)
				break
			}
			name := mdCode(safetext.Clip(a.ID, mdMaxName), true)
			if a.Name != "" {
				name += " " + mdInline(safetext.Clip(a.Name, mdMaxName))
			}
			s := a.Summary
			fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %d | %s |\n", name, s.Critical, s.High, s.Medium, s.Low, s.Info, accountStatusCell(a))
		}
		b.WriteString("\n")
	}
	if r.Merge != nil && len(r.Merge.Problems) > 0 {
		fmt.Fprintf(b, "**Reports missing or unreadable:** %d, so the run is incomplete.\n\n", len(r.Merge.Problems))
		b.WriteString("| Report | Problem |\n|---|---|\n")
		for i, p := range r.Merge.Problems {
			if i == mdMaxProblem {
				fmt.Fprintf(b, "| … | %d more |\n", len(r.Merge.Problems)-mdMaxProblem)
				break
			}
			fmt.Fprintf(b, "| %s | %s |\n", problemSource(p, true), mdInline(safetext.Clip(p.Message, mdMaxFix)))
		}
		b.WriteString("\n")
	}
	writeTrend(b, r.Trend)
}

func accountStatusCell(a result.Account) string {
	switch a.Status {
	case result.AccountJudged:
		if a.Summary.Failed {
			return "❌ failing"
		}
		return "✅ judged"
	case result.AccountIncomplete:
		return "⚠️ checked in part: " + mdInline(safetext.Clip(orDefault(a.Reason, "see the JSON report"), mdMaxFix))
	case result.AccountExcluded:
		return "➖ excluded: " + mdInline(safetext.Clip(orDefault(a.Reason, "by the configuration"), mdMaxFix))
	}
	return "⛔ **not judged**: " + mdInline(safetext.Clip(orDefault(a.Reason, "no reason given"), mdMaxFix))
}

func problemSource(p result.MergeProblem, md bool) string {
	switch {
	case p.File != "" && md:
		return mdCode(safetext.Clip(p.File, mdMaxName), true)
	case p.File != "":
		return termLine(p.File)
	case p.Shard > 0:
		return fmt.Sprintf("shard %d", p.Shard)
	}
	return "—"
}

// writeTrend is the comparison with the previous night and, from two
// nights on, a Mermaid chart of the open findings per night.
func writeTrend(b *strings.Builder, t *result.Trend) {
	if t == nil {
		return
	}
	since := "the previous report"
	if d := shortDate(t.Previous, "2006-01-02"); d != "" {
		since = d
	}
	fmt.Fprintf(b, "#### Trend since %s — %d new, %d fixed, %d still open", since, t.New, t.Fixed, t.StillOpen)
	if t.NotRechecked > 0 {
		fmt.Fprintf(b, ", %d not re-checked (account or check not judged)", t.NotRechecked)
	}
	b.WriteString("\n\n")
	if len(t.History) >= 2 {
		labels := make([]string, len(t.History))
		open := make([]string, len(t.History))
		top := 1
		for i, p := range t.History {
			labels[i] = `"` + cmp.Or(shortDate(p.Date, "01-02"), "?") + `"`
			open[i] = fmt.Sprint(max(p.Open, 0))
			top = max(top, p.Open)
		}
		b.WriteString("```mermaid\nxychart-beta\n  title \"Open findings per night\"\n")
		fmt.Fprintf(b, "  x-axis [%s]\n  y-axis \"open findings\" 0 --> %d\n  bar [%s]\n```\n\n", strings.Join(labels, ", "), top, strings.Join(open, ", "))
	}
	if n := len(t.FixedFindings); n > 0 {
		fmt.Fprintf(b, "<details><summary>Fixed since (%d)</summary>\n\n", t.Fixed)
		b.WriteString("| Severity | Rule | Resource | Account |\n|---|---|---|---|\n")
		for i, f := range t.FixedFindings {
			if i == mdMaxFixed {
				fmt.Fprintf(b, "| … | | | %d more |\n", t.Fixed-mdMaxFixed)
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", badge(f.Severity), mdName(f.Rule), mdName(f.Resource), mdName(f.Account))
		}
		b.WriteString("\n</details>\n\n")
	}
}

// shortDate reformats an RFC 3339 date; "" when it is not one (the
// previous report is an artifact: nothing of it reaches the chart
// unparsed).
func shortDate(s, layout string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	return t.UTC().Format(layout)
}

// writeTextOrganisation is the text report's organisation block.
func writeTextOrganisation(b *strings.Builder, p painter, r result.Report) {
	if len(r.Accounts) == 0 && r.Merge == nil {
		return
	}
	if len(r.Accounts) > 0 {
		b.WriteString("\n" + accountCounts(r.Accounts) + "\n")
		listed := 0
		for _, a := range worstAccounts(r.Accounts) {
			if a.Status == result.AccountJudged || a.Status == result.AccountExcluded {
				break
			}
			if listed == textMaxAccounts {
				b.WriteString("  … and more (the JSON report lists every account)\n")
				break
			}
			listed++
			what := "not judged"
			if a.Status == result.AccountIncomplete {
				what = "checked in part"
			}
			fmt.Fprintf(b, "  %s %s: %s\n", p.paint(ansiYellow, termLine(a.ID)), what, termLine(orDefault(a.Reason, "no reason given")))
		}
	}
	if r.Merge != nil {
		for _, pr := range r.Merge.Problems {
			fmt.Fprintf(b, "  %s %s: %s\n", p.paint(ansiYellow, "report"), problemSource(pr, false), termLine(pr.Message))
		}
	}
	if t := r.Trend; t != nil {
		fmt.Fprintf(b, "trend since %s: %d new, %d fixed, %d still open", orDefault(shortDate(t.Previous, "2006-01-02"), "the previous report"), t.New, t.Fixed, t.StillOpen)
		if t.NotRechecked > 0 {
			fmt.Fprintf(b, ", %d not re-checked", t.NotRechecked)
		}
		b.WriteString("\n")
	}
}

// carriedDate is the day a carried finding was last judged ("an earlier
// night" when its report had no date: the report is an artifact, nothing
// of it is printed unparsed).
func carriedDate(f result.Finding) string {
	return orDefault(shortDate(f.CarriedSince, "2006-01-02"), "an earlier night")
}
