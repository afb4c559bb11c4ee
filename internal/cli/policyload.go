package cli

import (
	"context"

	"github.com/secretgate/secretgate/internal/policy"
)

// pendingPolicies is a policy set compiling in the background, so that the
// leak scan can run meanwhile (the two largest start-up costs of a
// pre-commit run; the machine has more than one core).
type pendingPolicies struct {
	done   chan struct{}
	engine *policy.Engine
	err    error
}

func loadPolicies(ctx context.Context, dirs []string) *pendingPolicies {
	p := &pendingPolicies{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.engine, p.err = policy.Load(ctx, dirs)
	}()
	return p
}

// wait returns the compiled policies.
func (p *pendingPolicies) wait() (*policy.Engine, error) {
	<-p.done
	return p.engine, p.err
}

// firstError returns the error of the policies when they fail to compile,
// else err: a broken policy is reported first, as before the two ran side
// by side.
func (p *pendingPolicies) firstError(err error) error {
	if _, perr := p.wait(); perr != nil {
		return perr
	}
	return err
}
