// Package run owns one secretgate check run. Check assembles it from a
// Plan (the validated flags and configuration): it builds the gatherers
// (repository files, the credential resolver, the leak scanner, the live
// AWS inventory), compiles the policies in the background while they read,
// validates the waivers against the rule catalogue, and returns the
// finished report. Pipeline is the run's core: gatherers turn the
// repository, the AWS account and the leak scanner into facts, the policy
// engine turns the facts into findings in one evaluation, and the outcome
// of each check family becomes a result.Report. New sources of facts plug
// in as Gatherers without touching the rest.
package run

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/progress"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/waiver"
)

// Gatherer adds the facts of some check families to the input document.
// A gatherer that cannot do its work completely says so in its Outcome; it
// never drops what it already gathered.
type Gatherer interface {
	// Name identifies the gatherer in errors.
	Name() string
	// Families are the check families whose facts it supplies.
	Families() []string
	// Gather adds facts to in.
	Gather(ctx context.Context, in *facts.Input) Outcome
}

// Outcome is what a gatherer reports besides its facts.
type Outcome struct {
	// Resources counts what was gathered, per family.
	Resources map[string]int
	// Units says what Resources counts for a family when it is not the
	// family's result.DefaultUnit.
	Units map[string]string
	// Errors marks families that could not be checked completely, with the
	// reason. Such a family's status is error and the run is incomplete.
	Errors map[string]string
	// Skipped marks families the gatherer deliberately did not gather, with
	// the reason.
	Skipped map[string]string
	// NoInput marks families the gatherer found nothing to judge for, with
	// the reason (the resolve check with no credentials configured): their
	// status is no-input, never a pass.
	NoInput map[string]string
	// Files counts files read; Problems lists files that could not be
	// parsed (the run is incomplete); Skips lists files skipped by design.
	Files    int
	Problems []result.InputProblem
	Skips    []result.InputProblem
	// NotJudged lists infrastructure code the gatherer found and could
	// not read as written (source.Result.NotJudged); the families it
	// holds facts for are in error, the run incomplete.
	NotJudged []result.InputProblem
}

// Dependent is a Gatherer that reads what other gatherers hold once they
// ran: the leak scanner compares leaks with the secret values the resolver
// read. Pipeline runs the gatherers After names first, wherever they stand
// in Options.Gatherers.
type Dependent interface {
	After() []Gatherer
}

// Evaluator turns an input document into raw findings.
type Evaluator interface {
	EvaluateDocument(ctx context.Context, doc *policy.Document) ([]policy.Raw, error)
	Rule(id string) (result.Rule, bool)
}

// EnvironmentResolver derives the environment of a role, policy or secret.
type EnvironmentResolver interface {
	EnvironmentOf(name, path string, tags map[string]string) string
}

// Options configure one run.
type Options struct {
	Config       facts.Config
	Environments EnvironmentResolver
	Engine       Evaluator
	// Gatherers run one after the other, in this order except that a
	// Dependent's gatherers run before it.
	Gatherers []Gatherer
	// Families are the selected check families (after --only/--skip).
	Families []string
	// NotSelected gives the reason for families left out by the user.
	NotSelected map[string]string
	Threshold   result.Threshold
	Now         time.Time
	Context     result.Context
	Tool        result.Tool
	// Requested names families the user asked for explicitly (family →
	// the flag that asked). Such a family is never quietly skipped: if it
	// cannot run, its status is error and the run incomplete.
	Requested map[string]string
	// OnInput, when set, sees the complete input document just before it
	// is evaluated (secretgate check --write-input).
	OnInput func(*facts.Input) error
	// Ready, when set, is called once gathering is done and before the
	// evaluation, which it may hold up: the CLI compiles the policies
	// while the gatherers read the repository. Its error ends the run and
	// is returned unchanged.
	Ready func() error
	// Baseline holds fingerprints of findings that existed before (from a
	// run on the base of a pull request); matching findings are not new.
	Baseline map[string]bool
	// Judge, when set, tells the policies that the judge files were read
	// from a base commit and which of them the change edits.
	Judge *facts.Judge
	// Progress shows each gatherer and the evaluation as a phase; nil
	// shows nothing.
	Progress *progress.Meter
}

// counting is a Gatherer that can say how far it is: what it counts
// ("files", "commits") and a phase to count on.
type counting interface {
	progressUnit() string
	countOn(p *progress.Phase)
}

