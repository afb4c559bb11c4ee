package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/rootpath"
	"github.com/secretgate/secretgate/internal/run"
	"github.com/secretgate/secretgate/internal/source"
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
	gh                  githubFlags
	leakCache           leakCacheFlags
}

func newCheckCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the repository (and, unless --offline, the AWS account) against the policies",
		Long: `check gathers facts from the repository files (IAM policy JSON,
CloudFormation, Terraform plan JSON, inventory snapshots), evaluates the
built-in and custom Rego policies once over them, and reports.

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
	fl.StringVar(&f.config, "config", "", "configuration file (default: .secretgate.yml at the root when present)")
	fl.BoolVar(&f.offline, "offline", false, "no network: repository files and leaks only")
	fl.BoolVar(&f.staged, "staged", false, "only what git commit would record: leaks in the staged lines, policy files from the index")
	fl.StringVar(&f.diff, "diff", "", "leak scope: the commits BASE..HEAD add")
	fl.BoolVar(&f.history, "history", false, "leak scope: every commit")
	fl.StringSliceVar(&f.only, "only", nil, "check families to run: "+strings.Join(result.Families, ","))
	fl.StringSliceVar(&f.skip, "skip", nil, "check families to skip")
	fl.StringArrayVar(&f.formats, "format", nil, "text|json|sarif|markdown (repeatable; default text)")
	fl.StringArrayVar(&f.outputs, "output", nil, "file for the matching --format (repeatable)")
	fl.StringVar(&f.failOn, "fail-on", "", "critical|high|medium|low|info|never (default: config fail_on, else high)")
	fl.StringVar(&f.roleARN, "role-arn", "", "role to assume (OIDC in GitHub Actions, AssumeRole elsewhere)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region (repeatable)")
	fl.StringVar(&f.auditLog, "audit-log", "", "file for one JSON line per secret read (never the value)")
	fl.StringVar(&f.mode, "mode", "", "local|pr|nightly|pre-commit (default: inferred from the environment)")
	fl.StringVar(&f.baseline, "baseline", "", "JSON report of the base; findings it has are not new")
	fl.BoolVar(&f.requireWaiverExpiry, "require-waiver-expiry", false, "refuse waivers without an expiry date")
	fl.StringVar(&f.writeInput, "write-input", "", "also write the input document the policies see to FILE (for opa eval and custom rules)")
	fl.StringVar(&f.now, "now", "", "evaluation time (RFC 3339) instead of the clock, for reproducible reports")
	addGitHubFlags(cmd, &f.gh, env)
	f.leakCache.register(cmd)
	return cmd
}

type output struct {
	format string
	file   string // "" means stdout
}

func parseOutputs(formats, files []string) ([]output, error) {
	if len(files) > len(formats) {
		return nil, fmt.Errorf("%d --output given for %d --format: each --output belongs to the --format before it", len(files), len(formats))
	}
	if len(formats) == 0 {
		return []output{{format: "text"}}, nil
	}
	var outs []output
	toStdout := 0
	for i, f := range formats {
		o := output{format: f}
		if i < len(files) {
			o.file = files[i]
		} else {
			toStdout++
		}
		if _, err := report.New(f, report.Options{}); err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	if toStdout > 1 {
		return nil, errors.New("more than one --format would go to standard output: give each an --output")
	}
	return outs, nil
}

func runCheck(ctx context.Context, f checkFlags, stdout, stderr io.Writer, env Env) error {
	root, err := filepath.Abs(f.path)
	if err != nil {
		return usageError(fmt.Errorf("--path %s: %w", f.path, err))
	}
	if info, err := os.Stat(root); err != nil {
		return usageError(fmt.Errorf("--path %s: does not exist", f.path))
	} else if !info.IsDir() {
		return usageError(fmt.Errorf("--path %s: not a directory", f.path))
	}
	if err := checkLiveFlags(f); err != nil {
		return usageError(err)
	}
	// The GitHub Actions event (when there is one) names the pull request
	// and, for --diff auto, the commit range.
	ev, evErr := loadEvent(env)
	if f.diff, err = resolveDiffAuto(f.diff, ev, evErr); err != nil {
		return usageError(err)
	}
	f.gh.event = ev
	mode := detectMode(f.mode, env)
	commentPol, err := commentPolicy(f.gh, mode, env)
	if err != nil {
		return usageError(err)
	}
	skipLive := liveSkipReason(f.offline, mode, env, ev)
	outs, err := parseOutputs(f.formats, f.outputs)
	if err != nil {
		return usageError(err)
	}
	if f.diff != "" && !strings.Contains(f.diff, "..") {
		return usageError(fmt.Errorf("--diff %q: want BASE..HEAD", f.diff))
	}
	if n := boolCount(f.staged, f.history, f.diff != ""); n > 1 {
		return usageError(errors.New("--staged, --diff and --history are mutually exclusive"))
	}

	cfgPath, err := config.Find(root, f.config)
	if err != nil {
		return usageError(err)
	}
	cfg := config.Default()
	if cfgPath != "" {
		if cfg, err = config.Load(cfgPath); err != nil {
			return usageError(err)
		}
		cfg.RepoRoot = root
	}
	if err := waiver.RequireExpiry(cfg, f.requireWaiverExpiry); err != nil {
		return usageError(err)
	}
	threshold := cfg.FailOn
	if f.failOn != "" {
		if threshold, err = result.ParseThreshold(f.failOn); err != nil {
			return usageError(fmt.Errorf("--fail-on: %w", err))
		}
	}
	families, notSelected, err := run.SelectFamilies(f.only, f.skip)
	if err != nil {
		return usageError(err)
	}
	if len(families) == 0 {
		return usageError(errors.New("--only and --skip leave no check to run"))
	}
	now := time.Now()
	if f.now != "" {
		if now, err = time.Parse(time.RFC3339, f.now); err != nil {
			return usageError(fmt.Errorf("--now: %w", err))
		}
	}
	threshold.NewOnly = newOnly(f.gh, mode)
	baseline, err := readBaseline(f.baseline, f.diff != "")
	if err != nil {
		return usageError(err)
	}

	gc := startGC(env)
	defer gc.restore()
	// The policies compile while the gatherers read the repository; the
	// evaluation waits for them (engine.ready).
	needed := neededFamilies(ctx, root, source.Options{Exclude: cfg.Exclude, MaxFileBytes: cfg.MaxFileSize},
		families, f.staged, !f.offline && skipLive == "")
	engine := loadPolicies(ctx, cfg, needed)

	// --staged judges what `git commit` would record: the leaks in the
	// lines the index adds, and the policy files it adds or changes, read
	// from the index (a pre-commit hook).
	gatherers := []run.Gatherer{
		&run.RepoFiles{Root: root, Options: source.Options{Exclude: cfg.Exclude, MaxFileBytes: cfg.MaxFileSize}, Staged: f.staged},
	}
	// A scope that cannot be scanned here (no repository, a range end
	// missing from a shallow clone) or a broken .gitleaks.toml is the
	// user's to fix: exit 2 with what to do.
	scope, err := leaks.ParseScope(f.staged, f.diff, f.history)
	if err != nil {
		return usageError(err)
	}
	anchor, _ := rootpath.Rel(root, cfgPath)
	// Live AWS: one session (OIDC in Actions, AssumeRole or the ambient
	// chain elsewhere), established on first use and shared by the
	// resolver and the inventory. Fork pull requests (fork.go) run the
	// repository checks only and skip the live ones.
	var lv *live
	if !f.offline && skipLive == "" {
		lv = newLive(f.roleARN, f.regions, cfg, env, stderr)
	}
	// The resolver runs before the leak scanner: the values it read are
	// what a leak is compared with (in memory, never printed).
	var rg run.Gatherer
	var liveValues *run.Resolve
	release := func() error { return nil }
	if skipLive != "" {
		rg = liveSkipped(skipLive)
	} else if rg, liveValues, release, err = resolveGatherer(ctx, f, cfg, lv, families, anchor, stderr); err != nil {
		return usageError(err)
	}
	// Released once the checks ran (below); on an early return here, with
	// the run failing anyway, a failed close of the audit log is still said.
	defer func() {
		if err := release(); err != nil {
			fmt.Fprintf(stderr, "secretgate: %v\n", err)
		}
	}()
	gatherers = append(gatherers, rg)
	if slices.Contains(families, result.CheckLeaks) {
		lg, err := run.NewLeaks(ctx, root, scope, cfg.LeaksMaxFileSize)
		if err != nil {
			return usageError(err)
		}
		if liveValues != nil {
			lg.Scanner.Live = liveValues
		}
		lg.Scanner.CacheDir = f.leakCache.cacheDir()
		// A credential's name in .secretgate.yml is marked (the rules
		// skip it): it names a secret, it is not one.
		lg.Scanner.References = run.CredentialReferences(anchor, cfg.Credentials)
		gatherers = append(gatherers, lg)
	} else if f.staged {
		if _, err := leaks.Resolve(ctx, root, scope); err != nil {
			return usageError(err)
		}
	}
	if lv != nil {
		gatherers = append(gatherers, lv.Gatherer())
	}

	policyConfig := cfg.Facts()
	if len(policyConfig.GitHub.Repositories) == 0 && len(policyConfig.GitHub.Organizations) == 0 {
		if repo := config.DefaultRepository(root, env); repo != "" {
			policyConfig.GitHub.Repositories = []string{repo}
		}
	}
	rctx := result.Context{
		Mode:        mode,
		PullRequest: prNumber(env, ev),
		Repository:  repositoryName(root, env),
		SHA:         headSHA(ctx, root, env),
		RoleARN:     f.roleARN,
		Regions:     f.regions,
	}
	// The roles gathered, to explain a refused role assumption with.
	var roles []facts.Role
	rep, err := run.Pipeline(ctx, run.Options{
		Config:       policyConfig,
		Environments: cfg,
		Engine:       engine,
		Gatherers:    gatherers,
		Families:     families,
		NotSelected:  notSelected,
		Threshold:    threshold,
		Now:          now,
		Context:      rctx,
		Tool:         result.Tool{Name: "secretgate", Version: version()},
		Baseline:     baseline,
		Requested:    withoutLiveSkipped(requested(f), skipLive),
		OnInput:      rolesSeen(&roles, inputWriter(f.writeInput)),
		Ready: func() error {
			gc.afterGather()
			return engine.ready()
		},
	})
	if perr := engine.ready(); perr != nil {
		return perr // the policies or waivers are wrong: exit 2
	}
	if errors.Is(err, policy.ErrPolicy) {
		return usageError(err)
	}
	if err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: err}
	}
	markLiveSkipped(&rep, skipLive)
	if lv != nil {
		lv.fillContext(&rep.Context)
		lv.explainRefusal(ctx, stderr, engine.engine, roles)
	}
	// An audit log or a report that cannot be written makes the run
	// incomplete, unless findings already fail it; the other reports are
	// still written. Every secret was read by now: the values are zeroed and
	// the audit log closed before the reports are written.
	stdoutTaken := false
	var writeErrs []error
	if err := release(); err != nil {
		writeErrs = append(writeErrs, err)
	}
	for _, o := range outs {
		if err := writeReport(o, rep, stdout, env, anchor); err != nil {
			writeErrs = append(writeErrs, err)
			continue
		}
		stdoutTaken = stdoutTaken || (o.file == "" && o.format != report.FormatText)
	}
	if err := errors.Join(writeErrs...); err != nil {
		if rep.ExitCode() == result.ExitFindings {
			fmt.Fprintf(stderr, "secretgate: %v\n", err)
			return &ExitError{Code: result.ExitFindings}
		}
		return &ExitError{Code: result.ExitIncomplete, Err: err}
	}
	pubErr := publishGitHub(ctx, githubRun{
		flags: f.gh, policy: commentPol, threshold: threshold, outs: outs, root: root,
		skipLive: skipLive, env: env, stdout: stdout, stderr: stderr, stdoutTaken: stdoutTaken,
	}, rep)
	if code := rep.ExitCode(); code == result.ExitFindings {
		if pubErr != nil {
			fmt.Fprintf(stderr, "secretgate: %v\n", pubErr)
		}
		return &ExitError{Code: code}
	}
	if pubErr != nil {
		// The step's summary or outputs are missing: the run cannot read
		// as complete.
		return &ExitError{Code: result.ExitIncomplete, Err: pubErr}
	}
	if code := rep.ExitCode(); code != result.ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

func writeReport(o output, rep result.Report, stdout io.Writer, env Env, anchor string) error {
	w := stdout
	var file *os.File
	if o.file != "" {
		var err error
		if file, err = os.Create(o.file); err != nil {
			return fmt.Errorf("write %s report: %w", o.format, err)
		}
		w = file
	}
	r, err := report.New(o.format, report.Options{
		Color:      o.file == "" && report.ColorFor(w, env),
		AnchorFile: anchor,
	})
	if err != nil {
		return err
	}
	err = r.Write(w, rep)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", o.format, err)
	}
	return nil
}

// readBaseline reads the fingerprints of a base report. With a --diff
// range the leaks it lists are left out: every leak the range adds is new
// by definition, even where the base had the same one.
func readBaseline(path string, diffScope bool) (map[string]bool, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
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

// inputWriter returns a hook that writes the input document as JSON.
func inputWriter(path string) func(*facts.Input) error {
	if path == "" {
		return nil
	}
	return func(in *facts.Input) error {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("--write-input: %w", err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("--write-input: %w", err)
		}
		return nil
	}
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
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--verify", "-q", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// rolesSeen keeps the input document's roles in *roles before passing the
// document on to next (which may be nil).
func rolesSeen(roles *[]facts.Role, next func(*facts.Input) error) func(*facts.Input) error {
	return func(in *facts.Input) error {
		*roles = in.Roles
		if next != nil {
			return next(in)
		}
		return nil
	}
}
