package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/secretgate/secretgate/internal/result"
)

// CommentState is what a pull-request comment remembers of the run it
// describes, so the next run can say "clean now" when a failing pull request
// has been fixed. It is written on the line after Marker as an HTML comment.
type CommentState string

// Comment states.
const (
	StateNone       CommentState = ""
	StatePassing    CommentState = "passing"
	StateFailing    CommentState = "failing"
	StateIncomplete CommentState = "incomplete"
)

const statePrefix = "<!-- secretgate:state="

// StateOf is the state a report leaves behind.
func StateOf(r result.Report) CommentState {
	switch {
	case r.Summary.Failed:
		return StateFailing
	case r.Summary.Incomplete:
		return StateIncomplete
	}
	return StatePassing
}

// ParseCommentState reads the state line of a comment body Comment wrote.
// Only the line right after the marker counts: a file name that happens to
// contain the same text further down (inside a code span) is never read.
func ParseCommentState(body string) CommentState {
	rest, ok := strings.CutPrefix(body, Marker+"\n")
	if !ok {
		return StateNone
	}
	line, _, _ := strings.Cut(rest, "\n")
	v, ok := strings.CutPrefix(line, statePrefix)
	if !ok {
		return StateNone
	}
	v, ok = strings.CutSuffix(v, " -->")
	if !ok {
		return StateNone
	}
	switch s := CommentState(v); s {
	case StatePassing, StateFailing, StateIncomplete:
		return s
	}
	return StateNone
}

// Comment renders the pull-request comment: the Markdown report (new
// findings first, existing and waived ones collapsed, every check's status,
// everything escaped, trimmed under GitHub's 65,536-character limit with a
// pointer to Options.FullReportURL) plus a hidden state line, and a
// "passing now" headline when the run before it was failing or incomplete.
type Comment struct {
	opts Options
	// Previous is the state the existing comment recorded (StateNone when
	// there is no comment yet).
	Previous CommentState
}

var _ Reporter = (*Comment)(nil)

// NewComment returns the comment renderer. opts.MaxBytes zero means
// DefaultMaxBytes, which keeps the body under GitHub's limit.
func NewComment(opts Options, previous CommentState) *Comment {
	return &Comment{opts: opts, Previous: previous}
}

// Write renders r to w.
func (c *Comment) Write(w io.Writer, r result.Report) error {
	_, err := io.WriteString(w, c.Render(r))
	return err
}

// Render returns the comment body.
func (c *Comment) Render(r result.Report) string {
	m := &Markdown{
		opts:     c.opts,
		preamble: statePrefix + string(StateOf(r)) + " -->\n",
		head:     c.headline,
	}
	return m.render(r)
}

// headline is the Markdown headline, except when an earlier run on this
// pull request failed (or could not finish) and this one passes: then it
// says so first.
func (c *Comment) headline(r result.Report) string {
	was := c.Previous
	if (was != StateFailing && was != StateIncomplete) || StateOf(r) != StatePassing || !r.Judged() {
		return headline(r)
	}
	s := r.Summary
	if s.Critical+s.High+s.Medium+s.Low+s.Info == 0 {
		h := fmt.Sprintf("✅ secretgate: clean now — the earlier run was %s, this one has no findings (%s)", was, failOnPhrase(r))
		if s.Waived > 0 {
			h += fmt.Sprintf(" · %d waived", s.Waived)
		}
		return h
	}
	counts := countsPhrase(s)
	if r.NewOnly {
		counts = newExistingPhrase(r)
	}
	h := fmt.Sprintf("✅ secretgate: passing now — the earlier run was %s; %s (%s)", was, counts, failOnPhrase(r))
	if s.Waived > 0 {
		h += fmt.Sprintf(" · %d waived", s.Waived)
	}
	return h
}

// MarkdownText escapes prose for Markdown the way the reports do (code
// spans kept, HTML, mentions and table breaks neutralised), for notes other
// packages add to the job summary.
func MarkdownText(s string) string { return mdInline(s) }
