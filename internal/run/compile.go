package run

import (
	"context"
	"sync"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/waiver"
)

// pendingEngine is the policy engine while it compiles in the background:
// compiling the policies and reading the repository each take a good part
// of a large run, and they do not depend on each other. Every method waits
// for the compilation to finish.
//
// A compilation that can only matter for leaks is put off (deferred): when
// the run's compiled families hold no rule that judges the repository's
// roles, policies or secrets (neededFamilies found none to judge: nothing
// staged but code, a repository without infrastructure), and nothing but
// the built-in rules and no waiver or judge is in play, the policies compile
// only once a document with something to judge arrives. A pre-commit run or
// a check of a directory without leaks then compiles nothing: the built-in
// rules find nothing in a document without facts
// (policy.TestNothingToJudgeFindsNothing), and compiling was most of such
// a run's time. When it does compile (a leak was found), only the
// families' rules compile, without the aggregator, which has no waiver or
// judge to apply (policy.LoadRules).
type pendingEngine struct {
	done chan struct{}

	mu       sync.Mutex
	engine   *policy.Engine
	err      error  // the policies or waivers are wrong (the user's to fix)
	deferred func() // set while the compilation is put off
	warmOnce sync.Once
}

// loadPolicies starts compiling the built-in and configured policies and
// checking the configured waivers against the rule catalogue
// (waiver.CheckRules). families, when not nil, runs first (in the
// background too) and names the check families whose built-in rules can
// have facts to judge; nil from it compiles them all
// (policy.LoadFamilies). compiled, when set, is given the compiled engine.
// deferrable allows putting the compilation off (pendingEngine).
func loadPolicies(ctx context.Context, cfg *config.Config, families func() []string, compiled func(*policy.Engine), deferrable bool) *pendingEngine {
	p := &pendingEngine{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var only []string
		if families != nil {
			only = families()
		}
		build := func(load func() (*policy.Engine, error)) {
			eng, err := load()
			if compiled != nil && eng != nil {
				compiled(eng)
			}
			if err == nil {
				err = waiver.CheckRules(cfg, eng.Known)
			}
			if err != nil {
				p.err = err
				return
			}
			p.engine = eng
		}
		if deferrable && only != nil && len(withoutAWSFamilies(only)) == len(only) {
			// Without waivers, judge or user policies the aggregator
			// only joins the families' findings: their rules alone
			// compile (policy.LoadRules).
			p.deferred = func() { build(func() (*policy.Engine, error) { return policy.LoadRules(ctx, only) }) }
			return
		}
		build(func() (*policy.Engine, error) { return policy.LoadFamilies(ctx, cfg.Policies, only) })
	}()
	return p
}

// deferrable tells whether a run's policy compilation may be put off
// (pendingEngine): no live AWS, no policies of the user's, no waivers and
// no judge read from a base.
func deferrable(live bool, cfg *config.Config, judge *Judge) bool {
	return !live && len(cfg.Policies) == 0 && len(cfg.Waivers) == 0 && judge == nil
}

// compiled waits for the compilation, running it now if it was put off,
// and returns its error, if any.
func (p *pendingEngine) compiled() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.deferred != nil {
		build := p.deferred
		p.deferred = nil
		build()
	}
	return p.err
}

// warm starts a compilation that was put off, in the background, without
// waiting: the run has found something its policies will judge (a leak
// match) and may as well compile while it goes on. It is safe to call
// from any goroutine, any number of times.
func (p *pendingEngine) warm() {
	p.warmOnce.Do(func() { go func() { _ = p.compiled() }() })
}

// ready waits for the compilation and returns its error, if any; a
// compilation put off is not run for it.
func (p *pendingEngine) ready() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// EvaluateDocument evaluates the compiled policies; a document with nothing
// to judge needs no compilation put off.
func (p *pendingEngine) EvaluateDocument(ctx context.Context, doc *policy.Document) ([]policy.Raw, error) {
	<-p.done
	p.mu.Lock()
	skip := p.deferred != nil && doc.NothingToJudge()
	p.mu.Unlock()
	if skip {
		return nil, nil
	}
	if err := p.compiled(); err != nil {
		return nil, err
	}
	return p.engine.EvaluateDocument(ctx, doc)
}

// Rule looks a rule up in the catalogue; nothing is found when the
// policies did not compile.
func (p *pendingEngine) Rule(id string) (result.Rule, bool) {
	if p.compiled() != nil {
		return result.Rule{}, false
	}
	return p.engine.Rule(id)
}

// sharedPolicies compiles the policies once for the runs of an
// organisation: every account's run has the same configuration,
// repository and selected families, so one engine (safe for concurrent
// evaluations) serves them all, and compiling — more than half of a
// small account's CPU time — is paid once.
type sharedPolicies struct {
	once   sync.Once
	engine *pendingEngine
}

// get returns the shared engine, starting its compilation with load on
// first use.
func (s *sharedPolicies) get(load func() *pendingEngine) *pendingEngine {
	s.once.Do(func() { s.engine = load() })
	return s.engine
}
