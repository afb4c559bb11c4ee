package trackissue

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// artifactRE is an artifact name secretgate will print in the body.
var artifactRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`) })

// Page says where the full report is, for the pointer under a body that
// had to leave findings out.
type Page struct {
	// RunURL is the workflow run (its job summary lists every finding up
	// to 1 MiB; its artifacts hold the reports).
	RunURL string
	// Artifact is the name of the artifact holding the merged reports.
	Artifact string
}

// Clean says whether a night closes the tracking issue: something judged,
// every account and check judged (not incomplete) and nothing at or above
// the threshold. A night that judged nothing (an empty merge, every check
// with nothing to judge) is not clean: it must not close the issue.
func Clean(r result.Report) bool { return !r.Summary.Failed && !r.Summary.Incomplete && r.Judged() }

// Title is the title for a night: the verdict and the counts.
func Title(r result.Report) string {
	s := r.Summary
	verdict := "passing"
	switch {
	case s.Failed:
		verdict = "failing"
	case s.Incomplete:
		verdict = "incomplete"
	case !r.Judged():
		verdict = "nothing judged"
	}
	var counts []string
	for _, c := range []struct {
		n    int
		name string
	}{{s.Critical, "critical"}, {s.High, "high"}, {s.Medium, "medium"}, {s.Low, "low"}} {
		if c.n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	notJudged := 0
	for _, a := range r.Accounts {
		if a.Status != result.AccountJudged && a.Status != result.AccountExcluded {
			notJudged++
		}
	}
	if notJudged > 0 {
		counts = append(counts, fmt.Sprintf("%d account(s) not fully judged", notJudged))
	}
	t := "secretgate nightly: " + verdict
	if len(counts) > 0 {
		t += " — " + strings.Join(counts, ", ")
	}
	return t
}

// Body is the issue body for a night: marker, then the merged report's
// Markdown (organisation table, trend with its chart, checks, findings),
// left-out findings counted and pointed at the run when it is too long,
// and a last line naming where the full report is. It stays under
// MaxBodyBytes. Every text from the report is escaped by the Markdown
// renderer; the report never holds a secret value.
func Body(marker string, r result.Report, p Page) (string, error) {
	runURL := ""
	if u, err := url.Parse(p.RunURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsAny(p.RunURL, " ()<>[]\"'`\n") {
		runURL = p.RunURL
	}
	var pointer string
	switch {
	case p.Artifact != "" && !artifactRE().MatchString(p.Artifact):
		return "", fmt.Errorf("artifact name %q: want letters, digits, dots, dashes and underscores", p.Artifact)
	case p.Artifact != "" && runURL != "":
		pointer = fmt.Sprintf("\nThe full report (JSON, SARIF, Markdown) is the `%s` artifact of the [workflow run](%s).\n", p.Artifact, runURL)
	case p.Artifact != "":
		pointer = fmt.Sprintf("\nThe full report (JSON, SARIF, Markdown) is the `%s` artifact of the nightly workflow run.\n", p.Artifact)
	case runURL != "":
		pointer = fmt.Sprintf("\nThe full report is in the [workflow run](%s).\n", runURL)
	}
	head := marker + "\n"
	rep, err := report.New(report.FormatMarkdown, report.Options{
		MaxBytes: MaxBodyBytes - len(head) - len(pointer), FullReportURL: runURL,
	})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(head)
	if err := rep.Write(&b, r); err != nil {
		return "", err
	}
	b.WriteString(pointer)
	if b.Len() > MaxBodyBytes {
		return "", fmt.Errorf("issue body of %d bytes is over %d", b.Len(), MaxBodyBytes)
	}
	return b.String(), nil
}
