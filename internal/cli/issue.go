package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/ghaction"
	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/trackissue"
)

type issueFlags struct {
	report   string
	repo     string
	key      string
	labels   []string
	artifact string
	runURL   string
	author   string
}

// newIssueCmd is `secretgate issue`: the one tracking issue of a nightly
// run kept in step with its report, merged or of one account
// (docs/organizations.md).
func newIssueCmd(stdout io.Writer, env Env) *cobra.Command {
	var f issueFlags
	cmd := &cobra.Command{
		Use:   "issue --report REPORT.json [--repo OWNER/NAME] [--key NAME]",
		Short: "Create, update or close the one tracking issue of a nightly run from its JSON report",
		Long: `issue keeps one open GitHub issue for a nightly verdict: an organisation's
merged report (secretgate merge) or a single account's (secretgate check).
The issue is found by the hidden marker its body starts with
(<!-- secretgate:issue:KEY -->) among the open issues the token's account
created; nobody else's issue is ever edited.

- A failing or incomplete night, or one that judged nothing, creates the
  issue when none is open, and otherwise edits its title and body in place
  (no new issue, no comment).
- A clean night (complete, something judged, nothing at or above fail-on)
  edits the body and closes the issue as completed; with no issue open it
  does nothing.

The body is the report's Markdown — for a merged report the organisation
table and the trend (new, fixed, still open) with its chart, then the
checks and the findings —
kept under GitHub's 65,536-character limit: findings are left out (waived,
then the lowest severities first), counted, and the body says where the
full report is (--artifact in the workflow run).

GITHUB_TOKEN (issues: write), GITHUB_API_URL and GITHUB_REPOSITORY are
read from the environment; the token is never printed.

Exit codes: 0 the issue is in step (or nothing to do), 2 usage error (a
flag, an unreadable report), 3 GitHub refused or could not be reached.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIssue(cmd.Context(), f, stdout, env)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.report, "report", "", "the night's JSON report: secretgate merge's, or a single check's (--format json)")
	fl.StringVar(&f.repo, "repo", "", "repository of the issue, OWNER/NAME (default: GITHUB_REPOSITORY)")
	fl.StringVar(&f.key, "key", "organization", "names this tracking issue, for several organisations in one repository (lower-case letters, digits, dashes)")
	fl.StringArrayVar(&f.labels, "label", []string{"secretgate"}, "label of a new issue (repeatable; GitHub drops labels when the token may not push)")
	fl.StringVar(&f.artifact, "artifact", "", "name of the workflow artifact holding the full report, named in the body")
	fl.StringVar(&f.runURL, "run-url", "", "the workflow run linked from the body (default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID)")
	fl.StringVar(&f.author, "author", "", "login whose marker issue is reused, e.g. my-app[bot] for a GitHub App token (default: the token's own account when GitHub says which, else github-actions[bot])")
	return cmd
}

// issueTimeout bounds the API calls of one sync.
const issueTimeout = 60 * time.Second

func runIssue(ctx context.Context, f issueFlags, stdout io.Writer, env Env) error {
	if f.report == "" {
		return usageError(fmt.Errorf("--report: the merged JSON report is required"))
	}
	repo := f.repo
	if repo == "" {
		repo = env("GITHUB_REPOSITORY")
	}
	owner, name, err := prcomment.ParseRepository(repo)
	if err != nil {
		return usageError(fmt.Errorf("--repo (or GITHUB_REPOSITORY): %w", err))
	}
	marker, err := trackissue.Marker(f.key)
	if err != nil {
		return usageError(fmt.Errorf("--key: %w", err))
	}
	if f.author != "" && !loginRE.MatchString(f.author) {
		return usageError(fmt.Errorf("--author %q is not a GitHub login", printable(f.author)))
	}
	rep, err := merge.ReadReport(f.report)
	if err != nil {
		return usageError(fmt.Errorf("--report %s: %w", f.report, err))
	}
	page := trackissue.Page{RunURL: f.runURL, Artifact: f.artifact}
	if page.RunURL == "" {
		page.RunURL = runURL(env)
	}
	body, err := trackissue.Body(marker, rep, page)
	if err != nil {
		return usageError(err)
	}
	gh, err := prcomment.NewGitHub(env("GITHUB_API_URL"), env("GITHUB_TOKEN"), &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return usageError(err)
	}
	c := trackissue.New(gh)
	if f.author != "" {
		c.SetAuthor(f.author)
	}
	ctx, cancel := context.WithTimeout(ctx, issueTimeout)
	defer cancel()
	out, err := c.Sync(ctx, trackissue.Target{Owner: owner, Repo: name}, trackissue.Update{
		Marker: marker, Title: trackissue.Title(rep), Body: body, Labels: f.labels, Clean: trackissue.Clean(rep),
	})
	if err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: fmt.Errorf("tracking issue: %s", shortError(err))}
	}
	if out.Action == trackissue.Skipped {
		fmt.Fprintln(stdout, "secretgate: clean night and no tracking issue open: nothing to do")
	} else {
		fmt.Fprintf(stdout, "secretgate: tracking issue #%d %s: %s\n", out.Number, out.Action, out.URL)
	}
	if path := env("GITHUB_OUTPUT"); env("GITHUB_ACTIONS") == "true" && path != "" {
		outs := []ghaction.Output{{Name: "issue-action", Value: string(out.Action)}, {Name: "issue-url", Value: out.URL}}
		if out.Number > 0 {
			outs = append(outs, ghaction.Output{Name: "issue-number", Value: fmt.Sprint(out.Number)})
		}
		if err := ghaction.WriteOutputs(path, outs); err != nil {
			return &ExitError{Code: result.ExitIncomplete, Err: err}
		}
	}
	return nil
}