// Pipeline gathers, evaluates and reports. The returned error is for
// failures that leave nothing to report (the policy engine failing);
// everything else ends up in the report.
func Pipeline(ctx context.Context, opts Options) (result.Report, error) {
	rep := result.Report{
		Schema:   result.Schema,
		Tool:     opts.Tool,
		Context:  opts.Context,
		Findings: []result.Finding{},
		Rules:    map[string]result.Rule{},
	}
	in := &facts.Input{
		Schema:      facts.Schema,
		Now:         opts.Now.UTC().Format(time.RFC3339),
		Config:      opts.Config,
		Roles:       []facts.Role{},
		Policies:    []facts.Policy{},
		Secrets:     []facts.Secret{},
		Leaks:       []facts.Leak{},
		Credentials: []facts.Credential{},
		Checks:      append([]string(nil), opts.Families...),
		Judge:       opts.Judge,
	}
	selected := toSet(opts.Families)
	state := gather(ctx, opts.Gatherers, selected, in, &rep.Inputs, opts.Progress)
	deriveEnvironments(in, opts.Environments)
	if opts.OnInput != nil {
		if err := opts.OnInput(in); err != nil {
			return rep, err
		}
	}
	phase := opts.Progress.Start("policy evaluation", "")
	raws, evalTook, err := evaluate(ctx, opts, in)
	phase.Done()
	if errors.Is(err, policy.ErrDeadline) && ctx.Err() == nil {
		// The facts are gathered but no verdict came in time: every
		// selected check is in error and the run incomplete, and the
		// report is still written (nothing gathered is lost).
		for fam := range selected {
			if st, ok := state[fam]; ok {
				st.errs = append(st.errs, err.Error())
			}
		}
		raws, err = nil, nil
	}
	if err != nil {
		return rep, err
	}
	built, err := buildFindings(raws, waiver.NewSet(opts.Config.Waivers), opts.Engine)
	if err != nil {
		return rep, err
	}
	assumed := newAssumptionIndex(in)
	variants := variantFindings{}
	for i, b := range built {
		f, rule := b.finding, b.rule
		a := assumed.of(raws[i])
		if len(a) > 0 && variants.merged(&rep, f, a) {
			continue // the same finding on another variant of the resource
		}
		if len(a) > 0 {
			f.Assumptions = a
			f.Message = withAssumptions(f.Message, a)
		}
		if f.Check != result.CheckConfig && !selected[f.Check] {
			continue
		}
		if st, ok := state[f.Check]; ok && !st.gathered {
			// A rule of a family whose facts were not gathered (for example
			// a custom rule on live data in an offline run) cannot be judged.
			continue
		}
		f.New = !opts.Baseline[f.Fingerprint]
		if len(a) > 0 {
			variants.add(f, a, len(rep.Findings))
		}
		rep.Findings = append(rep.Findings, f)
		rep.Rules[rule.ID] = rule
	}
	result.SortFindings(rep.Findings)
	failing, found := map[string]bool{}, map[string]bool{}
	for _, f := range rep.Findings {
		found[f.Check] = true
		if opts.Threshold.FailsFinding(f) {
			failing[f.Check] = true
		}
	}
	for _, fam := range result.Families {
		st := state[fam]
		st.found = found[fam]
		rep.Checks = append(rep.Checks, checkOf(fam, st, opts, selected[fam], failing[fam], evalTook))
	}
	rep.Summarize(opts.Threshold)
	return rep, nil
}

// famState is what the gatherers said about one check family.
type famState struct {
	resources int
	unit      string
	errs      []string
	skipped   string
	noInput   string // why there was nothing to judge, when a gatherer said
	gathered  bool
	duration  time.Duration
	found     bool // a finding of the family was reported
}

// gather runs the gatherers of the selected families (inDependencyOrder)
// into in, and records the files they read in inputs.
func gather(ctx context.Context, gs []Gatherer, selected map[string]bool, in *facts.Input, inputs *result.Inputs, meter *progress.Meter) map[string]*famState {
	state := map[string]*famState{}
	for _, f := range result.Families {
		state[f] = &famState{}
	}
	for _, g := range inDependencyOrder(gs) {
		fams := intersect(g.Families(), selected)
		if len(fams) == 0 {
			continue
		}
		start := time.Now()
		unit := ""
		c, counts := g.(counting)
		if counts {
			unit = c.progressUnit()
		}
		phase := meter.Start(g.Name(), unit)
		if counts {
			c.countOn(phase)
		}
		out := g.Gather(ctx, in)
		phase.Done()
		took := time.Since(start)
		inputs.Files += out.Files
		inputs.Errors = append(inputs.Errors, out.Problems...)
		inputs.Skipped = append(inputs.Skipped, out.Skips...)
		inputs.NotJudged = append(inputs.NotJudged, out.NotJudged...)
		for _, f := range fams {
			st := state[f]
			st.gathered = true
			st.duration += took
			st.resources += out.Resources[f]
			if u := out.Units[f]; u != "" {
				st.unit = u
			}
			if reason, ok := out.Skipped[f]; ok {
				st.skipped = reason
			}
			if reason, ok := out.NoInput[f]; ok {
				st.noInput = reason
			}
			if msg, ok := out.Errors[f]; ok {
				st.errs = append(st.errs, msg)
			}
		}
	}
	return state
}

