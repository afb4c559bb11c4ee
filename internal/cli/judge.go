package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/ghevent"
	"github.com/secretgate/secretgate/internal/judge"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/rootpath"
	"github.com/secretgate/secretgate/internal/run"
	"github.com/secretgate/secretgate/internal/waiver"
)

// runJudge is the judge of a check: the configuration and where it, the
// policy directories it names and the gitleaks files were read from.
type runJudge struct {
	cfg *config.Config
	// anchor is the configuration file's repository path ("" for none or
	// one outside the repository).
	anchor string
	// base is set when the judge was read from a base commit; nil for the
	// checkout.
	base *judge.Base
}

// judgeBase is the commit a check must read its judge from. In pr mode it
// is the base the GitHub event names — whatever range --diff scans, the
// event is what GitHub says the pull request merges into — else the base
// of --diff BASE..HEAD (checked as the leak scanner checks it, with its
// advice for a clone that lacks it). "" means the checkout (local,
// pre-commit and nightly runs: whoever owns the working tree chooses the
// judge). A pr-mode run with no base fails rather than trust the checkout.
func judgeBase(ctx context.Context, root string, f checkFlags, mode string, ev *ghevent.Event) (string, error) {
	if mode == "pr" && ev != nil {
		if base, _, err := ev.Range(); err == nil {
			return base, nil
		}
	}
	if f.diff != "" {
		scope, err := leaks.ParseScope(false, f.diff, false)
		if err != nil {
			return "", err
		}
		target, err := leaks.Resolve(ctx, root, scope)
		if err != nil {
			return "", err
		}
		return target.Git.Base, nil
	}
	if mode != "pr" {
		return "", nil
	}
	why := "no GitHub Actions event names one"
	if ev != nil {
		_, _, err := ev.Range()
		why = err.Error()
	}
	return "", fmt.Errorf("pr mode reads the judge (configuration, policies, gitleaks files) from the pull request's base, and %s: give --diff BASE..HEAD, or --mode local to judge with the checkout's files", why)
}

// loadJudge loads the configuration from the checkout, or, with a base,
// from the files that commit holds (internal/judge): the change under
// review cannot choose its own judge.
func loadJudge(ctx context.Context, root, configFlag, base string) (runJudge, error) {
	if base == "" {
		cfg, path, err := loadConfig(root, configFlag)
		if err != nil {
			return runJudge{}, err
		}
		anchor, _ := rootpath.Rel(root, path)
		return runJudge{cfg: cfg, anchor: anchor}, nil
	}
	b, err := judge.Open(ctx, root, base)
	if err != nil {
		return runJudge{}, err
	}
	j, err := loadBaseJudge(ctx, root, configFlag, b)
	if err != nil {
		b.Close()
		return runJudge{}, b.Explain(err)
	}
	return j, nil
}

// loadBaseJudge loads the configuration b holds: --config when it lies
// outside the repository (the change cannot edit it), else its copy at the
// base commit.
func loadBaseJudge(ctx context.Context, root, configFlag string, b *judge.Base) (runJudge, error) {
	explicit := configFlag
	if configFlag != "" {
		abs, err := filepath.Abs(configFlag)
		if err != nil {
			return runJudge{}, fmt.Errorf("--config %s: %w", configFlag, err)
		}
		if rel, inside := rootpath.Rel(root, abs); inside {
			if err := b.Extract(ctx, rel); err != nil {
				return runJudge{}, err
			}
			explicit = filepath.Join(b.Dir, filepath.FromSlash(rel))
			if _, err := os.Stat(explicit); err != nil {
				return runJudge{}, fmt.Errorf("--config %s: the base commit %s has no such file, and the judge of a pull request is read from its base: add the file there first", configFlag, b.Short())
			}
		}
	}
	path, err := config.Find(b.Dir, explicit)
	if err != nil {
		return runJudge{}, err
	}
	anchor, _ := b.Rel(path)
	if err := b.ExtractReferenced(ctx, anchor); err != nil {
		return runJudge{}, err
	}
	if path == "" {
		return runJudge{cfg: config.Default(), base: b}, nil
	}
	within := ""
	var resolve func(string) string
	if anchor != "" {
		within = b.Dir
		resolve = basePolicyDir(root, anchor, b)
	}
	cfg, err := config.LoadResolving(within, path, resolve)
	if err != nil {
		return runJudge{}, err
	}
	cfg.RepoRoot = b.Dir
	return runJudge{cfg: cfg, anchor: anchor, base: b}, nil
}

// basePolicyDir resolves a `policies` entry of the base's configuration at
// anchor (repository-relative): an entry inside the repository names the
// base's copy of it, one outside (../shared) the real directory, which the
// change under review cannot edit.
func basePolicyDir(root, anchor string, b *judge.Base) func(string) string {
	realDir := filepath.Join(root, filepath.Dir(filepath.FromSlash(anchor)))
	return func(entry string) string {
		real := filepath.Join(realDir, filepath.FromSlash(entry))
		if rel, inside := rootpath.Rel(root, real); inside {
			return filepath.Join(b.Dir, filepath.FromSlash(rel))
		}
		return real
	}
}

// planJudgeChange completes p for a judge read from a base commit: which
// judge files the change edits and, when it edits any, the same check with
// the change's own judge (offline), run to say what the change would do.
func planJudgeChange(ctx context.Context, p *checkPlan, f checkFlags, j runJudge) error {
	b := j.base
	changed, err := b.Changed(ctx, b.Paths(p.run.Root, j.anchor))
	if err != nil {
		return err
	}
	p.run.JudgeDir = b.Dir
	p.run.Judge = &run.Judge{Base: b.Short(), Changed: changed, Severity: j.cfg.JudgeChanges.String()}
	if len(changed) == 0 {
		return nil
	}
	head := p.run // run.Check makes it the checkout's, offline comparison
	cfg, path, err := loadConfig(p.run.Root, f.config)
	if err == nil {
		err = waiver.RequireExpiry(cfg, f.requireWaiverExpiry)
	}
	if err != nil {
		// The change's judge is broken: the check goes on with the base's,
		// and the judge finding says so.
		p.run.Judge.HeadErr = err
		return nil //nolint:nilerr // recorded in HeadErr, not an error of this run
	}
	head.Config = cfg
	head.ConfigFile, _ = rootpath.Rel(p.run.Root, path)
	if f.failOn == "" {
		head.Threshold.Min, head.Threshold.Never = cfg.FailOn.Min, cfg.FailOn.Never
	}
	p.run.Judge.Head = &head
	return nil
}

// explain names the base commit instead of the directory its judge files
// were read into, in an error of the run.
func (p checkPlan) explain(err error) error {
	if p.judge == nil || err == nil {
		return err
	}
	var ue *run.UsageError
	if errors.As(err, &ue) {
		ue.Err = p.judge.Explain(ue.Err)
		return err
	}
	return p.judge.Explain(err)
}
