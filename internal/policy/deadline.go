package policy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// DefaultEvalTimeout bounds one evaluation of the policies: generous (the
// built-in rules judge a large account in about a second), yet a rule that
// would run for hours (a comprehension over a huge product) ends the run
// instead of holding the pipeline.
const DefaultEvalTimeout = 60 * time.Second

// ErrDeadline marks an evaluation that did not finish within the engine's
// time limit. It is not a policy error (the policies may be right, the
// input large): nothing was judged, so the run is incomplete (exit 3).
var ErrDeadline = errors.New("policy evaluation ran out of time")

// SetEvalTimeout sets how long one evaluation (Evaluate, EvaluateDocument,
// Eval) may take; zero or less restores DefaultEvalTimeout. Call it before
// evaluating.
func (e *Engine) SetEvalTimeout(d time.Duration) {
	e.evalTimeout = d
}

// timeout is the engine's evaluation time limit.
func (e *Engine) timeout() time.Duration {
	if e.evalTimeout <= 0 {
		return DefaultEvalTimeout
	}
	return e.evalTimeout
}

// maxBlame bounds the search for the rules that made an evaluation run out
// of time: a package still running after it is named.
const maxBlame = 10 * time.Second

// withDeadline runs eval under the engine's time limit. When the limit,
// not the caller, ended it, the error is ErrDeadline naming what was slow
// (blame, given the limit, says it; nil names nothing more).
func (e *Engine) withDeadline(ctx context.Context, what string, eval func(context.Context) error, blame func(context.Context, time.Duration) string) error {
	limit := e.timeout()
	evalCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := eval(evalCtx)
	if err == nil || ctx.Err() != nil || !errors.Is(evalCtx.Err(), context.DeadlineExceeded) {
		return err
	}
	who := ""
	if blame != nil {
		// Naming the slow rules re-runs each rules package; it gets the
		// limit again, but no more than maxBlame, so that a long limit does
		// not double the time a stuck run takes.
		if b := blame(ctx, min(limit, maxBlame)); b != "" {
			who = ": " + b
		}
	}
	return fmt.Errorf("%s: %w (limit %s)%s", what, ErrDeadline, limit, who)
}

// denyRule is one rules package's deny rules, as a run names them.
type denyRule struct {
	pkg  string   // data.secretgate.rules.<family>[.<name>]
	loc  string   // file:line of its first deny rule
	ids  []string // the custom.ids of its deny rules
	user bool
}

// denyRules lists the rules packages with a deny rule, the user's first.
func (e *Engine) denyRules() []denyRule {
	byPkg := map[string]*denyRule{}
	for name, m := range e.compiler.Modules {
		pkg := m.Package.Path.String()
		if _, ok := familyOf(pkg); !ok {
			continue
		}
		for _, r := range m.Rules {
			if r.Head.Name.String() != "deny" && (len(r.Head.Reference) == 0 || r.Head.Reference[0].String() != "deny") {
				continue
			}
			d := byPkg[pkg]
			if d == nil {
				d = &denyRule{pkg: pkg}
				byPkg[pkg] = d
			}
			loc := strings.TrimPrefix(fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row), builtinPrefix)
			if d.loc == "" || loc < d.loc {
				d.loc = loc
			}
			if id := ruleID(m, r); id != "" && !containsString(d.ids, id) {
				d.ids = append(d.ids, id)
			}
			if !strings.HasPrefix(name, builtinPrefix) {
				d.user = true
			}
		}
	}
	out := make([]denyRule, 0, len(byPkg))
	for _, d := range byPkg {
		sort.Strings(d.ids)
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].user != out[j].user {
			return out[i].user
		}
		return out[i].pkg < out[j].pkg
	})
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// blameSlow names the rules that make an evaluation over val too slow: the
// deny rules of every rules package are evaluated on their own, side by
// side, for at most limit in all; those still running then are named (the
// user's own and the built-in ones alike). Only a run that already ran out
// of time pays for this.
func (e *Engine) blameSlow(ctx context.Context, val ast.Value, limit time.Duration) string {
	if e.compiler == nil {
		return ""
	}
	rules := e.denyRules()
	blameCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	slow := make([]bool, len(rules))
	var wg sync.WaitGroup
	for i, d := range rules {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pq, err := e.prepare(blameCtx, d.pkg+".deny")
			if err != nil {
				return
			}
			_, err = pq.Eval(blameCtx, rego.EvalParsedInput(val))
			slow[i] = err != nil && errors.Is(blameCtx.Err(), context.DeadlineExceeded)
		}()
	}
	wg.Wait()
	var named []string
	for i, d := range rules {
		if !slow[i] {
			continue
		}
		who := "deny in package " + strings.TrimPrefix(d.pkg, "data.")
		if len(d.ids) > 0 {
			who = "rule " + strings.Join(d.ids, ", ")
		}
		named = append(named, fmt.Sprintf("%s (%s)", who, d.loc))
	}
	if len(named) == 0 {
		return ""
	}
	return "still running: " + strings.Join(named, "; ")
}
