// Package result holds the domain model every stage of secretgate shares:
// severities, findings, per-check statuses and the report. Gatherers,
// the policy engine and the reporters all import it; it imports nothing of
// secretgate's own, so no stage depends on another stage's internals.
package result

import (
	"fmt"
	"sort"
	"strings"
)

// Schema is the value of Report.Schema: the report contract that
// docs/report.md describes.
const Schema = "secretgate/report/v1"

// Severity orders findings. The zero value is SeverityInfo.
type Severity int

// Severities from least to most severe.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lower-case name used in every output.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "info"
	}
	return severityNames[s]
}

// ParseSeverity turns "critical", "high", ... into a Severity.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, name) {
			return Severity(i), nil
		}
	}
	return SeverityInfo, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", name)
}

// MarshalText makes severities appear as names in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Threshold is the --fail-on setting: findings at or above Min fail the run,
// unless Never is set. With NewOnly (pull requests, --new-only) only findings
// absent from the base fail it; existing ones are reported, not blamed on
// the pull request.
type Threshold struct {
	Min     Severity
	Never   bool
	NewOnly bool
}

// ParseThreshold reads critical|high|medium|low|info|never.
func ParseThreshold(name string) (Threshold, error) {
	if strings.EqualFold(name, "never") {
		return Threshold{Never: true}, nil
	}
	s, err := ParseSeverity(name)
	if err != nil {
		return Threshold{}, fmt.Errorf("unknown fail-on level %q (want critical, high, medium, low, info or never)", name)
	}
	return Threshold{Min: s}, nil
}

// String is the inverse of ParseThreshold.
func (t Threshold) String() string {
	if t.Never {
		return "never"
	}
	return t.Min.String()
}

// Fails reports whether a finding of severity s fails the run.
func (t Threshold) Fails(s Severity) bool { return !t.Never && s >= t.Min }

// FailsFinding reports whether f fails the run: unwaived, at or above the
// threshold, and new when only new findings count.
func (t Threshold) FailsFinding(f Finding) bool {
	return !f.Waived && t.Fails(f.Severity) && (!t.NewOnly || f.New)
}

// Check family identifiers, in the order reports list them.
const (
	CheckNaming   = "naming"
	CheckRotation = "rotation"
	CheckIAM      = "iam"
	CheckTrust    = "trust"
	CheckLeaks    = "leaks"
	CheckResolve  = "resolve"
	// CheckConfig holds findings about secretgate's own configuration,
	// such as expired waivers. It always runs.
	CheckConfig = "config"
)

// Families lists every check family users can name in --only/--skip.
var Families = []string{CheckNaming, CheckRotation, CheckIAM, CheckTrust, CheckLeaks, CheckResolve}

// Status of one check in a run.
type Status string

// Check statuses. StatusError means the check could not run completely and
// makes the run incomplete; it is never a pass.
const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusError   Status = "error"
	StatusSkipped Status = "skipped"
	// StatusNoInput is a check that ran and had nothing to judge (no
	// role, no secret, no file in its scope): never a pass.
	StatusNoInput Status = "no-input"
)

