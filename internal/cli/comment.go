package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/ghaction"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// Limits on what `secretgate comment` reads: the report and the pull
// request number come from an artifact a pull request's workflow uploaded,
// which a fork's author controls.
const (
	// MaxCommentReportBytes caps the JSON report. A report of 10,000
	// findings is about 6 MiB.
	MaxCommentReportBytes = 16 << 20
	// maxPRFileBytes caps the file holding the pull request number.
	maxPRFileBytes = 64
)

// prNumberRE is a pull request number: a positive decimal integer of at
// most nine digits, nothing else (no sign, no spaces, no leading zero).
var prNumberRE = regexp.MustCompile(`^[1-9][0-9]{0,8}$`)

// shaRE is a full commit SHA (SHA-1 or SHA-256). It and ruleIDRE are
// compiled at first use, not at start-up, which every run pays
// (pre-commit included).
var shaRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:[0-9a-f]{40}|[0-9a-f]{64})$`) })

// ruleIDRE is a rule id as the policies name them.
var ruleIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,99}$`) })

type commentFlags struct {
	report  string
	pr      string
	prFile  string
	headSHA string
	repo    string
	runURL  string
	policy  string
	author  string
}

// newCommentCmd is `secretgate comment`: publish the pull-request comment
// from a JSON report made by an earlier `secretgate check`, without
// checking anything. It is what a workflow_run follow-up runs to comment on
// pull requests from forks, whose own run has a read-only token
// (docs/examples/workflows/secretgate-fork-comment.yml).
func newCommentCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	var f commentFlags
	cmd := &cobra.Command{
		Use:   "comment --report report.json (--pr N | --pr-file FILE)",
		Short: "Create or update the pull-request comment from a JSON report of an earlier check",
		Long: `comment publishes the one secretgate comment of a pull request (found by its
hidden marker and edited in place, created when there is none) from the JSON
report of an earlier "secretgate check". It runs no check.

It is meant for a workflow_run follow-up that comments on pull requests from
forks, so it treats the report and the pull request number as untrusted:
the number must be a plain positive integer; the report is size-capped,
must be a secretgate/report/v1 document for the same pull request, and is
rendered again by the comment renderer, which escapes every text from it
(no mentions, HTML or Markdown structure) — no Markdown from the artifact
is posted. Rule links always point at secretgate's rule documentation.
With --head-sha (default: workflow_run.head_sha of a workflow_run event)
the pull request's head must still be that commit. On a workflow_run event
the head is required (exit 2 without it), and the pull request's head
repository and branch must also be the event's
workflow_run.head_repository.full_name and workflow_run.head_branch.

The repository is GITHUB_REPOSITORY (--repo), the API GITHUB_API_URL, the
token GITHUB_TOKEN.

Exit codes: 0 posted (or nothing to post), 2 invalid report, number or
head, 3 GitHub could not be updated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runComment(cmd.Context(), f, stderr, env)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.report, "report", "", "JSON report (secretgate/report/v1) to publish")
	fl.StringVar(&f.pr, "pr", "", "pull request number")
	fl.StringVar(&f.prFile, "pr-file", "", "file holding the pull request number (from the uploaded artifact)")
	fl.StringVar(&f.headSHA, "head-sha", "", "refuse unless the pull request's head is this commit (default: workflow_run.head_sha of the event)")
	fl.StringVar(&f.repo, "repo", "", "owner/name of the repository (default GITHUB_REPOSITORY)")
	fl.StringVar(&f.runURL, "run-url", "", "workflow run whose job summary holds the full report (default: workflow_run.html_url of the event)")
	fl.StringVar(&f.author, "comment-author", "", commentAuthorUsage)
	fl.StringVar(&f.policy, "comment", string(prcomment.OnChange), "always|on-change: create the comment always, or only when there are findings or the run was incomplete (an existing comment is always edited)")
	return cmd
}

func runComment(ctx context.Context, f commentFlags, stderr io.Writer, env Env) error {
	in, err := readCommentInput(f, env)
	if err != nil {
		return usageError(err)
	}
	pub, err := newCommentPublisher(env, in.repo, "repository (--repo or GITHUB_REPOSITORY)", in.number, f.author)
	if err != nil {
		return usageError(err)
	}
	ctx, cancel := context.WithTimeout(ctx, commentTimeout)
	defer cancel()
	if in.head.SHA != "" {
		got, err := pub.client.PullHead(ctx, pub.target)
		if err != nil {
			return &ExitError{Code: result.ExitIncomplete, Err: err}
		}
		if err := checkHead(got, in.head); err != nil {
			return usageError(fmt.Errorf("pull request %s#%d: %w; refusing to post it", in.repo, in.number, err))
		}
	}
	out, err := pub.publish(ctx, in.policy, in.report, in.runURL)
	if err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: fmt.Errorf("the pull-request comment was not posted: %w", err)}
	}
	if out.Action == prcomment.Skipped {
		fmt.Fprintf(stderr, "secretgate: no comment on %s#%d: nothing to report and none to update\n", in.repo, in.number)
	} else {
		fmt.Fprintf(stderr, "secretgate: pull-request comment %s: %s\n", out.Action, out.URL)
	}
	if path := env("GITHUB_OUTPUT"); path != "" && out.URL != "" {
		if err := ghaction.WriteOutputs(path, []ghaction.Output{{Name: "comment-url", Value: out.URL}}); err != nil {
			return err
		}
	}
	return nil
}

// commentInput is what secretgate comment publishes, validated: the
// report (for the pull request number), the head it must be for, the
// repository and the run that holds the full report.
type commentInput struct {
	policy prcomment.Policy
	number int
	report result.Report
	head   prcomment.Head
	repo   string
	runURL string
}

// readCommentInput validates the flags, the report and the workflow_run
// event. Its errors are usage errors (exit 2).
func readCommentInput(f commentFlags, env Env) (commentInput, error) {
	var in commentInput
	var err error
	if in.policy, err = prcomment.ParsePolicy(f.policy); err != nil || in.policy == prcomment.Never {
		return in, fmt.Errorf("--comment %q: want always or on-change", f.policy)
	}
	if in.number, err = commentPRNumber(f); err != nil {
		return in, err
	}
	if f.report == "" {
		return in, errors.New("--report is required")
	}
	if in.report, err = readUntrustedReport(f.report); err != nil {
		return in, err
	}
	if pr := in.report.Context.PullRequest; pr != 0 && pr != in.number {
		return in, fmt.Errorf("the report was made for pull request %d, not %d; refusing to post it", pr, in.number)
	}
	in.report.Context.PullRequest = in.number
	run, err := workflowRunOf(env)
	if err != nil {
		return in, err
	}
	in.head = run.head()
	if f.headSHA != "" {
		in.head.SHA = f.headSHA
	}
	if in.head.SHA != "" && !shaRE().MatchString(in.head.SHA) {
		return in, fmt.Errorf("--head-sha %q is not a full commit SHA", printable(in.head.SHA))
	}
	// A workflow_run follow-up posts for a pull request its artifact
	// names; only the head GitHub recorded for the run ties the two.
	if run.isEvent && (in.head.SHA == "" || in.head.Repo == "" || in.head.Ref == "") {
		return in, errors.New("the workflow_run event does not say which head the run was for (workflow_run.head_sha, head_repository.full_name and head_branch are all needed); refusing to post")
	}
	in.runURL = cmp.Or(f.runURL, run.HTMLURL)
	in.repo = cmp.Or(f.repo, env("GITHUB_REPOSITORY"))
	return in, nil
}

// commentPRNumber reads --pr or --pr-file: a plain positive integer.
func commentPRNumber(f commentFlags) (int, error) {
	raw := f.pr
	switch {
	case f.pr != "" && f.prFile != "":
		return 0, errors.New("give --pr or --pr-file, not both")
	case f.prFile != "":
		b, err := readCapped(f.prFile, maxPRFileBytes)
		if err != nil {
			return 0, fmt.Errorf("--pr-file: %w", err)
		}
		raw = strings.TrimSpace(string(b))
	case f.pr == "":
		return 0, errors.New("--pr or --pr-file is required")
	}
	if !prNumberRE.MatchString(raw) {
		return 0, fmt.Errorf("pull request number %q is not a positive integer", printable(raw))
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("pull request number %q: %w", printable(raw), err)
	}
	return n, nil
}

// readUntrustedReport reads a JSON report from an artifact: capped in size,
// a single secretgate/report/v1 document, its rule links replaced by
// secretgate's own documentation (a link is the one thing the renderer
// would not neutralise).
func readUntrustedReport(path string) (result.Report, error) {
	var rep result.Report
	b, err := readCapped(path, MaxCommentReportBytes)
	if err != nil {
		return rep, fmt.Errorf("--report: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		return rep, fmt.Errorf("--report %s: not a JSON report: %w", path, err)
	}
	if dec.More() {
		return rep, fmt.Errorf("--report %s: more than one JSON document", path)
	}
	if rep.Schema != result.Schema {
		return rep, fmt.Errorf("--report %s: schema %q, want %s", path, printable(rep.Schema), result.Schema)
	}
	rep.Rules = nil
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.DocsURL = ""
		if ruleIDRE().MatchString(f.Rule) {
			f.DocsURL = policy.DocsBase + "#" + f.Rule
		}
	}
	return rep, nil
}

// readCapped reads a regular file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// workflowRun is what a workflow_run event says about the run that
// triggered it; GitHub sets these fields, the pull request cannot.
type workflowRun struct {
	HeadSHA        string `json:"head_sha"`
	HeadBranch     string `json:"head_branch"`
	HeadRepository struct {
		FullName string `json:"full_name"`
	} `json:"head_repository"`
	HTMLURL string `json:"html_url"`

	isEvent bool // the event is workflow_run
}

// head is the head the run was for.
func (r workflowRun) head() prcomment.Head {
	return prcomment.Head{SHA: r.HeadSHA, Repo: r.HeadRepository.FullName, Ref: r.HeadBranch}
}

// workflowRunOf reads workflow_run from the event payload of a
// workflow_run event, the zero value for other events. A workflow_run
// event whose payload cannot be read is an error: its head is what makes
// posting safe.
func workflowRunOf(env Env) (workflowRun, error) {
	if env("GITHUB_EVENT_NAME") != "workflow_run" {
		return workflowRun{}, nil
	}
	if env("GITHUB_EVENT_PATH") == "" {
		return workflowRun{}, errors.New("a workflow_run event without GITHUB_EVENT_PATH: cannot tell which head the run was for; refusing to post")
	}
	b, err := readCapped(env("GITHUB_EVENT_PATH"), 25<<20)
	if err != nil {
		return workflowRun{}, fmt.Errorf("read the workflow_run event: %w", err)
	}
	var ev struct {
		WorkflowRun workflowRun `json:"workflow_run"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return workflowRun{}, fmt.Errorf("read the workflow_run event: %w", err)
	}
	ev.WorkflowRun.isEvent = true
	return ev.WorkflowRun, nil
}

// checkHead compares the pull request's head now with the one the report
// was made for. Commit SHAs must be equal; repository and branch, when
// want names them, too — a fork's author could otherwise push another pull
// request's head commit to a branch of their own, open a pull request with
// it and have its report replace the other one's comment. Repository names
// are compared without regard to case, as GitHub treats them; branch names
// exactly.
func checkHead(got, want prcomment.Head) error {
	if got.SHA != want.SHA {
		return fmt.Errorf("its head is at %s, the report is for %s (a newer push, or a report for another pull request)", shortSHA(got.SHA), shortSHA(want.SHA))
	}
	if want.Repo != "" && !strings.EqualFold(got.Repo, want.Repo) {
		return fmt.Errorf("its head is in repository %q, the run was for %q (a report for another pull request)", printable(got.Repo), printable(want.Repo))
	}
	if want.Ref != "" && got.Ref != want.Ref {
		return fmt.Errorf("its head is branch %q, the run was for %q (a report for another pull request)", printable(got.Ref), printable(want.Ref))
	}
	return nil
}

// printable caps s and quotes nothing but what %q would; for error
// messages about untrusted input.
func printable(s string) string {
	return safetext.ClipBytes(s, 40)
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
