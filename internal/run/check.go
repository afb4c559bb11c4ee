package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/ghevent"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/progress"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/source"
)

// Plan is one secretgate check, decided and validated by the caller (the
// CLI turns its flags into a Plan): Check executes it as given.
type Plan struct {
	// Root is the repository root, absolute.
	Root string
	// Config is the loaded configuration (config.Default without a file).
	Config *config.Config
	// ConfigFile is the configuration file's path relative to Root,
	// "/"-separated (rootpath.Rel); "" when there is none or it lies
	// outside Root. The leak scanner marks the credential names in it.
	ConfigFile string
	// Families are the selected check families (after --only/--skip);
	// NotSelected gives the reason for the others; Requested names the
	// families asked for explicitly (family → the flag that asked).
	Families    []string
	NotSelected map[string]string
	Requested   map[string]string
	Threshold   result.Threshold
	Now         time.Time
	// Context says what is checked (mode, pull request, repository,
	// commit, the role and regions asked for); the run adds the account.
	Context result.Context
	// HeadSHA, when set, gives the commit checked (Context.SHA) once the
	// run has gathered: it may still be asking git meanwhile.
	HeadSHA func() string
	Tool    result.Tool
	// Baseline holds fingerprints of findings that existed before.
	Baseline map[string]bool
	// Staged reads the policy files from the git index (a pre-commit
	// hook); LeakScope is what the leak scanner scans, LeakCacheDir its
	// cache ("" for none).
	Staged       bool
	LeakScope    leaks.Scope
	LeakCacheDir string
	// Offline runs without live AWS; AWS says how to reach it otherwise.
	Offline bool
	AWS     AWS
	// Event is the GitHub Actions event payload, nil outside Actions or
	// when it could not be read: a fork's or Dependabot's pull request
	// skips the live checks (liveSkipReason).
	Event *ghevent.Event
	// WriteInput, when set, is a file the input document is written to.
	WriteInput string
	// Env is the process environment (the AWS and GitHub variables);
	// Log receives the audit lines, warnings and the explanation of a
	// refused role assumption (standard error).
	Env func(string) string
	Log io.Writer
	// Progress shows how far the run is on standard error; nil shows
	// nothing (--quiet, tests).
	Progress *progress.Meter

	// OpenAuditLog opens the --audit-log file; nil opens it for
	// appending, readable by its owner only.
	OpenAuditLog func(path string) (io.WriteCloser, error)
	// OnCompile, when set, is given the compiled policy engine.
	OnCompile func(*policy.Engine)
	// CompileAll compiles every built-in rule family instead of only
	// those the run can have facts for; the report is the same (tests
	// prove it with this).
	CompileAll bool
	// RepoWait is how long, in a run without live AWS, the compilation
	// waits for the repository to be read before it compiles every
	// selected family (0: repoWait). Tests raise it so that the fast path
	// does not depend on the machine's load.
	RepoWait time.Duration
	// PolicyTimeout bounds the evaluation of the policies (0: the
	// engine's default, policy.DefaultEvalTimeout); a run that runs out of
	// time is incomplete, with the rules still running named.
	PolicyTimeout time.Duration

	// JudgeDir is where the leak scanner reads .gitleaks.toml and
	// .gitleaksignore: "" for Root, else a base commit's judge files
	// (internal/judge). Config and the policy directories it names come
	// from the same place, loaded by the caller.
	JudgeDir string
	// Judge is set when the judge was read from a base commit; see Judge.
	Judge *Judge

	// TerraformVarFiles are .tfvars files the workflow names (--var-file),
	// applied after the configuration's terraform_var_files.
	TerraformVarFiles []string

	// cfnParameters are the values of Config.CloudFormationParameters,
	// read by Check.
	cfnParameters map[string]string
	// policies, when set, is the engine the runs of an organisation share
	// (CheckOrganization).
	policies *sharedPolicies
	// staged is the staged listing a staged run reads once, for the
	// families to compile and for the repository files (see
	// source.StagedIndex).
	staged *source.StagedIndex
}

// Judge is where a run over a range read its judge from, and what the
// change under review does to it.
type Judge struct {
	// Base is the commit the judge files were read from.
	Base string
	// Changed lists the judge files the change edits.
	Changed []string
	// Severity of config-judge-changed ("" for the rule's own).
	Severity string
	// Head is the same check with the change's own judge (the checkout's
	// files), run to say what the change would do; nil when that judge
	// cannot be used, and HeadErr says why. Unused when nothing changed.
	Head    *Plan
	HeadErr error
}

func (j *Judge) facts() *facts.Judge {
	if j == nil {
		return nil
	}
	return &facts.Judge{Base: j.Base, Changed: append([]string{}, j.Changed...), Severity: j.Severity}
}

