package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/ghaction"
	"github.com/secretgate/secretgate/internal/ghevent"
	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/rootpath"
	"github.com/secretgate/secretgate/internal/safetext"
)

// githubFlags are the check flags of the GitHub integration
// (docs/github-action.md).
type githubFlags struct {
	comment string // always|on-change|never; "" is on-change in pr mode, never otherwise
	// commentAuthor is the login whose marker comment is reused; "" asks
	// GitHub who the token is (prcomment.Client.Author).
	commentAuthor string
	github        bool    // job summary, annotations, step outputs
	newOnly       optBool // only new findings fail; default on in pr mode
	event         *ghevent.Event
}

// optBool is a boolean flag that remembers whether it was given.
type optBool struct{ set, val bool }

func (b *optBool) String() string   { return strconv.FormatBool(b.val) }
func (b *optBool) Type() string     { return "bool" }
func (b *optBool) IsBoolFlag() bool { return true }
func (b *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.set, b.val = true, v
	return nil
}

func addGitHubFlags(cmd *cobra.Command, g *githubFlags, env Env) {
	fl := cmd.Flags()
	fl.StringVar(&g.comment, "comment", "", "pull-request comment: always|on-change|never (default on-change in pr mode, never otherwise)")
	fl.StringVar(&g.commentAuthor, "comment-author", "", commentAuthorUsage)
	fl.BoolVar(&g.github, "github", env("GITHUB_ACTIONS") == "true", "GitHub Actions job summary, annotations and step outputs (default on when GITHUB_ACTIONS=true)")
	fl.VarPF(&g.newOnly, "new-only", "", "only findings absent from the base (--baseline, or the --diff range for leaks) fail the run (default on in pr mode)").NoOptDefVal = "true"
}

// loadEvent reads the Actions event payload when there is one. Its error
// is for --diff auto to report; other uses fall back quietly.
func loadEvent(env Env) (*ghevent.Event, error) {
	if env("GITHUB_EVENT_PATH") == "" && env("GITHUB_EVENT_NAME") == "" {
		return nil, errors.New("not running in GitHub Actions (GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are unset)")
	}
	return ghevent.Load(env("GITHUB_EVENT_NAME"), env("GITHUB_EVENT_PATH"))
}

// resolveDiffAuto turns --diff auto into BASE..HEAD from the event payload:
// a pull request's base and head SHAs, a merge group's, a push's before
// and after. The range is never capped: every commit in it is scanned.
func resolveDiffAuto(diff string, ev *ghevent.Event, evErr error) (string, error) {
	if diff != "auto" {
		return diff, nil
	}
	if evErr != nil {
		return "", fmt.Errorf("--diff auto reads the commit range from the GitHub Actions event: %w; outside Actions give --diff BASE..HEAD", evErr)
	}
	base, head, err := ev.Range()
	if err != nil {
		return "", fmt.Errorf("--diff auto: %w; give --diff BASE..HEAD", err)
	}
	return base + ".." + head, nil
}

// newOnly decides whether only new findings fail the run.
func newOnly(g githubFlags, mode string) bool {
	if g.newOnly.set {
		return g.newOnly.val
	}
	return mode == "pr"
}

// prNumber is the pull request of the run: from the event payload
// (pull_request.number), else from GITHUB_REF (refs/pull/N/merge). A
// merge_group run has none.
func prNumber(env Env, ev *ghevent.Event) int {
	if ev != nil && ev.Name == ghevent.MergeGroup {
		return 0
	}
	if n := ev.PullRequestNumber(); n > 0 {
		return n
	}
	return pullRequestNumber(env)
}

// commentPolicy is --comment with its default: on-change on pull requests
// in GitHub Actions, never elsewhere (a local --mode pr has no pull request
// to comment on).
func commentPolicy(g githubFlags, mode string, env Env) (prcomment.Policy, error) {
	if g.comment == "" {
		if mode == "pr" && env("GITHUB_ACTIONS") == "true" {
			return prcomment.OnChange, nil
		}
		return prcomment.Never, nil
	}
	p, err := prcomment.ParsePolicy(g.comment)
	if err != nil {
		return "", fmt.Errorf("--comment: %w", err)
	}
	return p, nil
}

