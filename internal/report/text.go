package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// Text renders a report for a terminal: the verdict first, then each check
// with its status and its findings worst first, then waived findings, input
// problems and the counts. Colour only when Options.Color is set.
type Text struct {
	opts Options
}

var _ Reporter = (*Text)(nil)

// ANSI styles used by the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiBRed   = "\x1b[1;31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// textIndent lines up a finding's detail lines under its rule id.
const textIndent = "            "

// Write renders r to w.
func (t *Text) Write(w io.Writer, r result.Report) error {
	p := painter{on: t.opts.Color}
	var b strings.Builder

	t.header(&b, p, r)
	writeTextOrganisation(&b, p, r)

	findings, hidden := shownFindings(sortedFindings(r.Findings), t.opts.ShowSeverity)
	// Findings carried from an earlier night without being re-checked
	// are listed apart, after the night's own.
	var carried []result.Finding
	findings = slices.DeleteFunc(findings, func(f result.Finding) bool {
		if f.Carried() {
			carried = append(carried, f)
		}
		return f.Carried()
	})
	active := 0
	for _, f := range findings {
		if !f.Waived {
			active++
		}
	}
	compact := !t.opts.Verbose && active > CompactAbove
	split := splitNew(r)
	b.WriteString("\n")
	spaced := true // a blank line sets off each check that has findings
	order := checkOrder(r)
	for i := 0; i < len(order); i++ {
		id := order[i]
		c, ok := checkByID(r, id)
		var own []result.Finding
		for _, f := range findings {
			if f.Check == id && !f.Waived {
				own = append(own, f)
			}
		}
		if ok && c.Status == result.StatusError && len(own) == 0 {
			// Checks that failed for the same reason (one unparsable file
			// stops naming, rotation, iam and trust alike) say it once.
			ids := []string{id}
			for i+1 < len(order) {
				next, nok := checkByID(r, order[i+1])
				if !nok || next.Status != result.StatusError || next.Error != c.Error || hasActive(findings, order[i+1]) {
					break
				}
				ids = append(ids, order[i+1])
				i++
			}
			b.WriteString(errorLine(p, ids, c))
			spaced = false
			continue
		}
		if len(own) > 0 && !spaced {
			b.WriteString("\n")
		}
		// The count is the check's, as in the summary: the display filter
		// (--show-severity) hides findings from the list, not from it.
		b.WriteString(checkLine(p, id, c, ok, activeCount(r.Findings, id)))
		if compact {
			writeCompactFindings(&b, p, own, split)
		} else {
			for _, f := range own {
				writeTextFinding(&b, p, f, split)
			}
		}
		spaced = len(own) > 0
		if spaced {
			b.WriteString("\n")
		}
	}
	if !spaced {
		b.WriteString("\n")
	}

	if len(carried) > 0 {
		fmt.Fprintf(&b, "%s\n", p.paint(ansiBold, fmt.Sprintf("not re-checked (%d) — open when last judged; their account or check was not judged this run:", len(carried))))
		for _, f := range carried {
			line := fmt.Sprintf("  %-8s  %s  %s", f.Severity, termLine(f.Rule), termLine(orDash(f.Resource)))
			if loc := textLocation(f); loc != "" {
				line += "  " + loc
			}
			b.WriteString(p.paint(ansiDim, line+" — not re-checked since "+carriedDate(f)) + "\n")
		}
		b.WriteString("\n")
	}

	var waived []result.Finding
	for _, f := range findings {
		if f.Waived {
			waived = append(waived, f)
		}
	}
	if len(waived) > 0 {
		fmt.Fprintf(&b, "%s\n", p.paint(ansiBold, fmt.Sprintf("waived (%d):", len(waived))))
		for _, f := range waived {
			line := fmt.Sprintf("  %-8s  %s  %s", f.Severity, termLine(f.Rule), termLine(orDash(f.Resource)))
			if loc := textLocation(f); loc != "" {
				line += "  " + loc
			}
			why := termLine(f.WaiverReason)
			if why == "" {
				why = "no reason given"
			}
			if f.WaiverOwner != "" {
				why += " (owner " + termLine(f.WaiverOwner) + ")"
			}
			b.WriteString(p.paint(ansiDim, line+" — "+why) + "\n")
		}
		b.WriteString("\n")
	}

	if len(r.Inputs.Errors) > 0 || len(r.Inputs.Skipped) > 0 || len(r.Inputs.NotJudged) > 0 {
		fmt.Fprintf(&b, "%s\n", p.paint(ansiBold, "input problems:"))
		for _, e := range r.Inputs.NotJudged {
			fmt.Fprintf(&b, "  %s %s: %s\n", p.paint(ansiYellow, "not judged"), termLine(fileLine(e.File, e.Line)), termLines(e.Message, "    "))
		}
		for _, e := range r.Inputs.Errors {
			fmt.Fprintf(&b, "  %s %s: %s\n", p.paint(ansiYellow, "could not read"), termLine(fileLine(e.File, e.Line)), termLines(e.Message, "    "))
		}
		const listed = 10
		for i, sk := range r.Inputs.Skipped {
			if i == listed {
				fmt.Fprintf(&b, "  … and %s more skipped (the JSON report lists them all)\n", plural(len(r.Inputs.Skipped)-listed, "file", "files"))
				break
			}
			fmt.Fprintf(&b, "  skipped %s: %s\n", termLine(sk.File), termLine(sk.Message))
		}
		b.WriteString("\n")
	}

	if compact {
		writeRuleCounts(&b, p, findings)
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "%s\n", p.paint(ansiDim, fmt.Sprintf("%s below %s not shown (--show-severity); the counts and the JSON report include them",
			plural(hidden, "finding", "findings"), t.opts.ShowSeverity)))
	}
	b.WriteString(t.summaryLine(r) + "\n")
	// A line break in a value is shown as one (termLines), so the next
	// line could start a workflow command when the report is printed in a
	// CI log: Inert makes every such marker inert.
	_, err := io.WriteString(w, safetext.Inert(b.String()))
	return err
}