// AWS is how a run reaches the AWS account: the role and regions asked for
// (the configuration's aws section fills in what they leave out) and the
// --audit-log file that records every secret read.
type AWS struct {
	RoleARN  string
	Regions  []string
	AuditLog string
	// Session, when set, is an AWS session the caller established (an
	// account's spoke role in an organisation run): the run uses it and
	// assumes no role of its own.
	Session *awsauth.Session
}

// Finished is a run that completed: its report and what the caller must
// know besides.
type Finished struct {
	Report result.Report
	// LiveSkipped says why the live AWS checks were skipped without that
	// being an error (a fork's pull request); "" when they were not.
	LiveSkipped string
	// ReleaseErr is the error of releasing what the run held once it was
	// done: an --audit-log file that could not be closed. The report
	// stands, but the run cannot read as complete.
	ReleaseErr error
}

// UsageError is a problem the user must fix before the run can work (exit
// 2): policies that do not compile, a waiver naming an unknown rule, a
// leak scope that cannot be scanned, an audit log that cannot be opened.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Check executes p: it tunes the garbage collector, compiles the policies
// in the background while the gatherers read, runs the resolver before
// the leak scanner that compares leaks with its values, evaluates once and
// returns the finished report. A *UsageError is the user's to fix; any
// other error means the run could not complete (nothing to report).
func Check(ctx context.Context, p Plan) (Finished, error) {
	if p.Log == nil {
		p.Log = io.Discard
	}
	if err := p.loadCloudFormationParameters(); err != nil {
		return Finished{}, &UsageError{Err: err}
	}
	skip := liveSkipReason(p.Offline, p.Context.Mode, p.Env, p.Event)
	live := !p.Offline && skip == ""
	// The policies compile while the gatherers read the repository; the
	// evaluation waits for them (engine.ready).
	if p.Staged {
		p.staged = source.NewStagedIndex(p.Root)
	}
	var needed func() []string
	read := newRepoRead()
	if !p.CompileAll {
		needed = neededFamilies(ctx, p.Root, p.sourceOptions(), p.Families, p.Staged, live, read, p.RepoWait)
	}
	onCompile := func(e *policy.Engine) {
		e.SetEvalTimeout(p.PolicyTimeout)
		if p.OnCompile != nil {
			p.OnCompile(e)
		}
	}
	lazy := needed != nil && deferrable(live, p.Config, p.Judge)
	load := func() *pendingEngine { return loadPolicies(ctx, p.Config, needed, onCompile, lazy) }
	var engine *pendingEngine
	if p.policies != nil {
		engine = p.policies.get(load)
	} else {
		engine = load()
	}
	var lv *awsAccess
	if live {
		lv = newLive(p.AWS.RoleARN, p.AWS.Regions, p.Config, p.Env, p.Log)
		lv.preset = p.AWS.Session
	}
	gs, release, err := p.gatherers(ctx, skip, lv, read, engine.warm)
	if err != nil {
		return Finished{}, &UsageError{Err: err}
	}
	out, err := p.evaluate(ctx, engine, gs, skip, lv)
	if err != nil {
		// The run fails anyway; a failed close of the audit log is still
		// said.
		if rerr := release(); rerr != nil {
			fmt.Fprintf(p.Log, "secretgate: %v\n", rerr)
		}
		return Finished{}, err
	}
	// Every secret was read by now: the values are zeroed and the audit
	// log closed before the caller writes the reports.
	out.ReleaseErr = release()
	p.describeJudgeChange(ctx, &out.Report)
	return out, nil
}

func (p *Plan) sourceOptions() source.Options {
	return source.Options{Exclude: p.Config.Exclude, MaxFileBytes: p.Config.MaxFileSize, CloudFormationParameters: p.cfnParameters,
		TerraformVarFiles: append(append([]string(nil), p.Config.TerraformVarFiles...), p.TerraformVarFiles...),
		Staged:            p.staged}
}

// loadCloudFormationParameters reads the configuration's
// cloudformation_parameters file into the plan.
func (p *Plan) loadCloudFormationParameters() error {
	if p.Config == nil || p.Config.CloudFormationParameters == "" {
		return nil
	}
	params, err := source.LoadCloudFormationParameters(p.Config.CloudFormationParameters)
	if err != nil {
		return fmt.Errorf("cloudformation_parameters: %w", err)
	}
	p.cfnParameters = params
	return nil
}

