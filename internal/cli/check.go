package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/git"
	"github.com/secretgate/secretgate/internal/judge"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/progress"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/rootpath"
	"github.com/secretgate/secretgate/internal/run"
	"github.com/secretgate/secretgate/internal/safefile"
	"github.com/secretgate/secretgate/internal/waiver"
)

type checkFlags struct {
	path, config        string
	offline             bool
	staged, history     bool
	diff                string
	only, skip          []string
	formats, outputs    []string
	failOn              string
	roleARN             string
	regions             []string
	auditLog            string
	mode                string
	baseline            string
	requireWaiverExpiry bool
	writeInput          string
	now                 string
	policyTimeout       time.Duration
	verbose             bool
	quiet               bool
	varFiles            []string
	showSeverity        string
	gh                  githubFlags
	leakCache           leakCacheFlags
	org                 orgFlags
}

func newCheckCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the repository (and, unless --offline, the AWS account) against the policies",
		Long: `check gathers facts from the repository files (IAM policy JSON,
CloudFormation and SAM templates, Terraform HCL and plan JSON, CDK and CDKTF
output, inventory snapshots), scans for leaked keys, reads the AWS account
unless --offline, evaluates the built-in and custom Rego policies once over
it all, and reports.

--format may be given several times; the n-th --output names the file of the
n-th --format. A format without an --output goes to standard output (at most
one may).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), f, stdout, stderr, env)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.path, "path", ".", "repository root")
	fl.StringVarP(&f.config, "config", "c", "", "configuration file (default: .secretgate.yml at the root when present)")
	fl.BoolVar(&f.offline, "offline", false, "no network: repository files and leaks only")
	fl.BoolVar(&f.staged, "staged", false, "only what git commit would record: leaks in the staged lines, policy files from the index")
	fl.StringVar(&f.diff, "diff", "", "leak scope: the commits BASE..HEAD add")
	fl.BoolVar(&f.history, "history", false, "leak scope: every commit")
	fl.StringSliceVar(&f.only, "only", nil, "check families to run: "+strings.Join(result.Families, ","))
	fl.StringSliceVar(&f.skip, "skip", nil, "check families to skip")
	fl.StringArrayVarP(&f.formats, "format", "f", nil, "text|json|sarif|markdown (repeatable; default text)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "file for the matching --format (repeatable)")
	fl.StringVar(&f.failOn, "fail-on", "", "critical|high|medium|low|info|never (default: config fail_on, else high)")
	fl.StringVar(&f.roleARN, "role-arn", "", "role to assume (OIDC in GitHub Actions, AssumeRole elsewhere)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region (repeatable)")
	fl.StringVar(&f.auditLog, "audit-log", "", "file for one JSON line per secret read (never the value)")
	fl.StringVar(&f.mode, "mode", "", "local|pr|nightly|pre-commit (default: inferred from the environment)")
	fl.StringVar(&f.baseline, "baseline", "", "JSON report of the base; findings it has are not new")
	fl.BoolVar(&f.requireWaiverExpiry, "require-waiver-expiry", false, "refuse waivers without an expiry date")
	fl.StringVar(&f.writeInput, "write-input", "", "also write the input document the policies see to FILE (for opa eval and custom rules)")
	fl.StringVar(&f.now, "now", "", "evaluation time instead of the clock, for reproducible reports: RFC 3339 (2026-12-04T09:30:00Z) or a date (2026-12-04, midnight UTC)")
	fl.DurationVar(&f.policyTimeout, "policy-timeout", policy.DefaultEvalTimeout, "longest the policy evaluation may take (0: the default); beyond it the run is incomplete (exit 3), naming the rules still running")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "text report: every finding with its location, message and fix, however many (default: compact above "+strconv.Itoa(report.CompactAbove)+" findings)")
	fl.StringArrayVar(&f.varFiles, "var-file", nil, "Terraform variable file applied to every root module, after the configuration's terraform_var_files (repeatable)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on standard error (shown only on a terminal, for work over a second)")
	fl.StringVar(&f.showSeverity, "show-severity", "info", "text report: lowest severity listed, critical|high|medium|low|info (a display filter; --fail-on decides the exit code)")
	fl.StringVar(&f.org.accounts, "accounts", "", "check these AWS accounts (comma-separated ids, a matrix shard's) through aws.organization's role, and merge their reports")
	fl.IntVar(&f.org.shard, "shard", 0, "with --accounts: the matrix job's number, recorded in the report (accounts[].shard) so that secretgate merge --expect-shards counts a re-run's second upload once")
	fl.BoolVar(&f.org.organization, "organization", false, "check every account aws.organization selects in the AWS Organization, and merge their reports")
	addGitHubFlags(cmd, &f.gh, env)
	f.leakCache.register(cmd)
	return cmd
}

func runCheck(ctx context.Context, f checkFlags, stdout, stderr io.Writer, env Env) error {
	// The repository's facts (the commit checked, where its work tree
	// is) are asked of git once for the whole run.
	ctx = git.WithMemo(ctx)
	p, err := planCheck(ctx, f, env)
	if err != nil {
		return usageError(err)
	}
	defer p.Close()
	if !f.quiet {
		p.run.Progress = progress.New(stderr, isTerminal(stderr, env))
		// For tests and demos: show phases shorter than the second a
		// person would wait for.
		if d, err := time.ParseDuration(env("SECRETGATE_PROGRESS_AFTER")); err == nil {
			p.run.Progress.ShowAfter(d)
		}
	}
	p.run.Log = p.run.Progress.Clearing(stderr)
	if testPlan != nil {
		testPlan(&p.run)
	}
	var done run.Finished
	if p.org.set() {
		var rep result.Report
		var sel run.Organization
		if p.org.accounts != "" {
			sel.Accounts, _ = shardAccounts(p.org.accounts)
		}
		rep, err = run.CheckOrganization(ctx, p.run, sel)
		for i := range rep.Accounts {
			rep.Accounts[i].Shard = p.org.shard
		}
		done.Report = rep
	} else {
		done, err = run.Check(ctx, p.run)
	}
	p.run.Progress.Stop() // before anything is written to the terminal
	if err != nil {
		return checkExit(p.explain(err), result.Report{}, nil, nil, stderr)
	}
	stdoutTaken, written, writeErr := writeReports(p, done, stdout, env)
	if files := reportFiles(p.outs); len(files) == len(p.outs) {
		// Every report went to a file: the verdict still shows where the
		// run was started, with where to read the rest — only the files
		// written (a report that could not be written is an error below).
		verdict := report.Verdict(done.Report)
		if len(written) > 0 {
			verdict += "; reports: " + strings.Join(written, ", ")
		}
		fmt.Fprintln(stderr, verdict)
	}
	var pubErr error
	if writeErr == nil {
		pubErr = publishGitHub(ctx, githubRun{
			flags: p.gh, policy: p.comment, threshold: p.run.Threshold, outs: p.outs, root: p.run.Root,
			skipLive: done.LiveSkipped, env: env, stdout: stdout, stderr: stderr, stdoutTaken: stdoutTaken,
		}, done.Report)
	}
	return checkExit(nil, done.Report, writeErr, pubErr, stderr)
}

// testPlan, when set by tests, adjusts the plan before it runs (an audit
// log whose close fails, every rule compiled).
var testPlan func(*run.Plan)

// checkPlan is a check decided from the flags: the run internal/run
// executes, and what the CLI does with its report.
type checkPlan struct {
	run     run.Plan
	outs    []output
	text    report.Options // the text report's display settings
	anchor  string         // the configuration file in the repository, for SARIF
	gh      githubFlags
	org     orgFlags
	comment prcomment.Policy
	// judge is the base commit the judge files were read from, nil for
	// the checkout; Close removes them.
	judge *judge.Base
}

// Close removes what the plan holds on disk (a base commit's judge files).
func (p checkPlan) Close() {
	if p.judge != nil {
		p.judge.Close()
	}
}

// planCheck turns the flags into a validated plan. Its errors are usage
// errors (exit 2), checked in a fixed order: --path, the flags on their
// own, then the configuration and what depends on it.
func planCheck(ctx context.Context, f checkFlags, env Env) (checkPlan, error) {
	root, err := repoRoot(f.path)
	if err != nil {
		return checkPlan{}, err
	}
	p, err := planFlags(&f, env)
	if err != nil {
		return checkPlan{}, err
	}
	base, err := judgeBase(ctx, root, f, p.run.Context.Mode, f.gh.event)
	if err != nil {
		return checkPlan{}, err
	}
	j, err := loadJudge(ctx, root, f.config, base)
	if err != nil {
		return checkPlan{}, err
	}
	p.judge = j.base
	if err := planWithConfig(ctx, &p, f, env, root, j); err != nil {
		p.Close()
		return checkPlan{}, p.explain(err)
	}
	return p, nil
}

// planWithConfig fills in what the configuration decides, then the
// context of the run.
func planWithConfig(ctx context.Context, p *checkPlan, f checkFlags, env Env, root string, j runJudge) error {
	cfg := j.cfg
	var err error
	if err := waiver.RequireExpiry(cfg, f.requireWaiverExpiry); err != nil {
		return err
	}
	if err := planSelection(&p.run, f, cfg); err != nil {
		return err
	}
	if err := checkOrgFlags(f, cfg); err != nil {
		return err
	}
	p.org = f.org
	p.run.Threshold.NewOnly = newOnly(f.gh, p.run.Context.Mode)
	if p.run.Baseline, err = readBaseline(ctx, f.baseline, f.diff != ""); err != nil {
		return err
	}
	if p.run.LeakScope, err = leaks.ParseScope(f.staged, f.diff, f.history); err != nil {
		return err
	}
	p.anchor = j.anchor
	p.run.Root, p.run.Config, p.run.ConfigFile = root, cfg, p.anchor
	if j.base != nil {
		// Variable values change verdicts; inside the repository they
		// are the change's to edit, so they belong to the judge.
		for _, v := range p.run.TerraformVarFiles {
			if _, inside := rootpath.Rel(root, v); inside {
				return fmt.Errorf("--var-file %s lies in the repository, whose files the change under review controls; name it under terraform_var_files in .secretgate.yml, which is read from the base", v)
			}
		}
	}
	p.run.Context.PullRequest = prNumber(env, f.gh.event)
	p.run.Context.Repository = repositoryName(root, env)
	if sha := env("GITHUB_SHA"); sha != "" {
		p.run.Context.SHA = sha
	} else {
		// Asked of git while the run reads (a process less before it).
		p.run.HeadSHA = startHeadSHA(ctx, root, env)
	}
	if j.base != nil {
		return planJudgeChange(ctx, p, f, j)
	}
	return nil
}

// planFlags checks the flags that need no configuration and fills in what
// they decide: the mode, the pull-request comment, the outputs, --diff auto
// from the event payload, the live AWS settings.
func planFlags(f *checkFlags, env Env) (checkPlan, error) {
	if err := checkLiveFlags(*f); err != nil {
		return checkPlan{}, err
	}
	// The GitHub Actions event (when there is one) names the pull request
	// and, for --diff auto, the commit range.
	ev, evErr := loadEvent(env)
	var err error
	if f.diff, err = resolveDiffAuto(f.diff, ev, evErr); err != nil {
		return checkPlan{}, err
	}
	f.gh.event = ev
	mode := detectMode(f.mode, env)
	p := checkPlan{gh: f.gh}
	if p.comment, err = commentPolicy(f.gh, mode, env); err != nil {
		return checkPlan{}, err
	}
	if p.outs, err = parseOutputs(f.formats, f.outputs); err != nil {
		return checkPlan{}, err
	}
	p.text.Verbose = f.verbose
	if f.showSeverity != "" {
		if p.text.ShowSeverity, err = result.ParseSeverity(f.showSeverity); err != nil {
			return checkPlan{}, fmt.Errorf("--show-severity: %w", err)
		}
	}
	if f.policyTimeout < 0 {
		return checkPlan{}, fmt.Errorf("--policy-timeout %s: want a positive duration, e.g. 60s or 5m", f.policyTimeout)
	}
	if f.diff != "" && !strings.Contains(f.diff, "..") {
		return checkPlan{}, fmt.Errorf("--diff %q: want BASE..HEAD", f.diff)
	}
	if n := boolCount(f.staged, f.history, f.diff != ""); n > 1 {
		return checkPlan{}, errors.New("--staged, --diff and --history are mutually exclusive")
	}
	varFiles, err := absVarFiles(f.varFiles)
	if err != nil {
		return checkPlan{}, err
	}
	p.run = run.Plan{
		TerraformVarFiles: varFiles,
		Context:           result.Context{Mode: mode, RoleARN: f.roleARN, Regions: f.regions},
		Tool:              result.Tool{Name: "secretgate", Version: version()},
		Requested:         requested(*f),
		Staged:            f.staged,
		LeakCacheDir:      f.leakCache.cacheDir(),
		Offline:           f.offline,
		AWS:               run.AWS{RoleARN: f.roleARN, Regions: f.regions, AuditLog: f.auditLog},
		Event:             ev,
		WriteInput:        f.writeInput,
		PolicyTimeout:     f.policyTimeout,
		Env:               env,
	}
	return p, nil
}

// absVarFiles makes the --var-file paths absolute; each must be a regular
// file.
func absVarFiles(files []string) ([]string, error) {
	var out []string
	for _, v := range files {
		abs, err := filepath.Abs(v)
		if err != nil {
			return nil, fmt.Errorf("--var-file %s: %w", v, err)
		}
		st, err := os.Stat(abs)
		if err != nil || !st.Mode().IsRegular() {
			return nil, fmt.Errorf("--var-file %s: not a regular file", v)
		}
		out = append(out, abs)
	}
	return out, nil
}

// planSelection decides the threshold (--fail-on, else the
// configuration's fail_on), the families (--only, --skip) and the time.
func planSelection(p *run.Plan, f checkFlags, cfg *config.Config) error {
	var err error
	p.Threshold = cfg.FailOn
	if f.failOn != "" {
		if p.Threshold, err = result.ParseThreshold(f.failOn); err != nil {
			return fmt.Errorf("--fail-on: %w", err)
		}
	}
	if p.Families, p.NotSelected, err = run.SelectFamilies(f.only, f.skip); err != nil {
		return err
	}
	if len(p.Families) == 0 {
		return errors.New("--only and --skip leave no check to run")
	}
	p.Now = time.Now()
	if f.now != "" {
		if p.Now, err = parseNow(f.now); err != nil {
			return err
		}
	}
	return nil
}

// parseNow reads --now: an RFC 3339 time, or a date (midnight UTC). The
// error names the accepted forms, not Go's layout strings.
func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--now %q: want an RFC 3339 time such as 2026-12-04T09:30:00Z (or +01:00 for the zone) or a date such as 2026-12-04 (midnight UTC)", s)
}

// readBaseline reads the fingerprints of a base report. With a --diff
// range the leaks it lists are left out: every leak the range adds is new
// by definition, even where the base had the same one. The report is the
// user's choice, anywhere, but must be a regular file of at most
// safefile.MaxBaseline bytes.
func readBaseline(ctx context.Context, path string, diffScope bool) (map[string]bool, error) {
	if path == "" {
		return nil, nil
	}
	b, err := safefile.Read(ctx, "", path, safefile.MaxBaseline)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	var rep struct {
		Schema   string `json:"schema"`
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
			Check       string `json:"check"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("--baseline %s: %w", path, err)
	}
	if rep.Schema != result.Schema {
		return nil, fmt.Errorf("--baseline %s: schema %q, want %q", path, rep.Schema, result.Schema)
	}
	m := map[string]bool{}
	for _, f := range rep.Findings {
		if diffScope && f.Check == result.CheckLeaks {
			continue
		}
		m[f.Fingerprint] = true
	}
	return m, nil
}