// Verdict is the report's verdict in one line, without colour: what
// secretgate prints on standard error when every report went to a file.
// An incomplete run says why on the same line.
func Verdict(r result.Report) string {
	line := verdictLine(painter{}, r)
	if r.Summary.Incomplete {
		line += "; incomplete: " + incompleteWhy(r)
	}
	return line
}

// verdictLine is the first line of the text report: the verdict, the
// counts and the threshold, and the waived findings.
func verdictLine(p painter, r result.Report) string {
	s := r.Summary
	var verdict string
	switch {
	case s.Failed:
		verdict = p.paint(ansiBRed, "FAILED")
	case s.Incomplete:
		verdict = p.paint(ansiYellow, "INCOMPLETE")
	case !r.Judged():
		verdict = p.paint(ansiYellow, "NOTHING JUDGED")
	default:
		verdict = p.paint(ansiGreen, "PASSED")
	}
	counts := countsPhrase(s)
	if !s.Failed && !s.Incomplete && !r.Judged() {
		counts = "no selected check had anything to judge"
	}
	line := fmt.Sprintf("secretgate: %s — %s (fail-on: %s)", verdict, counts, termLine(orDash(r.FailOn)))
	if s.Waived > 0 {
		line += fmt.Sprintf(", %d waived", s.Waived)
	}
	return line
}

// incompleteWhy says which checks could not check everything and how many
// files could not be parsed.
func incompleteWhy(r result.Report) string {
	errored, unparsed := incompleteReasons(r)
	var why []string
	if len(errored) > 0 {
		why = append(why, termLine(strings.Join(errored, ", "))+" could not check everything")
	}
	if unparsed > 0 {
		why = append(why, plural(unparsed, "file", "files")+" could not be parsed")
	}
	if n := len(r.Inputs.NotJudged); n > 0 {
		why = append(why, notJudgedPhrase(n))
	}
	why = append(why, orgIncomplete(r)...)
	if len(why) == 0 {
		why = append(why, "see the checks below")
	}
	return strings.Join(why, "; ")
}

func (t *Text) header(b *strings.Builder, p painter, r result.Report) {
	s := r.Summary
	line := verdictLine(p, r)
	if s.Incomplete {
		line += "\n" + p.paint(ansiYellow, "incomplete: "+incompleteWhy(r))
	}
	b.WriteString(line + "\n")

	var ctx []string
	c := r.Context
	if c.Repository != "" {
		ctx = append(ctx, termLine(c.Repository))
	}
	if c.Mode != "" {
		ctx = append(ctx, "mode "+termLine(c.Mode))
	}
	if c.PullRequest != 0 {
		ctx = append(ctx, fmt.Sprintf("pull request #%d", c.PullRequest))
	}
	if c.SHA != "" {
		ctx = append(ctx, "commit "+termLine(shortSHA(c.SHA)))
	}
	if c.Account != "" {
		ctx = append(ctx, "account "+termLine(c.Account))
	}
	if c.RoleARN != "" {
		ctx = append(ctx, "role "+termLine(c.RoleARN))
	}
	if len(c.Regions) > 0 {
		ctx = append(ctx, "regions "+termLine(strings.Join(c.Regions, ", ")))
	}
	if r.Tool.Version != "" {
		ctx = append(ctx, termLine(orDefault(r.Tool.Name, "secretgate"))+" "+termLine(r.Tool.Version))
	}
	if len(ctx) > 0 {
		b.WriteString(p.paint(ansiDim, strings.Join(ctx, " · ")) + "\n")
	}
}

// errorLine is the status line of checks in error for one reason.
func errorLine(p painter, ids []string, c result.Check) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = termLine(id)
	}
	return fmt.Sprintf("%s: %s — %s\n", p.paint(ansiBold, strings.Join(names, ", ")), p.paint(ansiYellow, "error"), termLines(orDefault(c.Error, "no reason given"), "  "))
}

func hasActive(fs []result.Finding, check string) bool {
	for _, f := range fs {
		if f.Check == check && !f.Waived {
			return true
		}
	}
	return false
}

// activeCount is the number of findings of check that no waiver hides.
func activeCount(fs []result.Finding, check string) int {
	n := 0
	for _, f := range fs {
		if f.Check == check && !f.Waived && !f.Carried() {
			n++
		}
	}
	return n
}

