package policy

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestOptions selects which Rego unit tests to run.
type TestOptions struct {
	// Dirs are user policy directories whose _test.rego files run together
	// with the built-in policies and tests.
	Dirs []string
	// Builtin includes the built-in policies' own tests.
	Builtin bool
	// Run is a regular expression selecting tests by name.
	Run     string
	Verbose bool
	Timeout time.Duration
}

// TestSummary counts test outcomes.
type TestSummary struct {
	Passed, Failed, Errored, Skipped int
}

// Test runs Rego unit tests (rules named test_*) and writes one line per
// failing test (and per test with Verbose) to w.
func Test(ctx context.Context, w io.Writer, opts TestOptions) (TestSummary, error) {
	var sum TestSummary
	srcs, err := BuiltinSources(opts.Builtin)
	if err != nil {
		return sum, err
	}
	user, err := DirSources(opts.Dirs, true)
	if err != nil {
		return sum, err
	}
	// The policies under test must load the way check loads them
	// (metadata, overrides): a rule check would refuse must not pass here.
	if _, err := compile(ctx, withoutTests(append(append([]Source(nil), srcs...), user...))); err != nil {
		return sum, err
	}
	mods, err := Parse(append(srcs, user...))
	if err != nil {
		return sum, err
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(capabilities).WithEnablePrintStatements(true)).
		SetModules(mods).
		CapturePrintOutput(true).
		SetTimeout(timeout).
		Filter(opts.Run)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return sum, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	sort.Slice(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		return a.Location.Row < b.Location.Row
	})
	for _, r := range results {
		loc := strings.TrimPrefix(r.Location.String(), builtinPrefix)
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		switch {
		case r.Error != nil:
			sum.Errored++
			fmt.Fprintf(w, "ERROR %s %s: %v\n", loc, name, r.Error)
		case r.Fail:
			sum.Failed++
			fmt.Fprintf(w, "FAIL  %s %s\n", loc, name)
			if len(r.Output) > 0 {
				fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(strings.TrimSpace(string(r.Output)), "\n", "\n      "))
			}
		case r.Skip:
			sum.Skipped++
			if opts.Verbose {
				fmt.Fprintf(w, "SKIP  %s %s\n", loc, name)
			}
		default:
			sum.Passed++
			if opts.Verbose {
				fmt.Fprintf(w, "PASS  %s %s (%s)\n", loc, name, r.Duration.Round(time.Microsecond))
			}
		}
	}
	return sum, nil
}

func withoutTests(srcs []Source) []Source {
	var out []Source
	for _, s := range srcs {
		if !strings.HasSuffix(s.Name, "_test.rego") {
			out = append(out, s)
		}
	}
	return out
}
