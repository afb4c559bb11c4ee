package report

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// CompactAbove is the number of findings above which the text report is
// compact unless Options.Verbose: findings grouped by rule, one line each,
// the rule's fix once per group, and a count per rule at the end. 1,355
// leak findings take about 1,400 lines instead of 5,400.
const CompactAbove = 20

// compactMessage is the longest message a compact finding line shows.
const compactMessage = 100

// shownFindings drops the findings below min (the display filter, apart
// from --fail-on) and says how many were dropped.
func shownFindings(fs []result.Finding, min result.Severity) ([]result.Finding, int) {
	if min == result.SeverityInfo {
		return fs, 0
	}
	shown := fs[:0:0]
	for _, f := range fs {
		if f.Severity >= min {
			shown = append(shown, f)
		}
	}
	return shown, len(fs) - len(shown)
}

// ruleGroup is the findings of one rule within a check.
type ruleGroup struct {
	rule     string
	title    string
	fix      string
	findings []result.Finding
}

// groupByRule groups fs (sorted worst first) by rule, the group with the
// worst finding first, then the larger group, then by rule id.
func groupByRule(fs []result.Finding) []*ruleGroup {
	byRule := map[string]*ruleGroup{}
	var groups []*ruleGroup
	for _, f := range fs {
		g, ok := byRule[f.Rule]
		if !ok {
			g = &ruleGroup{rule: f.Rule, title: f.Title, fix: f.Remediation}
			byRule[f.Rule] = g
			groups = append(groups, g)
		}
		g.findings = append(g.findings, f)
	}
	slices.SortStableFunc(groups, func(a, b *ruleGroup) int {
		if d := int(b.findings[0].Severity) - int(a.findings[0].Severity); d != 0 {
			return d
		}
		if d := len(b.findings) - len(a.findings); d != 0 {
			return d
		}
		return strings.Compare(a.rule, b.rule)
	})
	return groups
}

// writeCompactFindings writes one check's findings grouped by rule: a
// header with the count and the title, the fix once, then one line per
// finding (severity, location, resource, the message's first line).
func writeCompactFindings(b *strings.Builder, p painter, fs []result.Finding, split bool) {
	for _, g := range groupByRule(fs) {
		head := fmt.Sprintf("  %s  %s", p.paint(ansiBold, termLine(g.rule)), plural(len(g.findings), "finding", "findings"))
		if g.title != "" {
			head += " — " + termLine(g.title)
		}
		b.WriteString(head + "\n")
		if g.fix != "" {
			b.WriteString("    fix: " + termLines(g.fix, "         ") + "\n")
		}
		for _, f := range g.findings {
			line := fmt.Sprintf("    %s  %s", p.severity(f.Severity), termLine(orDash(f.Resource)))
			if loc := textLocation(f); loc != "" {
				line += "  " + p.paint(ansiCyan, loc)
			}
			if msg := firstLine(orDefault(f.Message, f.Title)); msg != "" {
				line += "  " + termLine(safetext.Clip(msg, compactMessage))
			}
			if len(f.Assumptions) > 0 {
				// The message is clipped before its end, where the
				// assumptions are: they tell two variants apart.
				line += "  " + p.paint(ansiDim, termLine("[assuming "+strings.Join(f.Assumptions, "; ")+"]"))
			}
			if split && !f.New {
				line += p.paint(ansiDim, "  (existing)")
			}
			b.WriteString(line + "\n")
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// writeRuleCounts writes the table of unwaived findings per check and
// rule, by severity, worst rules first.
func writeRuleCounts(b *strings.Builder, p painter, fs []result.Finding) {
	type row struct {
		check, rule string
		n           [5]int
		total       int
	}
	rows := map[string]*row{}
	var order []*row
	for _, f := range fs {
		if f.Waived {
			continue
		}
		key := f.Check + "\x00" + f.Rule
		r, ok := rows[key]
		if !ok {
			r = &row{check: f.Check, rule: f.Rule}
			rows[key] = r
			order = append(order, r)
		}
		r.n[f.Severity]++
		r.total++
	}
	if len(order) == 0 {
		return
	}
	slices.SortStableFunc(order, func(a, b *row) int {
		for s := result.SeverityCritical; s >= result.SeverityInfo; s-- {
			if d := b.n[s] - a.n[s]; d != 0 {
				return d
			}
		}
		return strings.Compare(a.check+a.rule, b.check+b.rule)
	})
	fmt.Fprintf(b, "%s\n", p.paint(ansiBold, "findings by rule:"))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "critical\thigh\tmedium\tlow\tinfo\t\t")
	for _, r := range order {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t\t%s\n", r.n[result.SeverityCritical], r.n[result.SeverityHigh], r.n[result.SeverityMedium], r.n[result.SeverityLow], r.n[result.SeverityInfo], termLine(r.check+" · "+r.rule))
	}
	_ = tw.Flush() // writes to a strings.Builder, which does not fail
	b.WriteString("\n")
}