func boolCount(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// modes are the run modes --mode accepts.
var modes = []string{"local", "pr", "nightly", "pre-commit"}

// checkLiveFlags rejects contradictions: flags that only mean something
// with live AWS cannot be combined with --offline, and --mode must be known.
func checkLiveFlags(f checkFlags) error {
	if f.mode != "" && !slices.Contains(modes, f.mode) {
		return fmt.Errorf("--mode %q: want one of %s", f.mode, strings.Join(modes, ", "))
	}
	if !f.offline {
		return nil
	}
	for flag, set := range map[string]bool{"--role-arn": f.roleARN != "", "--region": len(f.regions) > 0, "--audit-log": f.auditLog != ""} {
		if set {
			return fmt.Errorf("%s needs live AWS and cannot be combined with --offline", flag)
		}
	}
	return nil
}

// requested names the families the user asked for explicitly: a family
// explicitly asked for that cannot run makes the run incomplete instead of
// being skipped quietly.
func requested(f checkFlags) map[string]string {
	m := map[string]string{}
	for _, fam := range f.only {
		m[fam] = "--only " + fam
	}
	switch {
	case f.staged:
		m[result.CheckLeaks] = "--staged"
	case f.history:
		m[result.CheckLeaks] = "--history"
	case f.diff != "":
		m[result.CheckLeaks] = "--diff"
	}
	return m
}

// pullRequestNumber reads the pull request number of a GitHub Actions run
// from GITHUB_REF (refs/pull/N/merge), 0 outside pull requests.
func pullRequestNumber(env Env) int {
	ref := env("GITHUB_REF")
	rest, ok := strings.CutPrefix(ref, "refs/pull/")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, "/")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// detectMode infers the run mode from the GitHub Actions event when not
// given.
func detectMode(flag string, env Env) string {
	if flag != "" {
		return flag
	}
	switch env("GITHUB_EVENT_NAME") {
	case "pull_request", "pull_request_target", "merge_group":
		return "pr"
	case "schedule", "workflow_dispatch":
		return "nightly"
	}
	if env("PRE_COMMIT") == "1" {
		return "pre-commit"
	}
	return "local"
}

func repositoryName(root string, env Env) string {
	if r := env("GITHUB_REPOSITORY"); r != "" {
		return r
	}
	return config.DefaultRepository(root, env)
}

// headSHA is the commit being checked: GITHUB_SHA in Actions, otherwise
// the repository's HEAD ("" when root is not a git repository or has no
// commit yet). The git call ends with ctx.
func headSHA(ctx context.Context, root string, env Env) string {
	if s := env("GITHUB_SHA"); s != "" {
		return s
	}
	sha, err := git.HeadSHA(ctx, root)
	if err != nil {
		return "" // not a git repository, or no commit yet
	}
	return sha
}

// startHeadSHA looks headSHA up in the background; the function returned
// waits for it.
func startHeadSHA(ctx context.Context, root string, env Env) func() string {
	done := make(chan string, 1)
	go func() { done <- headSHA(ctx, root, env) }()
	return sync.OnceValue(func() string { return <-done })
}

// isTerminal says whether progress may be drawn in place on w: a terminal,
// and not a CI runner's log (GitHub Actions, act, and other CI systems can
// hand a step a pseudo-terminal whose output ends up in a log file).
func isTerminal(w io.Writer, env Env) bool {
	if ci := strings.ToLower(env("CI")); env("GITHUB_ACTIONS") == "true" || (ci != "" && ci != "false" && ci != "0") {
		return false
	}
	return report.Terminal(w, env)
}
