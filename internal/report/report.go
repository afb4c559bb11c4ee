// Package report renders a result.Report as text for terminals, as the JSON
// report (schema secretgate/report/v1), as SARIF 2.1.0 for GitHub code
// scanning and as Markdown for the pull-request comment and the job summary.
//
// A reporter renders, it never decides: verdicts, counts and the new/existing
// split come from the report. Reporters add no data of their own beyond fixed
// wording, and they treat every string in the report as hostile: file names,
// messages, resource names and reasons are escaped for the medium they are
// written to (terminal control sequences, Markdown and HTML, SARIF URIs).
package report

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/secretgate/secretgate/internal/result"
)

// Reporter writes one rendering of a report.
type Reporter interface {
	Write(w io.Writer, r result.Report) error
}

// Format names accepted by New, in the order help texts list them.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatSARIF    = "sarif"
	FormatMarkdown = "markdown"
)

// Formats lists every format New accepts.
var Formats = []string{FormatText, FormatJSON, FormatSARIF, FormatMarkdown}

// DefaultMaxBytes is the Markdown size limit when Options.MaxBytes is zero.
// GitHub refuses issue and pull-request comments longer than 65,536
// characters; counting bytes (never fewer than characters) and keeping a
// margin leaves room for the caller to add a line.
const DefaultMaxBytes = 65000

// DefaultAnchorFile is the file SARIF results without a file point at when
// Options.AnchorFile is empty.
const DefaultAnchorFile = ".secretgate.yml"

// Options tune the reporters. The zero value is valid.
type Options struct {
	// Color turns on ANSI colours in the text format. The caller decides;
	// ColorFor implements the usual policy.
	Color bool
	// MaxBytes caps the size of the Markdown rendering: findings are left
	// out (waived ones first, then the lowest severities, existing before
	// new) and a note says how many. Zero means DefaultMaxBytes; a negative
	// value means no limit (GitHub's job summary takes up to 1 MiB).
	MaxBytes int
	// FullReportURL, when set, is the workflow run whose job summary lists
	// every finding, linked from the Markdown note about left-out findings.
	FullReportURL string
	// AnchorFile is the repository path SARIF results are pinned to when a
	// finding has no file (a live AWS resource). GitHub code scanning
	// rejects the whole upload when any result lacks a physical location,
	// so such results carry the resource as a logical location and this file
	// (line 1) as their physical one. Empty means DefaultAnchorFile; pass
	// the configuration file actually used.
	AnchorFile string
	// Verbose gives the text report's full view (each finding with its
	// location, message and fix) however many findings there are; else
	// more than CompactAbove findings are shown compact.
	Verbose bool
	// ShowSeverity is the lowest severity the text report lists (a display
	// filter, apart from the --fail-on threshold); the counts still
	// include every finding.
	ShowSeverity result.Severity
}

// New returns the reporter for a format name. An unknown name is an error
// that lists the valid ones; there is no fallback.
func New(format string, opts Options) (Reporter, error) {
	switch format {
	case FormatText:
		return &Text{opts: opts}, nil
	case FormatJSON:
		return &JSON{}, nil
	case FormatSARIF:
		return &SARIF{opts: opts}, nil
	case FormatMarkdown:
		return &Markdown{opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown report format %q (want %s)", format, joinOr(Formats))
}

// ColorFor reports whether output to w should be coloured: only when w is a
// terminal, NO_COLOR is unset or empty (https://no-color.org) and TERM is
// not "dumb". env is os.Getenv or a stand-in.
func ColorFor(w io.Writer, env func(string) string) bool {
	if env("NO_COLOR") != "" {
		return false
	}
	return Terminal(w, env)
}

// Terminal reports whether w (seen through any Underlying wrappers) is a
// terminal that understands cursor movement: not with TERM=dumb.
func Terminal(w io.Writer, env func(string) string) bool {
	if env("TERM") == "dumb" {
		return false
	}
	for {
		u, ok := w.(interface{ Underlying() io.Writer })
		if !ok {
			break
		}
		w = u.Underlying()
	}
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// sortedFindings returns a copy of the findings, worst first, waived last,
// so reporters never reorder the caller's report.
func sortedFindings(fs []result.Finding) []result.Finding {
	out := slices.Clone(fs)
	result.SortFindings(out)
	return out
}

// checkOrder lists the check ids a report shows, in result.Families order,
// then config, then any other id found in checks or findings, sorted.
func checkOrder(r result.Report) []string {
	order := append(slices.Clone(result.Families), result.CheckConfig)
	seen := map[string]bool{}
	for _, id := range order {
		seen[id] = true
	}
	present := map[string]bool{}
	var extra []string
	add := func(id string) {
		present[id] = true
		if !seen[id] {
			seen[id] = true
			extra = append(extra, id)
		}
	}
	for _, c := range r.Checks {
		add(c.ID)
	}
	for _, f := range r.Findings {
		add(f.Check)
	}
	slices.Sort(extra)
	var out []string
	for _, id := range append(order, extra...) {
		if present[id] {
			out = append(out, id)
		}
	}
	return out
}

// checkByID finds a check's status in the report.
func checkByID(r result.Report, id string) (result.Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return result.Check{}, false
}

// severityCounts is the Summary's unwaived counts, worst first.
func severityCounts(s result.Summary) []struct {
	sev result.Severity
	n   int
} {
	return []struct {
		sev result.Severity
		n   int
	}{
		{result.SeverityCritical, s.Critical},
		{result.SeverityHigh, s.High},
		{result.SeverityMedium, s.Medium},
		{result.SeverityLow, s.Low},
		{result.SeverityInfo, s.Info},
	}
}

// countsPhrase reads "1 critical, 2 high" or "no findings".
func countsPhrase(s result.Summary) string {
	var parts []string
	for _, c := range severityCounts(s) {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.sev))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// incompleteReasons says why a run is incomplete: the checks in error and the
// files that could not be parsed. The check ids are returned separately so
// each format can escape them.
func incompleteReasons(r result.Report) (errored []string, unparsed int) {
	for _, id := range checkOrder(r) {
		if c, ok := checkByID(r, id); ok && c.Status == result.StatusError {
			errored = append(errored, id)
		}
	}
	return errored, len(r.Inputs.Errors)
}

// notJudgedPhrase reads "1 infrastructure project not judged".
func notJudgedPhrase(n int) string {
	return plural(n, "infrastructure project", "infrastructure projects") + " not judged"
}

// splitNew reports whether the new/existing distinction is worth showing: on
// pull requests, or whenever some finding is known from the base.
func splitNew(r result.Report) bool {
	if r.Context.Mode == "pr" {
		return true
	}
	for _, f := range r.Findings {
		if !f.Waived && !f.New {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// normSeverity maps an out-of-range severity to info, as Severity.String
// does, so lookups by severity never come back empty.
func normSeverity(s result.Severity) result.Severity {
	if s < result.SeverityInfo || s > result.SeverityCritical {
		return result.SeverityInfo
	}
	return s
}

// singularUnits names one of each Check.Unit.
var singularUnits = map[string]string{
	result.UnitSecrets:     "secret",
	result.UnitPolicies:    "policy",
	result.UnitRoles:       "role",
	result.UnitFiles:       "file",
	result.UnitCommits:     "commit",
	result.UnitCredentials: "credential",
}

// judgedCount says what a check's resources are: "3 roles", "412 files";
// "2 resources" when the report does not say.
func judgedCount(c result.Check) string {
	one, ok := singularUnits[c.Unit]
	if !ok {
		return plural(c.Resources, "resource", "resources")
	}
	return plural(c.Resources, one, c.Unit)
}