// gatherers builds the run's gatherers from the plan: the repository
// files (from the index with Staged), the resolver (or why the resolve
// check cannot run), the leak scanner with the resolver's values, and the
// live inventory; read learns what the repository holds (repoRead), and
// onLeak is called when the leak scan finds a match. release zeroes the values read and closes the audit log; on an error it
// has already run.
func (p *Plan) gatherers(ctx context.Context, skip string, lv *awsAccess, read *repoRead, onLeak func()) (gs []Gatherer, release func() error, err error) {
	gs = []Gatherer{&RepoFiles{Root: p.Root, Options: p.sourceOptions(), Staged: p.Staged, Read: read}}
	var rg Gatherer
	var values *Resolve
	release = func() error { return nil }
	if skip != "" {
		rg = liveSkipped(skip)
	} else if rg, values, release, err = resolveGatherer(ctx, p, lv); err != nil {
		return nil, release, err
	}
	gs = append(gs, rg)
	lg, err := p.leakGatherer(ctx, values, onLeak)
	if err != nil {
		if rerr := release(); rerr != nil {
			fmt.Fprintf(p.Log, "secretgate: %v\n", rerr)
		}
		return nil, release, err
	}
	if lg != nil {
		gs = append(gs, lg)
	}
	if lv != nil {
		gs = append(gs, lv.Gatherer())
	}
	return gs, release, nil
}

// leakGatherer is the leak scanner when the leaks check is selected (nil
// otherwise). A scope that cannot be scanned here (no repository, a range
// end missing from a shallow clone) or a broken .gitleaks.toml is the
// user's to fix; a staged run checks its scope even without the leaks
// check.
func (p *Plan) leakGatherer(ctx context.Context, values *Resolve, onMatch func()) (*Leaks, error) {
	if !slices.Contains(p.Families, result.CheckLeaks) {
		if p.Staged {
			if _, err := leaks.Resolve(ctx, p.Root, p.LeakScope); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	opts := LeakOptions{
		Scope:        p.LeakScope,
		MaxFileBytes: p.Config.LeaksMaxFileSize,
		CacheDir:     p.LeakCacheDir,
		// A credential's name in .secretgate.yml is marked (the rules
		// skip it): it names a secret, it is not one.
		References: CredentialReferences(p.ConfigFile, p.Config.Credentials),
		JudgeDir:   p.JudgeDir,
		// Judged from a base: the range's own allow markers hide nothing.
		DistrustAddedAllow: p.Judge != nil,
		// A match starts the policies' compilation if it was put off.
		OnMatch: onMatch,
	}
	if values != nil {
		opts.Live = values
	}
	return NewLeaks(ctx, p.Root, opts)
}

// evaluate runs the pipeline over gs and finishes the report: the live
// skip noted, the account checked, a refused role assumption explained.
func (p *Plan) evaluate(ctx context.Context, engine *pendingEngine, gs []Gatherer, skip string, lv *awsAccess) (Finished, error) {
	// The roles gathered, to explain a refused role assumption with.
	var roles []facts.Role
	rep, err := Pipeline(ctx, Options{
		Config:       p.policyConfig(),
		Environments: p.Config,
		Engine:       engine,
		Gatherers:    gs,
		Families:     p.Families,
		NotSelected:  p.NotSelected,
		Threshold:    p.Threshold,
		Now:          p.Now,
		Context:      p.Context,
		Tool:         p.Tool,
		Baseline:     p.Baseline,
		Judge:        p.Judge.facts(),
		Requested:    withoutLiveSkipped(p.Requested, skip),
		Progress:     p.Progress,
		OnInput:      rolesSeen(&roles, inputWriter(p.WriteInput)),
		Ready:        engine.ready,
	})
	if perr := engine.ready(); perr != nil {
		return Finished{}, &UsageError{Err: perr} // the policies or waivers are wrong
	}
	if errors.Is(err, policy.ErrPolicy) {
		return Finished{}, &UsageError{Err: err}
	}
	if err != nil {
		return Finished{}, err
	}
	if rep.Context.SHA == "" && p.HeadSHA != nil {
		rep.Context.SHA = p.HeadSHA()
	}
	markLiveSkipped(&rep, skip)
	if lv != nil {
		lv.fillContext(&rep.Context)
		lv.explainRefusal(ctx, p.Log, engine.engine, roles)
	}
	return Finished{Report: rep, LiveSkipped: skip}, nil
}

// policyConfig is the configuration the policies read; without GitHub
// organisations or repositories configured, the repository checked is the
// one trusted.
func (p *Plan) policyConfig() facts.Config {
	fc := p.Config.Facts()
	if len(fc.GitHub.Repositories) == 0 && len(fc.GitHub.Organizations) == 0 {
		if repo := config.DefaultRepository(p.Root, p.Env); repo != "" {
			fc.GitHub.Repositories = []string{repo}
		}
	}
	return fc
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
