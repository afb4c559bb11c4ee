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
type pendingEngine struct {
	done   chan struct{}
	engine *policy.Engine
	err    error // the policies or waivers are wrong (the user's to fix)
}

// loadPolicies starts compiling the built-in and configured policies and
// checking the configured waivers against the rule catalogue
// (waiver.CheckRules). families, when not nil, runs first (in the
// background too) and names the check families whose built-in rules can
// have facts to judge; nil from it compiles them all
// (policy.LoadFamilies). compiled, when set, is given the compiled engine.
func loadPolicies(ctx context.Context, cfg *config.Config, families func() []string, compiled func(*policy.Engine)) *pendingEngine {
	p := &pendingEngine{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var only []string
		if families != nil {
			only = families()
		}
		eng, err := policy.LoadFamilies(ctx, cfg.Policies, only)
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
	}()
	return p
}

// ready waits for the compilation and returns its error, if any.
func (p *pendingEngine) ready() error {
	<-p.done
	return p.err
}

// EvaluateDocument evaluates the compiled policies.
func (p *pendingEngine) EvaluateDocument(ctx context.Context, doc *policy.Document) ([]policy.Raw, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	return p.engine.EvaluateDocument(ctx, doc)
}

// Rule looks a rule up in the catalogue; nothing is found when the
// policies did not compile.
func (p *pendingEngine) Rule(id string) (result.Rule, bool) {
	if p.ready() != nil {
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