// Check is the outcome of one check family.
type Check struct {
	ID        string `json:"id"`
	Status    Status `json:"status"`
	Error     string `json:"error,omitempty"`
	Reason    string `json:"reason,omitempty"` // why a check was skipped
	Resources int    `json:"resources"`
	// Unit says what Resources counts: secrets, policies, roles, files,
	// commits or credentials.
	Unit       string `json:"unit,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// Units of Check.Resources.
const (
	UnitSecrets     = "secrets"
	UnitPolicies    = "policies"
	UnitRoles       = "roles"
	UnitFiles       = "files"
	UnitCommits     = "commits"
	UnitCredentials = "credentials"
)

// DefaultUnit is what a family's resources count unless its gatherer says
// otherwise (the leak scanner counts commits in a range or history).
func DefaultUnit(family string) string {
	switch family {
	case CheckNaming, CheckRotation:
		return UnitSecrets
	case CheckIAM:
		return UnitPolicies
	case CheckTrust:
		return UnitRoles
	case CheckLeaks:
		return UnitFiles
	case CheckResolve:
		return UnitCredentials
	}
	return ""
}

// Finding is one verdict of one rule on one resource. It never holds a
// secret value: leak matches are redacted before a Finding is built.
type Finding struct {
	Rule         string   `json:"rule"`
	Check        string   `json:"check"`
	Severity     Severity `json:"severity"`
	Title        string   `json:"title"`
	Message      string   `json:"message"`
	Resource     string   `json:"resource"`
	File         string   `json:"file,omitempty"`
	Line         int      `json:"line,omitempty"`
	Remediation  string   `json:"remediation,omitempty"`
	DocsURL      string   `json:"docs_url,omitempty"`
	Fingerprint  string   `json:"fingerprint"`
	New          bool     `json:"new"`
	Waived       bool     `json:"waived"`
	WaiverReason string   `json:"waiver_reason,omitempty"`
	WaiverOwner  string   `json:"waiver_owner,omitempty"`
	Commit       string   `json:"commit,omitempty"`
	// Assumptions are what the finding's resource depends on that its
	// files do not fix (an Fn::If branch taken, a value unknown offline).
	Assumptions []string `json:"assumptions,omitempty"`
	// Account is the AWS account of a live resource's finding in a report
	// that covers several accounts (secretgate merge); empty for findings
	// about repository files, which belong to no account.
	Account string `json:"account,omitempty"`
	// CarriedSince marks a finding of the previous night's merged report
	// that was not re-checked this night (its account or check was not
	// judged): the date of the night it was last judged. A carried
	// finding is listed, never counted: it is outside Summary and the
	// verdict (secretgate merge --previous, docs/report.md).
	CarriedSince string `json:"carried_since,omitempty"`
}

// Carried reports whether f was carried from an earlier night without
// being re-checked (CarriedSince).
func (f Finding) Carried() bool { return f.CarriedSince != "" }

// Context describes where and how a run happened.
type Context struct {
	Mode        string   `json:"mode"`
	Repository  string   `json:"repository,omitempty"`
	SHA         string   `json:"sha,omitempty"`
	PullRequest int      `json:"pull_request,omitempty"`
	Account     string   `json:"account,omitempty"`
	RoleARN     string   `json:"role_arn,omitempty"`
	Regions     []string `json:"regions,omitempty"`
}

// Tool names the program that produced a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// InputProblem is a file that could not be read or was skipped.
type InputProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Inputs summarises what the gatherers read.
type Inputs struct {
	Files   int            `json:"files"`
	Skipped []InputProblem `json:"skipped,omitempty"` // binary or oversized files, by design not read
	Errors  []InputProblem `json:"errors,omitempty"`  // files that could not be parsed: the run is incomplete
	// NotJudged lists infrastructure code secretgate cannot read as
	// written (a CDK app without its synthesized templates, a Pulumi
	// project, ...), by project file, with what would make it judgeable:
	// the run is incomplete.
	NotJudged []InputProblem `json:"not_judged,omitempty"`
}

// Summary counts unwaived findings by severity and states the verdict.
type Summary struct {
	Critical   int  `json:"critical"`
	High       int  `json:"high"`
	Medium     int  `json:"medium"`
	Low        int  `json:"low"`
	Info       int  `json:"info"`
	Waived     int  `json:"waived"`
	Failed     bool `json:"failed"`
	Incomplete bool `json:"incomplete"`
}

// Report is the whole outcome of a run, the value every reporter renders.
type Report struct {
	Schema  string  `json:"schema"`
	Tool    Tool    `json:"tool"`
	Context Context `json:"context"`
	FailOn  string  `json:"fail_on"`
	// NewOnly is set when only new findings fail the run (--new-only).
	NewOnly  bool      `json:"new_only,omitempty"`
	Checks   []Check   `json:"checks"`
	Findings []Finding `json:"findings"`
	Inputs   Inputs    `json:"inputs"`
	Summary  Summary   `json:"summary"`
	// Accounts, Merge and Trend are set on reports that cover several
	// AWS accounts (secretgate merge, docs/organizations.md): each
	// account's verdict, how the report was put together, and the
	// comparison with the previous night's merged report.
	Accounts []Account `json:"accounts,omitempty"`
	Merge    *Merge    `json:"merge,omitempty"`
	Trend    *Trend    `json:"trend,omitempty"`
	// Rules describes every rule that produced a finding, by id. Reporters
	// use it for help texts (SARIF rules, Markdown links); the JSON report
	// leaves it out.
	Rules map[string]Rule `json:"-"`
}

// Rule is a rule's catalogue entry, read from its METADATA annotation.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Check       string   `json:"check"`
	Severity    Severity `json:"severity"`
	Remediation string   `json:"remediation"`
	DocsURL     string   `json:"docs_url"`
	// File and Line locate the rule's Rego source.
	File string `json:"file"`
	Line int    `json:"line"`
	// Builtin is false for rules loaded from the user's policy directories.
	Builtin bool `json:"builtin"`
}

// Exit codes, as docs/report.md ("Exit codes") and the README document them.
const (
	ExitOK         = 0
	ExitFindings   = 1
	ExitUsage      = 2
	ExitIncomplete = 3
)

// Summarize fills r.Summary from r.Findings and r.Checks under threshold t.
func (r *Report) Summarize(t Threshold) {
	var s Summary
	for _, f := range r.Findings {
		if f.Carried() {
			// Not judged this run: listed, never counted.
			continue
		}
		if f.Waived {
			s.Waived++
			continue
		}
		switch f.Severity {
		case SeverityCritical:
			s.Critical++
		case SeverityHigh:
			s.High++
		case SeverityMedium:
			s.Medium++
		case SeverityLow:
			s.Low++
		default:
			s.Info++
		}
		if t.FailsFinding(f) {
			s.Failed = true
		}
	}
	for _, c := range r.Checks {
		if c.Status == StatusError {
			s.Incomplete = true
		}
	}
	if len(r.Inputs.Errors) > 0 || len(r.Inputs.NotJudged) > 0 {
		s.Incomplete = true
	}
	for _, a := range r.Accounts {
		if a.Status != AccountJudged && a.Status != AccountExcluded {
			s.Incomplete = true
		}
	}
	if r.Merge != nil && len(r.Merge.Problems) > 0 {
		s.Incomplete = true
	}
	r.FailOn = t.String()
	r.NewOnly = t.NewOnly
	r.Summary = s
}

// Judged reports whether the run judged anything: a finding, or a check
// that was ok or failed. A run where no selected check had anything to
// judge never reads as a pass.
func (r *Report) Judged() bool {
	for _, f := range r.Findings {
		if !f.Carried() {
			return true
		}
	}
	for _, c := range r.Checks {
		if c.Status == StatusOK || c.Status == StatusFailed {
			return true
		}
	}
	return false
}

// ExitCode maps a summarised report to the process exit code: findings at or
// above the threshold win over an incomplete run, and an incomplete run never
// reads as a pass.
func (r *Report) ExitCode() int {
	switch {
	case r.Summary.Failed:
		return ExitFindings
	case r.Summary.Incomplete:
		return ExitIncomplete
	default:
		return ExitOK
	}
}

// SortFindings orders findings worst first, then by check, file, line, rule,
// resource, fingerprint and message, so every output is deterministic: the
// same findings give the same order however they were computed (in one
// query or in pieces on several cores).
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Waived != b.Waived {
			return !a.Waived
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Fingerprint != b.Fingerprint {
			return a.Fingerprint < b.Fingerprint
		}
		return a.Message < b.Message
	})
}