// githubRun is what publishing needs besides the report.
type githubRun struct {
	flags     githubFlags
	policy    prcomment.Policy
	threshold result.Threshold
	outs      []output
	root      string
	skipLive  string // liveSkipReason, "" when live checks were not skipped
	env       Env
	stdout    io.Writer
	stderr    io.Writer
	// stdoutTaken is set when a machine-readable report (JSON, SARIF,
	// Markdown) goes to standard output, so workflow commands go to
	// standard error instead (the runner reads commands on both).
	stdoutTaken bool
}

// publishGitHub posts the pull-request comment and, with --github, writes
// annotations, the job summary and step outputs. Nothing here changes the
// verdict: a comment GitHub refuses (a read-only token on a fork's pull
// request) is a warning in the log and the job summary, never a failure.
// Errors writing the runner's files are returned (the step's outputs would
// be missing).
func publishGitHub(ctx context.Context, g githubRun, rep result.Report) error {
	cmdOut := safetext.Commands(g.stdout)
	if g.stdoutTaken {
		cmdOut = safetext.Commands(g.stderr)
	}
	var notes []string
	warn := func(msg string) {
		notes = append(notes, msg)
		if g.flags.github {
			githubactions.New(githubactions.WithWriter(cmdOut)).Warningf("%s", msg)
		} else {
			fmt.Fprintf(g.stderr, "secretgate: warning: %s\n", msg)
		}
	}
	if g.skipLive != "" {
		notes = append(notes, "Live AWS checks skipped: "+g.skipLive+". The repository files and leaks were checked.")
	}

	var commentURL string
	if g.policy != prcomment.Never {
		out, err := postComment(ctx, g, rep)
		switch {
		case err != nil && prcomment.IsPermission(err):
			warn("the pull-request comment was not posted: GitHub refused the token (" + shortError(err) + "). Pull requests from forks get a read-only GITHUB_TOKEN; elsewhere grant `permissions: pull-requests: write`. The verdict is unaffected. See https://github.com/secretgate/secretgate/blob/main/docs/github-action.md#fork-pull-requests.")
		case err != nil:
			warn("the pull-request comment was not posted: " + shortError(err) + ". The verdict is unaffected.")
		default:
			commentURL = out.URL
			if out.Action != prcomment.Skipped {
				fmt.Fprintf(g.stderr, "secretgate: pull-request comment %s: %s\n", out.Action, out.URL)
			}
		}
	}
	if !g.flags.github {
		return nil
	}

	var errs []error
	st, err := ghaction.Annotate(cmdOut, rep, ghaction.AnnotateOptions{Threshold: g.threshold, PathPrefix: workspacePrefix(g.root, g.env)})
	if err != nil {
		errs = append(errs, err)
	}
	if st.LeftOut > 0 {
		notes = append(notes, fmt.Sprintf("%d findings were not annotated: GitHub shows %d error and %d warning annotations per step.", st.LeftOut, ghaction.MaxPerKind, ghaction.MaxPerKind))
	}
	if path := g.env("GITHUB_STEP_SUMMARY"); path != "" {
		if err := ghaction.AppendSummary(path, summary(rep, notes)); err != nil {
			errs = append(errs, err)
		}
	}
	if path := g.env("GITHUB_OUTPUT"); path != "" {
		if err := ghaction.WriteOutputs(path, stepOutputs(rep, g.outs, commentURL)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// postComment upserts the pull request's secretgate comment.
func postComment(ctx context.Context, g githubRun, rep result.Report) (prcomment.Outcome, error) {
	number := rep.Context.PullRequest
	if number <= 0 {
		if g.flags.event != nil && g.flags.event.Name == ghevent.MergeGroup {
			// A merge queue run belongs to no pull request: nothing to say.
			return prcomment.Outcome{Action: prcomment.Skipped}, nil
		}
		return prcomment.Outcome{}, errors.New("this run belongs to no pull request (no pull_request.number in the event payload, GITHUB_REF is not refs/pull/N/merge)")
	}
	pub, err := newCommentPublisher(g.env, g.env("GITHUB_REPOSITORY"), "GITHUB_REPOSITORY", number, g.flags.commentAuthor)
	if err != nil {
		return prcomment.Outcome{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, commentTimeout)
	defer cancel()
	return pub.publish(ctx, g.policy, rep, runURL(g.env))
}

// runURL links the workflow run, whose page shows the job summary.
func runURL(env Env) string {
	server, repo, id := env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	u := strings.TrimSuffix(server, "/") + "/" + repo + "/actions/runs/" + id
	if a := env("GITHUB_RUN_ATTEMPT"); a != "" && a != "1" {
		u += "/attempts/" + a
	}
	return u
}

// summary is the job summary: the Markdown report (up to GitHub's size
// limit) and the notes of this run.
func summary(rep result.Report, notes []string) string {
	var b strings.Builder
	r, _ := report.New(report.FormatMarkdown, report.Options{MaxBytes: ghaction.MaxSummaryBytes - 4096})
	_ = r.Write(&b, rep)
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString("> [!WARNING]\n> " + report.MarkdownText(strings.ReplaceAll(n, "\n", " ")) + "\n\n")
		}
	}
	return b.String()
}

// stepOutputs are the step outputs docs/github-action.md lists.
func stepOutputs(rep result.Report, outs []output, commentURL string) []ghaction.Output {
	s := rep.Summary
	fresh := 0
	for _, f := range rep.Findings {
		if !f.Waived && f.New {
			fresh++
		}
	}
	o := []ghaction.Output{
		{Name: "critical", Value: strconv.Itoa(s.Critical)},
		{Name: "high", Value: strconv.Itoa(s.High)},
		{Name: "medium", Value: strconv.Itoa(s.Medium)},
		{Name: "low", Value: strconv.Itoa(s.Low)},
		{Name: "info", Value: strconv.Itoa(s.Info)},
		{Name: "failed", Value: strconv.FormatBool(s.Failed)},
		{Name: "incomplete", Value: strconv.FormatBool(s.Incomplete)},
		{Name: "new", Value: strconv.Itoa(fresh)},
	}
	paths := map[string]string{}
	for _, out := range outs {
		if out.file != "" {
			if abs, err := filepath.Abs(out.file); err == nil {
				paths[out.format] = abs
			} else {
				paths[out.format] = out.file
			}
		}
	}
	for _, format := range []string{report.FormatJSON, report.FormatSARIF, report.FormatMarkdown} {
		o = append(o, ghaction.Output{Name: "report-" + format, Value: paths[format]})
	}
	if commentURL != "" {
		o = append(o, ghaction.Output{Name: "comment-url", Value: commentURL})
	}
	return o
}

// workspacePrefix is the checked directory relative to GITHUB_WORKSPACE,
// so annotations name repository paths; "" at the root or outside it.
func workspacePrefix(root string, env Env) string {
	ws := env("GITHUB_WORKSPACE")
	if ws == "" {
		return ""
	}
	rel, ok := rootpath.Rel(ws, root)
	if !ok || rel == "." {
		return ""
	}
	return rel
}

// commentAuthorUsage is the help of --comment-author (check and comment).
const commentAuthorUsage = "login whose marker comment is reused, e.g. my-app[bot] for a GitHub App token (default: the token's own account when GitHub says which, else github-actions[bot]); nobody else's comment is ever edited"

// loginRE is a GitHub login, or an app's bot account ("slug[bot]").
var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$`)

// setCommentAuthor applies --comment-author ("" keeps the default).
func setCommentAuthor(c *prcomment.Client, login string) error {
	if login == "" {
		return nil
	}
	if !loginRE.MatchString(login) {
		return fmt.Errorf("--comment-author %q is not a GitHub login", printable(login))
	}
	c.SetAuthor(login)
	return nil
}

// shortError is err on one line, capped.
func shortError(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	return safetext.ClipBytes(s, 300)
}