// evaluate converts the input document and evaluates the policies over
// it once they are ready (Options.Ready). took counts the conversion and
// the evaluation.
func evaluate(ctx context.Context, opts Options, in *facts.Input) (raws []policy.Raw, took time.Duration, err error) {
	// The document is converted before waiting for Ready: the policies may
	// still be compiling.
	convStart := time.Now()
	doc, docErr := policy.NewDocument(in)
	convTook := time.Since(convStart)
	if opts.Ready != nil {
		if err := opts.Ready(); err != nil {
			return nil, 0, err
		}
	}
	if docErr != nil {
		return nil, 0, docErr
	}
	start := time.Now().Add(-convTook)
	if raws, err = opts.Engine.EvaluateDocument(ctx, doc); err != nil {
		return nil, 0, err
	}
	return raws, time.Since(start), nil
}

// checkOf is the outcome of family fam: skipped when not selected or
// skipped by its gatherer, error when it could not run completely (or was
// asked for and skipped), failed with a finding at the threshold, else ok.
func checkOf(fam string, st *famState, opts Options, selected, failing bool, evalTook time.Duration) result.Check {
	c := result.Check{ID: fam, Resources: st.resources, Unit: st.unit, DurationMS: (st.duration + evalTook).Milliseconds()}
	if c.Unit == "" {
		c.Unit = result.DefaultUnit(fam)
	}
	switch {
	case !selected:
		c.Status = result.StatusSkipped
		c.Reason = opts.NotSelected[fam]
		if c.Reason == "" {
			c.Reason = "not selected"
		}
		c.DurationMS = 0
	case len(st.errs) > 0:
		c.Status = result.StatusError
		c.Error = strings.Join(st.errs, "; ")
	case st.skipped != "" && opts.Requested[fam] != "":
		c.Status = result.StatusError
		c.Error = fmt.Sprintf("%s asked for this check, but it could not run: %s", opts.Requested[fam], st.skipped)
	case st.skipped != "":
		c.Status = result.StatusSkipped
		c.Reason = st.skipped
		c.DurationMS = 0
	case !st.gathered:
		c.Status = result.StatusError
		c.Error = "no gatherer supplies this check in this build"
	case failing:
		c.Status = result.StatusFailed
	case st.resources == 0 && !st.found:
		// Nothing was there to judge: not a pass.
		c.Status = result.StatusNoInput
		c.Reason = st.noInput
	default:
		c.Status = result.StatusOK
	}
	return c
}

// builtFinding is a finding with its rule's catalogue entry.
type builtFinding struct {
	finding result.Finding
	rule    result.Rule
}