func checkLine(p painter, id string, c result.Check, known bool, findings int) string {
	name := p.paint(ansiBold, termLine(orDefault(id, "other")))
	if !known {
		return fmt.Sprintf("%s: %s\n", name, plural(findings, "finding", "findings"))
	}
	switch c.Status {
	case result.StatusOK:
		return fmt.Sprintf("%s: %s (%s)\n", name, p.paint(ansiGreen, "ok"), judgedCount(c))
	case result.StatusFailed:
		return fmt.Sprintf("%s: %s (%s, %s)\n", name, p.paint(ansiRed, "failed"), judgedCount(c), plural(findings, "finding", "findings"))
	case result.StatusError:
		return fmt.Sprintf("%s: %s — %s\n", name, p.paint(ansiYellow, "error"), termLines(orDefault(c.Error, "no reason given"), "  "))
	case result.StatusSkipped:
		return fmt.Sprintf("%s: %s — %s\n", name, p.paint(ansiDim, "skipped"), termLines(orDefault(c.Reason, "no reason given"), "  "))
	case result.StatusNoInput:
		return fmt.Sprintf("%s: %s — %s\n", name, p.paint(ansiYellow, "no input"), termLines(orDefault(c.Reason, "nothing to judge"), "  "))
	}
	return fmt.Sprintf("%s: %s\n", name, termLine(string(c.Status)))
}

func writeTextFinding(b *strings.Builder, p painter, f result.Finding, split bool) {
	head := fmt.Sprintf("  %s  %s  %s", p.severity(f.Severity), termLine(f.Rule), termLine(orDash(f.Resource)))
	if split && !f.New {
		head += p.paint(ansiDim, "  (existing)")
	}
	b.WriteString(head + "\n")
	if loc := textLocation(f); loc != "" {
		b.WriteString(textIndent + p.paint(ansiCyan, loc) + "\n")
	}
	msg := f.Message
	if msg == "" {
		msg = f.Title
	}
	if msg != "" {
		b.WriteString(textIndent + termLines(msg, textIndent) + "\n")
	}
	if f.Remediation != "" {
		b.WriteString(textIndent + "fix: " + termLines(f.Remediation, textIndent+"     ") + "\n")
	}
}

func (t *Text) summaryLine(r result.Report) string {
	s := r.Summary
	parts := []string{countsPhrase(s)}
	if s.Waived > 0 {
		parts[0] += fmt.Sprintf(", %d waived", s.Waived)
	}
	var ok, failed, errored, skipped, noInput int
	for _, c := range r.Checks {
		switch c.Status {
		case result.StatusOK:
			ok++
		case result.StatusFailed:
			failed++
		case result.StatusError:
			errored++
		case result.StatusSkipped:
			skipped++
		case result.StatusNoInput:
			noInput++
		}
	}
	checks := fmt.Sprintf("checks: %d ok, %d failed, %d error, %d skipped", ok, failed, errored, skipped)
	if noInput > 0 {
		checks += fmt.Sprintf(", %d with nothing to judge", noInput)
	}
	parts = append(parts, checks)
	// Inputs.Files counts the files the policies judge (templates, plans,
	// IAM policies, inventories), not what the leak scanner read: that is
	// the leaks check's resource count.
	parts = append(parts, plural(r.Inputs.Files, "policy input file", "policy input files")+" read")
	if n := len(r.Inputs.Skipped); n > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", n))
	}
	return "summary: " + strings.Join(parts, " · ")
}

func textLocation(f result.Finding) string {
	var loc string
	if f.File != "" {
		loc = termLine(fileLine(f.File, f.Line))
	}
	if f.Commit != "" {
		if loc != "" {
			loc += " "
		}
		loc += "in commit " + termLine(shortSHA(f.Commit))
	}
	if f.Account != "" {
		if loc != "" {
			loc += " "
		}
		loc += "account " + termLine(f.Account)
	}
	return loc
}

func fileLine(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// termLine makes one line of report text safe for a terminal.
func termLine(s string) string { return safetext.Visible(s, " ") }

// termLines makes multi-line report text safe for a terminal, indenting every
// line after the first.
func termLines(s, indent string) string {
	return safetext.Visible(strings.TrimRight(s, "\r\n"), "\n"+indent)
}

func orDash(s string) string { return orDefault(s, "-") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// painter wraps text in ANSI styles when colour is on.
type painter struct{ on bool }

func (p painter) paint(style, s string) string {
	if !p.on || s == "" {
		return s
	}
	return style + s + ansiReset
}

func (p painter) severity(s result.Severity) string {
	label := fmt.Sprintf("%-8s", strings.ToUpper(s.String()))
	switch s {
	case result.SeverityCritical:
		return p.paint(ansiBRed, label)
	case result.SeverityHigh:
		return p.paint(ansiRed, label)
	case result.SeverityMedium:
		return p.paint(ansiYellow, label)
	case result.SeverityLow:
		return p.paint(ansiCyan, label)
	}
	return p.paint(ansiDim, label)
}
