package run

import (
	"context"
	"fmt"
	"strings"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/progress"
	"github.com/secretgate/secretgate/internal/result"
)

// Leaks gathers the redacted findings of the leak scanner (the gitleaks
// engine) as facts for the leaks check. Severity and waivers are decided
// by the Rego rules of package secretgate.rules.leaks.
type Leaks struct {
	Target  leaks.Target
	Scanner *leaks.Scanner
}

var (
	_ Gatherer  = (*Leaks)(nil)
	_ Dependent = (*Leaks)(nil)
)

// LeakOptions configure the leak scanner of a run.
type LeakOptions struct {
	// Scope is what to scan: the working tree, the staged lines, a
	// commit range or the whole history.
	Scope leaks.Scope
	// MaxFileBytes is the safety limit above which a text file is not
	// scanned and the check is incomplete (0: the scanner's default,
	// negative: no limit).
	MaxFileBytes int64
	// Live, when set, holds the secret values read live (the resolve
	// check) that a leak is compared with, in memory only. When it is a
	// Gatherer too, Pipeline runs it before the scan (Dependent).
	Live leaks.LiveValues
	// CacheDir is the scanner's cache of clean files and commits; "" for
	// none.
	CacheDir string
	// References are the places where the configuration names its
	// credentials (CredentialReferences): such a match is marked, not
	// reported as a leak.
	References []leaks.NameReference
	// JudgeDir is where .gitleaks.toml and .gitleaksignore are read from:
	// a pull request's base (see internal/judge), or "" for the root.
	JudgeDir string
	// DistrustAddedAllow: in a commit range, gitleaks:allow markers on the
	// lines it adds hide nothing (the change under review is judged by its
	// base, and an inline marker is a judge of its own).
	DistrustAddedAllow bool
	// OnMatch is the scanner's (leaks.Scanner.OnMatch).
	OnMatch func()
}

// NewLeaks prepares a leak scan of root with opts: it checks that the
// scope can be scanned there (a git scope needs a repository that has the
// range's commits) and loads the repository's .gitleaks.toml and
// .gitleaksignore. Its errors are the user's to fix (exit 2): they name the
// file or say what to fetch.
func NewLeaks(ctx context.Context, root string, opts LeakOptions) (*Leaks, error) {
	target, err := leaks.Resolve(ctx, root, opts.Scope)
	if err != nil {
		return nil, err
	}
	judgeDir := opts.JudgeDir
	if judgeDir == "" {
		judgeDir = root
	}
	det, err := leaks.LoadGitleaks(judgeDir)
	if err != nil {
		return nil, err
	}
	ignore, err := leaks.LoadIgnore(judgeDir)
	if err != nil {
		return nil, err
	}
	g := &Leaks{
		Target: target,
		Scanner: &leaks.Scanner{Detector: det, Ignore: ignore, MaxFileBytes: opts.MaxFileBytes,
			Live: opts.Live, CacheDir: opts.CacheDir, References: opts.References,
			DistrustAddedAllow: opts.DistrustAddedAllow, OnMatch: opts.OnMatch},
	}
	// A staged scan's git diff runs while the run reads the staged files
	// and lists the index (leaks.Scanner.Prefetch); the pipeline gathers
	// the leaks after them.
	g.Scanner.Prefetch(ctx, target)
	return g, nil
}

// After implements Dependent: the gatherer that reads the live values
// (the resolver) runs before the scan that compares leaks with them.
func (g *Leaks) After() []Gatherer {
	if src, ok := g.Scanner.Live.(Gatherer); ok {
		return []Gatherer{src}
	}
	return nil
}

// Name implements Gatherer.
func (g *Leaks) Name() string { return "leak scanner" }

func (g *Leaks) progressUnit() string {
	if k := g.Target.Scope.Kind; k == leaks.Range || k == leaks.History {
		return "commits"
	}
	return "files"
}

func (g *Leaks) countOn(p *progress.Phase) {
	if p != nil {
		g.Scanner.Progress = p
	}
}

// Families implements Gatherer.
func (g *Leaks) Families() []string { return []string{result.CheckLeaks} }

// Gather implements Gatherer. Resources counts the files scanned, or for
// the range and history scopes the commits.
func (g *Leaks) Gather(ctx context.Context, in *facts.Input) Outcome {
	out := Outcome{Resources: map[string]int{}, Errors: map[string]string{}}
	res, err := g.Scanner.Scan(ctx, g.Target)
	if err != nil {
		out.Errors[result.CheckLeaks] = fmt.Sprintf("scan %s: %v", g.Target.Scope, err)
		return out
	}
	for _, f := range res.Findings {
		in.Leaks = append(in.Leaks, LeakFact(f))
	}
	switch g.Target.Scope.Kind {
	case leaks.Range, leaks.History:
		out.Resources[result.CheckLeaks] = res.Commits
		out.Units = map[string]string{result.CheckLeaks: result.UnitCommits}
	default:
		out.Resources[result.CheckLeaks] = res.Files
	}
	for _, s := range res.Skipped {
		out.Skips = append(out.Skips, result.InputProblem{File: s.Path, Message: "not scanned for leaks: " + s.Reason})
	}
	if len(res.Problems) > 0 {
		out.Errors[result.CheckLeaks] = strings.Join(res.Problems, "; ")
	}
	return out
}

// LeakFact turns a redacted finding into the fact Rego sees.
func LeakFact(f leaks.Finding) facts.Leak {
	return facts.Leak{
		RuleID:      f.RuleID,
		Description: f.Description,
		Redacted:    f.Redacted,
		Entropy:     f.Entropy,
		Commit:      f.Commit,
		Author:      f.Author,
		Fingerprint: f.Fingerprint,
		LiveSecret:  f.LiveSecret,
		// The scanner marks only references it was given: the
		// configuration's credential names (CredentialReferences).
		ConfigReference: f.NameReference,
		Location:        facts.Location{File: f.File, Line: f.Line},
	}
}

// CredentialNameReference is what a leak that is a credential's name in
// the configuration file is marked as (facts.Leak.ConfigReference).
const CredentialNameReference = "credential name"

// CredentialReferences returns where the configuration file names its
// credentials: file is the configuration's path relative to the scan root,
// "/"-separated ("" when it lies outside the root: nothing is marked). A
// name like dev/canaryph/db can look like a key to gitleaks'
// generic-api-key rule; the scanner marks such a match when its file, line
// and text are a credential's, and the leaks rules skip it.
func CredentialReferences(file string, creds []config.Credential) []leaks.NameReference {
	if file == "" {
		return nil
	}
	var refs []leaks.NameReference
	for _, c := range creds {
		if c.SecretLine > 0 && c.Secret != "" {
			refs = append(refs, leaks.NameReference{File: file, Line: c.SecretLine, Name: c.Secret, Describe: CredentialNameReference})
		}
	}
	return refs
}