// buildFindings builds the findings of raws (buildFinding), a slice per
// core side by side; a large account has tens of thousands. Only a
// configured waiver waives: a rule cannot mark its own findings waived.
// The error is the first raw finding's, in order.
func buildFindings(raws []policy.Raw, waivers waiver.Set, cat Evaluator) ([]builtFinding, error) {
	out := make([]builtFinding, len(raws))
	errs := make([]error, len(raws))
	build := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			raw := raws[i]
			waivers.Confirm(&raw)
			out[i].finding, out[i].rule, errs[i] = buildFinding(raw, cat)
		}
	}
	procs := runtime.GOMAXPROCS(0)
	if len(raws) < 1000 || procs < 2 {
		build(0, len(raws))
	} else {
		var g errgroup.Group
		g.SetLimit(procs)
		for k := range procs {
			g.Go(func() error {
				build(k*len(raws)/procs, (k+1)*len(raws)/procs)
				return nil
			})
		}
		_ = g.Wait() // build keeps its errors per finding
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// inDependencyOrder returns gs in their order, except that the gatherers a
// Dependent names (and that are in gs) come before it.
func inDependencyOrder(gs []Gatherer) []Gatherer {
	listed := map[Gatherer]bool{}
	for _, g := range gs {
		listed[g] = true
	}
	out := make([]Gatherer, 0, len(gs))
	placed := map[Gatherer]bool{}
	var place func(g Gatherer)
	place = func(g Gatherer) {
		if placed[g] {
			return
		}
		placed[g] = true
		if d, ok := g.(Dependent); ok {
			for _, first := range d.After() {
				if listed[first] {
					place(first)
				}
			}
		}
		out = append(out, g)
	}
	for _, g := range gs {
		place(g)
	}
	return out
}

func intersect(fams []string, selected map[string]bool) []string {
	var out []string
	for _, f := range fams {
		if selected[f] {
			out = append(out, f)
		}
	}
	return out
}

// buildFinding joins a raw finding with its rule's catalogue entry. A
// finding whose rule id has no METADATA entry is a policy bug (usually the
// id in the finding and in the annotation differ) and stops the run rather
// than being dropped or guessed at.
func buildFinding(raw policy.Raw, cat Evaluator) (result.Finding, result.Rule, error) {
	rule, ok := cat.Rule(raw.Rule)
	if !ok {
		return result.Finding{}, result.Rule{}, fmt.Errorf("%w: a policy produced a finding with rule id %q, which no METADATA block declares (custom.id)", policy.ErrPolicy, raw.Rule)
	}
	sev := rule.Severity
	if raw.Severity != "" {
		s, err := result.ParseSeverity(raw.Severity)
		if err != nil {
			return result.Finding{}, result.Rule{}, fmt.Errorf("%w: rule %s: finding severity: %v", policy.ErrPolicy, raw.Rule, err)
		}
		sev = s
	}
	remediation := rule.Remediation
	if raw.Remediation != "" {
		remediation = raw.Remediation
	}
	f := result.Finding{
		Rule:         raw.Rule,
		Check:        rule.Check,
		Severity:     sev,
		Title:        rule.Title,
		Message:      raw.Message,
		Resource:     raw.Resource,
		File:         raw.File,
		Line:         raw.Line,
		Remediation:  remediation,
		DocsURL:      rule.DocsURL,
		Waived:       raw.Waived,
		WaiverReason: raw.WaiverReason,
		WaiverOwner:  raw.WaiverOwner,
		Commit:       raw.Commit,
	}
	f.Fingerprint = Fingerprint(raw.Rule, raw.Resource, raw.File, raw.Key)
	return f, rule, nil
}

// Fingerprint identifies a finding across runs: it depends on the rule, the
// resource, the file and the rule's own discriminator, never on line numbers
// or on message text that changes with time (ages, dates).
func Fingerprint(rule, resource, file, key string) string {
	var stack [512]byte
	buf := stack[:0]
	for _, part := range []string{rule, resource, file, key} {
		buf = append(append(buf, part...), 0)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// deriveEnvironments fills in the environment of roles, policies and
// secrets whose source did not state one, and qualifies inline policy names
// with their role's. A policy without an environment
// of its own takes the environment of the roles it applies to when they
// agree.
func deriveEnvironments(in *facts.Input, env EnvironmentResolver) {
	if env == nil {
		return
	}
	roleEnv := map[string]string{}
	roleName := map[string]string{}
	for i := range in.Roles {
		r := &in.Roles[i]
		if r.Environment == "" {
			r.Environment = env.EnvironmentOf(r.Name, r.Path, r.Tags)
		}
		roleEnv[r.ID] = r.Environment
		roleName[r.ID] = r.Name
	}
	// An inline policy is known by its role: "role/policy", as IAM's
	// console shows it, so that findings and waivers can tell the
	// read-secrets policy of one role from that of another.
	for i := range in.Policies {
		p := &in.Policies[i]
		if p.Kind != "inline" || len(p.RoleIDs) != 1 {
			continue
		}
		if rn := roleName[p.RoleIDs[0]]; rn != "" && !strings.HasPrefix(p.Name, rn+"/") {
			p.Name = rn + "/" + p.Name
		}
	}
	for i := range in.Secrets {
		s := &in.Secrets[i]
		if s.Environment == "" {
			s.Environment = env.EnvironmentOf(s.Name, "", s.Tags)
		}
	}
	for i := range in.Policies {
		p := &in.Policies[i]
		if p.Environment != "" {
			continue
		}
		p.Environment = env.EnvironmentOf(p.Name, "", nil)
		if p.Environment != "" {
			continue
		}
		envs := map[string]bool{}
		for _, id := range p.RoleIDs {
			envs[roleEnv[id]] = true
		}
		if len(envs) == 1 {
			for e := range envs {
				p.Environment = e
			}
		}
	}
}

// SelectFamilies applies --only and --skip to the list of families and
// returns the selection plus the reason for each left-out family.
func SelectFamilies(only, skip []string) ([]string, map[string]string, error) {
	known := map[string]bool{}
	for _, f := range result.Families {
		known[f] = true
	}
	for _, list := range [][]string{only, skip} {
		for _, f := range list {
			if !known[f] {
				return nil, nil, fmt.Errorf("unknown check %q (want one of %s)", f, strings.Join(result.Families, ", "))
			}
		}
	}
	onlySet, skipSet := toSet(only), toSet(skip)
	var sel []string
	reasons := map[string]string{}
	for _, f := range result.Families {
		switch {
		case len(onlySet) > 0 && !onlySet[f]:
			reasons[f] = "not in --only"
		case skipSet[f]:
			reasons[f] = "excluded by --skip"
		default:
			sel = append(sel, f)
		}
	}
	return sel, reasons, nil
}

func toSet(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}
