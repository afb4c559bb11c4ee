package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// Marker opens every Markdown rendering. It is invisible on GitHub; the
// pull-request comment code finds its own comment by it.
const Marker = "<!-- secretgate:report -->"

// Markdown renders the body of the pull-request comment and the job
// summary: a verdict headline, the checks, then findings worst first — new
// ones in a table, existing and waived ones collapsed. Every string taken
// from the report is escaped, and the whole stays under Options.MaxBytes.
type Markdown struct {
	opts Options
	// preamble follows the marker line (the PR comment's state line).
	preamble string
	// head, when set, replaces the verdict headline (the PR comment's
	// "clean now" variant).
	head func(result.Report) string
}

var _ Reporter = (*Markdown)(nil)

// Cell limits, in runes, before escaping: enough to read, short enough that
// one hostile value cannot eat the comment.
const (
	mdMaxName    = 200 // file names, resources, rule ids
	mdMaxText    = 500 // messages
	mdMaxFix     = 300 // remediation, waiver reasons, check errors
	mdMaxProblem = 20  // input problems listed before "and N more"
)

// Write renders r to w.
func (m *Markdown) Write(w io.Writer, r result.Report) error {
	_, err := io.WriteString(w, m.render(r))
	return err
}

// render builds the document, leaving findings out when it is too long:
// waived ones first, then the lowest severities, carried (not re-checked)
// before existing before new.
func (m *Markdown) render(r result.Report) string {
	limit := m.opts.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	fs := sortedFindings(r.Findings)
	if limit < 0 {
		return m.doc(r, fs, nil)
	}

	// order lists finding indexes from the most to the least worth showing.
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		fa, fb := fs[a], fs[b]
		switch {
		case fa.Waived != fb.Waived:
			return boolCmp(fa.Waived, fb.Waived)
		case fa.Severity != fb.Severity:
			return int(fb.Severity) - int(fa.Severity)
		case fa.Carried() != fb.Carried():
			return boolCmp(fa.Carried(), fb.Carried())
		case fa.New != fb.New:
			return boolCmp(fb.New, fa.New)
		}
		return a - b
	})
	keep := make([]bool, len(fs))
	build := func(k int) string {
		clear(keep)
		for _, i := range order[:k] {
			keep[i] = true
		}
		return m.doc(r, fs, keep)
	}

	// A document holds at least its rows, so no k past the first whose
	// rows alone exceed the limit fits: the search renders about as many
	// rows as fit, not every finding at every step (a merged organisation
	// report has hundreds of thousands).
	most, size := 0, 0
	for _, i := range order {
		if size += len(m.row(r, fs[i])); size > limit {
			break
		}
		most++
	}
	if most == len(fs) {
		if full := m.doc(r, fs, nil); len(full) <= limit {
			return full
		}
	}

	// The largest k whose document fits; each row adds far more bytes than
	// the note about left-out findings can lose, so size grows with k.
	best := build(0)
	if len(best) > limit {
		return hardTrim(best, limit)
	}
	lo, hi := 1, min(most, len(fs)-1)
	for lo <= hi {
		mid := lo + (hi-lo)/2
		if doc := build(mid); len(doc) <= limit {
			best, lo = doc, mid+1
		} else {
			hi = mid - 1
		}
	}
	return best
}

