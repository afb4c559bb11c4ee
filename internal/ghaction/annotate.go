// Package ghaction writes what a GitHub Actions step shows besides its log:
// annotations (workflow commands), the job summary ($GITHUB_STEP_SUMMARY)
// and step outputs ($GITHUB_OUTPUT).
package ghaction

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// MaxPerKind is how many annotations of one kind (error, warning, notice)
// GitHub shows per step; it drops the rest silently. Documented in
// actions/toolkit docs/problem-matchers.md ("10 warning annotations, 10
// error annotations, and 10 notice annotations per step; 50 annotations per
// job").
const MaxPerKind = 10

// annotation limits, in runes, before escaping: the annotation panel shows a
// few lines, and one hostile value must not flood the log.
const (
	maxTitle   = 200
	maxMessage = 1000
)

// AnnotateOptions tune Annotate.
type AnnotateOptions struct {
	// Threshold decides which findings are errors (those that fail the run)
	// and which are warnings.
	Threshold result.Threshold
	// PathPrefix is prepended to finding files so annotations point at
	// repository paths when the checked directory is below the workspace
	// root ("" or "sub/dir").
	PathPrefix string
	// Max is the cap per kind; zero means MaxPerKind.
	Max int
}

// AnnotationStats says what Annotate wrote.
type AnnotationStats struct {
	Errors, Warnings, LeftOut int
}

// Annotate writes one workflow command per unwaived finding to w, worst
// first: findings that fail the run as errors, the others as warnings, at
// most Max of each (GitHub shows no more), then one notice saying how many
// were left out. Titles and messages are made visible (control and
// bidirectional characters escaped) and the commands escaped per GitHub's
// rules by go-githubactions.
func Annotate(w io.Writer, r result.Report, opts AnnotateOptions) (AnnotationStats, error) {
	limit := opts.Max
	if limit <= 0 {
		limit = MaxPerKind
	}
	fs := append([]result.Finding(nil), r.Findings...)
	result.SortFindings(fs)
	// The commands are escaped by go-githubactions: they bypass the
	// filter that makes repository text inert (safetext.Commands).
	ew := &errWriter{w: safetext.Commands(w)}
	act := githubactions.New(githubactions.WithWriter(ew))
	var st AnnotationStats
	for _, f := range fs {
		if f.Waived {
			continue
		}
		failing := opts.Threshold.FailsFinding(f)
		if (failing && st.Errors == limit) || (!failing && st.Warnings == limit) {
			st.LeftOut++
			continue
		}
		a := act.WithFieldsMap(annotationFields(f, opts.PathPrefix))
		msg := annotationMessage(f)
		if failing {
			a.Errorf("%s", msg)
			st.Errors++
		} else {
			a.Warningf("%s", msg)
			st.Warnings++
		}
	}
	if st.LeftOut > 0 {
		act.WithFieldsMap(map[string]string{"title": "secretgate: more findings"}).Noticef(
			"%d more %s not annotated: GitHub shows %d error and %d warning annotations per step. The job summary and the reports list every finding.",
			st.LeftOut, pluralWord(st.LeftOut, "finding was", "findings were"), limit, limit)
	}
	return st, ew.err
}

func annotationFields(f result.Finding, prefix string) map[string]string {
	title := fmt.Sprintf("secretgate %s: %s", f.Severity, orDefault(f.Title, f.Rule))
	if f.New {
		title += " (new)"
	}
	// Inert: the runner would read "##[" in a command line as a command
	// of its own, whatever the line's first command.
	m := map[string]string{"title": safetext.Inert(safetext.Visible(safetext.Clip(title, maxTitle), " "))}
	if f.File != "" {
		file := f.File
		if prefix != "" {
			file = path.Join(prefix, file)
		}
		m["file"] = safetext.Inert(safetext.Visible(file, " "))
		if f.Line > 0 {
			m["line"] = strconv.Itoa(f.Line)
		}
	}
	return m
}

func annotationMessage(f result.Finding) string {
	var b strings.Builder
	b.WriteString(safetext.Clip(orDefault(f.Message, f.Title), maxMessage))
	if f.Resource != "" && f.File == "" {
		b.WriteString("\nResource: " + safetext.Clip(f.Resource, maxTitle))
	}
	if f.Remediation != "" {
		b.WriteString("\nFix: " + safetext.Clip(f.Remediation, maxMessage))
	}
	b.WriteString("\nRule: " + f.Rule)
	if f.DocsURL != "" {
		b.WriteString(" — " + f.DocsURL)
	}
	return safetext.Inert(safetext.Visible(b.String(), "\n"))
}

// errWriter keeps the first write error: go-githubactions panics on write
// errors, which a closed pipe must not turn into a crash.
type errWriter struct {
	w   io.Writer
	err error
}

// Write always reports success; after the first error it writes nothing.
func (e *errWriter) Write(p []byte) (int, error) {
	if e.err == nil {
		if _, err := e.w.Write(p); err != nil {
			e.err = fmt.Errorf("write annotations: %w", err)
		}
	}
	return len(p), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
