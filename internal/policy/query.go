package policy

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/open-policy-agent/opa/v1/rego"
)

// ErrUndefined is returned by Eval when the query has no result.
var ErrUndefined = errors.New("query is undefined")

// preparedQueries caches the queries Eval prepared, by query text.
type preparedQueries struct {
	mu sync.Mutex
	m  map[string]*rego.PreparedEvalQuery
}

// Eval evaluates one query (e.g. a library function call such as
// "data.secretgate.lib.trust.evaluate(input.document, input.claims)") over
// the engine's compiled policies, with input as the input document, and
// returns the value of the query's first expression (JSON-shaped: maps,
// slices, strings, json.Number, bool, nil). The query is prepared once per
// engine and reused. A query without a result returns ErrUndefined; a
// failing built-in function is an error, as in Evaluate.
func (e *Engine) Eval(ctx context.Context, query string, input any) (any, error) {
	pq, err := e.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	var rs rego.ResultSet
	err = e.withDeadline(ctx, "evaluate "+query, func(ctx context.Context) error {
		rs, err = pq.Eval(ctx, rego.EvalInput(input))
		return err
	}, nil)
	if errors.Is(err, ErrDeadline) {
		return nil, err
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("evaluate %s: %w", query, err)
		}
		return nil, fmt.Errorf("%w: evaluate %s: %v", ErrPolicy, query, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, fmt.Errorf("evaluate %s: %w", query, ErrUndefined)
	}
	return rs[0].Expressions[0].Value, nil
}

func (e *Engine) prepare(ctx context.Context, query string) (*rego.PreparedEvalQuery, error) {
	e.queries.mu.Lock()
	defer e.queries.mu.Unlock()
	if pq, ok := e.queries.m[query]; ok {
		return pq, nil
	}
	if e.compiler == nil {
		return nil, errors.New("policy engine was not loaded with Load")
	}
	pq, err := rego.New(
		rego.Query(query),
		rego.Compiler(e.compiler),
		rego.Capabilities(capabilities),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: prepare query %s: %v", ErrPolicy, query, err)
	}
	if e.queries.m == nil {
		e.queries.m = map[string]*rego.PreparedEvalQuery{}
	}
	e.queries.m[query] = &pq
	return &pq, nil
}