// hardTrim is the last resort when even the document without findings is
// over the limit (a tiny MaxBytes): cut at a line break and say so.
func hardTrim(doc string, limit int) string {
	const tail = "\n\n… report truncated — see the job summary or the full report\n"
	cut := limit - len(tail)
	if cut <= len(Marker) {
		// Not even room for the marker and the note: a cut marker would
		// open an HTML comment that hides the rest, so give nothing.
		if limit > len(Marker) {
			return Marker + "\n"
		}
		return ""
	}
	for cut > 0 && !utf8.RuneStart(doc[cut]) {
		cut--
	}
	if nl := strings.LastIndexByte(doc[:cut], '\n'); nl > 0 {
		cut = nl
	}
	return doc[:cut] + tail
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// doc renders the document with the findings keep marks (nil: all).
func (m *Markdown) doc(r result.Report, fs []result.Finding, keep []bool) string {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	b.WriteString(m.preamble)
	h := headline
	if m.head != nil {
		h = m.head
	}
	b.WriteString("### " + h(r) + "\n\n")

	writeOrganisation(&b, r)
	writeChecks(&b, r)
	writeInputs(&b, r)

	shown := func(i int) bool { return keep == nil || keep[i] }
	var newRows, oldRows, carriedRows, waivedRows []string
	var newN, oldN, carriedN, waivedN int
	var hidden leftOut
	split := splitNew(r)
	for i, f := range fs {
		switch {
		case f.Waived:
			waivedN++
		case f.Carried():
			carriedN++
		case split && !f.New:
			oldN++
		default:
			newN++
		}
		if !shown(i) {
			hidden.add(f)
			continue
		}
		switch {
		case f.Waived:
			waivedRows = append(waivedRows, m.row(r, f))
		case f.Carried():
			carriedRows = append(carriedRows, m.row(r, f))
		case split && !f.New:
			oldRows = append(oldRows, m.row(r, f))
		default:
			newRows = append(newRows, m.row(r, f))
		}
	}

	const findingHead = "| Severity | Rule | Resource | Location | Finding |\n|---|---|---|---|---|\n"
	if newN > 0 {
		title := "Findings"
		if split {
			title = "New findings"
		}
		fmt.Fprintf(&b, "#### %s (%s)\n\n", title, countShown(newN, len(newRows)))
		if len(newRows) > 0 {
			b.WriteString(findingHead + strings.Join(newRows, "") + "\n")
		}
	}
	// A collapsed section whose rows were all left out is dropped; the
	// note below counts them.
	if len(oldRows) > 0 {
		if r.Trend != nil {
			fmt.Fprintf(&b, "<details><summary>Still open (%s) — open the previous night</summary>\n\n", countShown(oldN, len(oldRows)))
		} else {
			fmt.Fprintf(&b, "<details><summary>Existing findings (%s) — already on the base branch</summary>\n\n", countShown(oldN, len(oldRows)))
		}
		b.WriteString(findingHead + strings.Join(oldRows, "") + "\n")
		b.WriteString("</details>\n\n")
	}
	if len(carriedRows) > 0 {
		fmt.Fprintf(&b, "<details><summary>Not re-checked (%s) — open when last judged; their account or check was not judged tonight, so they are not counted</summary>\n\n", countShown(carriedN, len(carriedRows)))
		b.WriteString(findingHead + strings.Join(carriedRows, "") + "\n")
		b.WriteString("</details>\n\n")
	}
	if len(waivedRows) > 0 {
		fmt.Fprintf(&b, "<details><summary>Waived findings (%s)</summary>\n\n", countShown(waivedN, len(waivedRows)))
		b.WriteString("| Severity | Rule | Resource | Location | Waiver |\n|---|---|---|---|---|\n")
		b.WriteString(strings.Join(waivedRows, "") + "\n")
		b.WriteString("</details>\n\n")
	}
	if hidden.n > 0 {
		b.WriteString(m.moreNote(hidden) + "\n\n")
	}

	b.WriteString(footer(r) + "\n")
	return b.String()
}

func countShown(total, shown int) string {
	if total == shown {
		return fmt.Sprint(total)
	}
	return fmt.Sprintf("%d, %d shown", total, shown)
}

// headline is the verdict line, e.g.
// "❌ secretgate: 2 high, 1 medium — failing (fail-on: high)". When only new
// findings fail the run, the counts are split into new and existing ones.
func headline(r result.Report) string {
	s := r.Summary
	counts := countsPhrase(s)
	if r.NewOnly {
		counts = newExistingPhrase(r)
	}
	failOn := failOnPhrase(r)
	var h string
	switch {
	case s.Failed:
		h = fmt.Sprintf("❌ secretgate: %s — failing (%s)", counts, failOn)
		if s.Incomplete {
			h += "; incomplete: " + incompletePhrase(r)
		}
	case s.Incomplete:
		h = fmt.Sprintf("⚠️ secretgate incomplete: %s — %s (%s)", incompletePhrase(r), counts, failOn)
	case !r.Judged():
		h = fmt.Sprintf("⬜ secretgate: nothing to check — no selected check had anything to judge (%s)", failOn)
	default:
		h = fmt.Sprintf("✅ secretgate: %s — passing (%s)", counts, failOn)
	}
	if s.Waived > 0 {
		h += fmt.Sprintf(" · %d waived", s.Waived)
	}
	if n := carriedCount(r); n > 0 {
		h += fmt.Sprintf(" · %d not re-checked", n)
	}
	return h
}

// carriedCount is the number of findings carried from an earlier night
// without being re-checked.
func carriedCount(r result.Report) int {
	n := 0
	for _, f := range r.Findings {
		if f.Carried() {
			n++
		}
	}
	return n
}

// failOnPhrase reads "fail-on: high" or "fail-on: high, new findings only".
func failOnPhrase(r result.Report) string {
	p := "fail-on: " + mdEscape(orDefault(r.FailOn, "-"))
	if r.NewOnly {
		p += ", new findings only"
	}
	return p
}

// newExistingPhrase reads "new: 1 high; existing: 2 medium" (or "no
// findings"), counting unwaived findings.
func newExistingPhrase(r result.Report) string {
	var fresh, old result.Summary
	for _, f := range r.Findings {
		if f.Waived || f.Carried() {
			continue
		}
		s := &old
		if f.New {
			s = &fresh
		}
		switch normSeverity(f.Severity) {
		case result.SeverityCritical:
			s.Critical++
		case result.SeverityHigh:
			s.High++
		case result.SeverityMedium:
			s.Medium++
		case result.SeverityLow:
			s.Low++
		default:
			s.Info++
		}
	}
	if countsPhrase(old) == "no findings" {
		if countsPhrase(fresh) == "no findings" {
			return "no findings"
		}
		return "new: " + countsPhrase(fresh)
	}
	newPart := countsPhrase(fresh)
	if newPart == "no findings" {
		newPart = "none"
	}
	return "new: " + newPart + "; existing: " + countsPhrase(old)
}

func incompletePhrase(r result.Report) string {
	errored, unparsed := incompleteReasons(r)
	var why []string
	if len(errored) > 0 {
		ids := make([]string, len(errored))
		for i, id := range errored {
			ids[i] = mdEscape(id)
		}
		why = append(why, strings.Join(ids, ", ")+" could not check everything")
	}
	if unparsed > 0 {
		why = append(why, plural(unparsed, "file", "files")+" could not be parsed")
	}
	if n := len(r.Inputs.NotJudged); n > 0 {
		why = append(why, notJudgedPhrase(n))
	}
	why = append(why, orgIncomplete(r)...)
	if len(why) == 0 {
		return "see the checks"
	}
	return strings.Join(why, ", ")
}

func writeChecks(b *strings.Builder, r result.Report) {
	if len(r.Checks) == 0 {
		return
	}
	active := map[string]int{}
	for _, f := range r.Findings {
		if !f.Waived && !f.Carried() {
			active[f.Check]++
		}
	}
	b.WriteString("| Check | Status | Judged | Details |\n|---|---|--:|---|\n")
	for _, id := range checkOrder(r) {
		c, ok := checkByID(r, id)
		if !ok {
			continue
		}
		var status, details string
		switch c.Status {
		case result.StatusOK:
			status = "✅ ok"
		case result.StatusFailed:
			status = "❌ failed"
			details = plural(active[id], "finding", "findings")
		case result.StatusError:
			status = "⚠️ error"
			details = mdInline(safetext.Clip(orDefault(c.Error, "no reason given"), mdMaxFix))
		case result.StatusSkipped:
			status = "⏭️ skipped"
			details = mdInline(safetext.Clip(orDefault(c.Reason, "no reason given"), mdMaxFix))
		case result.StatusNoInput:
			status = "⬜ no input"
			details = "nothing to judge"
		default:
			status = mdEscape(string(c.Status))
		}
		if c.Reason != "" && (c.Status == result.StatusOK || c.Status == result.StatusFailed || c.Status == result.StatusNoInput) {
			// A check that ran in part (the repository files, not the
			// live account) says which part was left out.
			if details != "" {
				details += "; "
			}
			details += mdInline(safetext.Clip(c.Reason, mdMaxFix))
		}
		judged := "—"
		if c.Status != result.StatusSkipped && (c.Status != result.StatusError || c.Resources > 0) {
			judged = mdEscape(judgedCount(c))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdEscape(id), status, judged, details)
	}
	b.WriteString("\n")
}

func writeInputs(b *strings.Builder, r result.Report) {
	in := r.Inputs
	if len(in.Errors) == 0 && len(in.Skipped) == 0 && len(in.NotJudged) == 0 {
		return
	}
	if n := len(in.NotJudged); n > 0 {
		fmt.Fprintf(b, "**Not judged:** %s secretgate cannot read as written, so the run is incomplete.\n\n", plural(n, "infrastructure project", "infrastructure projects"))
		b.WriteString("| File | What would make it judgeable |\n|---|---|\n")
		for i, e := range in.NotJudged {
			if i == mdMaxProblem {
				fmt.Fprintf(b, "| … | %d more |\n", n-mdMaxProblem)
				break
			}
			fmt.Fprintf(b, "| %s | %s |\n", mdCode(safetext.Clip(fileLine(e.File, e.Line), mdMaxName), true), mdInline(safetext.Clip(e.Message, mdMaxFix)))
		}
		b.WriteString("\n")
	}
	if n := len(in.Errors); n > 0 {
		fmt.Fprintf(b, "**Input problems:** %s could not be parsed, so the run is incomplete.\n\n", plural(n, "file", "files"))
		b.WriteString("| File | Problem |\n|---|---|\n")
		for i, e := range in.Errors {
			if i == mdMaxProblem {
				fmt.Fprintf(b, "| … | %d more |\n", n-mdMaxProblem)
				break
			}
			fmt.Fprintf(b, "| %s | %s |\n", mdCode(safetext.Clip(fileLine(e.File, e.Line), mdMaxName), true), mdInline(safetext.Clip(e.Message, mdMaxFix)))
		}
		b.WriteString("\n")
	}
	if n := len(in.Skipped); n > 0 {
		fmt.Fprintf(b, "%s skipped by design (binary, oversized, templated or not UTF-8; the JSON report lists them).\n\n", plural(n, "file was", "files were"))
	}
}

var severityBadge = map[result.Severity]string{
	result.SeverityCritical: "🔴 critical",
	result.SeverityHigh:     "🟠 high",
	result.SeverityMedium:   "🟡 medium",
	result.SeverityLow:      "🔵 low",
	result.SeverityInfo:     "⚪ info",
}

func badge(s result.Severity) string { return severityBadge[normSeverity(s)] }

func findingRow(r result.Report, f result.Finding) string {
	msg := orDefault(f.Message, f.Title)
	cell := mdInline(safetext.Clip(msg, mdMaxText))
	if f.Carried() {
		cell = "**Not re-checked since " + carriedDate(f) + ".** " + cell
	}
	if f.Remediation != "" {
		cell += "<br>**Fix:** " + mdInline(safetext.Clip(f.Remediation, mdMaxFix))
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
		badge(f.Severity), ruleLink(r, f), mdName(f.Resource), mdLocation(f), cell)
}

func waivedRow(r result.Report, f result.Finding) string {
	why := mdInline(safetext.Clip(orDefault(f.WaiverReason, "no reason given"), mdMaxFix))
	if f.WaiverOwner != "" {
		why += " — owner " + mdCode(safetext.Clip(f.WaiverOwner, mdMaxName), true)
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
		badge(f.Severity), ruleLink(r, f), mdName(f.Resource), mdLocation(f), why)
}

// ruleLink is the rule id as code, linked to its documentation when the
// catalogue has an https URL for it (a custom rule's docs_url is
// repository text: no plain http, no other scheme).
func ruleLink(r result.Report, f result.Finding) string {
	id := mdCode(safetext.Clip(f.Rule, mdMaxName), true)
	if id == "" {
		id = "—"
	}
	if u := httpsURL(ruleFor(r, f).DocsURL); u != "" {
		return fmt.Sprintf("[%s](%s)", id, u)
	}
	return id
}

func mdName(s string) string {
	if s == "" {
		return "—"
	}
	return mdCode(safetext.Clip(s, mdMaxName), true)
}

func mdLocation(f result.Finding) string {
	var parts []string
	if f.File != "" {
		parts = append(parts, mdCode(safetext.Clip(fileLine(f.File, f.Line), mdMaxName), true))
	}
	if f.Commit != "" {
		parts = append(parts, "commit "+mdCode(shortSHA(f.Commit), true))
	}
	if f.Account != "" {
		parts = append(parts, "account "+mdCode(safetext.Clip(f.Account, mdMaxName), true))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " ")
}

// row is a finding's table row: the waiver's for a waived one.
func (m *Markdown) row(r result.Report, f result.Finding) string {
	if f.Waived {
		return waivedRow(r, f)
	}
	return findingRow(r, f)
}

// leftOut counts the findings a document leaves out, by severity.
type leftOut struct {
	n, waived int
	counts    [result.SeverityCritical + 1]int
}

func (l *leftOut) add(f result.Finding) {
	l.n++
	switch {
	case f.Waived:
		l.waived++
	case f.Severity >= 0 && f.Severity <= result.SeverityCritical:
		l.counts[f.Severity]++
	}
}

// moreNote says how many findings were left out, by severity.
func (m *Markdown) moreNote(hidden leftOut) string {
	var parts []string
	for s := result.SeverityCritical; s >= result.SeverityInfo; s-- {
		if hidden.counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", hidden.counts[s], s))
		}
	}
	if hidden.waived > 0 {
		parts = append(parts, fmt.Sprintf("%d waived", hidden.waived))
	}
	where := "see the job summary or the full report"
	if u := safeURL(m.opts.FullReportURL); u != "" {
		where = fmt.Sprintf("see the job summary of the [workflow run](%s)", u)
	}
	return fmt.Sprintf("> … %s not shown here (%s) — %s.",
		plural(hidden.n, "more finding", "more findings"), strings.Join(parts, ", "), where)
}

func footer(r result.Report) string {
	parts := []string{mdEscape(orDefault(r.Tool.Name, "secretgate"))}
	if r.Tool.Version != "" {
		parts[0] += " " + mdEscape(r.Tool.Version)
	}
	if r.Context.Mode != "" {
		parts = append(parts, "mode "+mdEscape(r.Context.Mode))
	}
	if r.Context.SHA != "" {
		parts = append(parts, "commit "+mdCode(shortSHA(r.Context.SHA), false))
	}
	return "<sub>" + strings.Join(parts, " · ") + "</sub>"
}
