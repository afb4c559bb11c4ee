package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/bench"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
)

func benchInput(b *testing.B) *facts.Input {
	b.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fs, errs := bench.Account(10000, 1000, now).Facts()
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	return &facts.Input{Schema: facts.Schema, Now: now.Format(time.RFC3339), Config: config.Default().Facts(),
		Roles: fs.Roles, Policies: fs.Policies, Secrets: fs.Secrets,
		Leaks: []facts.Leak{}, Credentials: []facts.Credential{}}
}

// BenchmarkInputValue measures turning the input document into OPA's
// value representation, the part of Evaluate that is not Rego.
func BenchmarkInputValue(b *testing.B) {
	in := benchInput(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := inputValue(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate is the whole evaluation of the generated account
// (conversion and every piece, on all cores). Besides the wall time it
// reports the process's CPU time per evaluation (cpu-ms/op): on a shared
// runner the cores are not free, and only CPU time says what the
// evaluation costs there.
func BenchmarkEvaluate(b *testing.B) {
	in := benchInput(b)
	eng, err := Load(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := processCPU(b)
	for i := 0; i < b.N; i++ {
		if _, err := eng.Evaluate(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU(b)-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// processCPU is the CPU time (user and system) the process used so far.
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// jsonValue is the slow, obviously right conversion: encode JSON, parse it.
func jsonValue(t testing.TB, in *facts.Input) ast.Value {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ast.ValueFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestInputValueEqualsJSON(t *testing.T) {
	yes := true
	inputs := map[string]*facts.Input{
		"empty": {},
		"hand made": {
			Schema: facts.Schema, Now: "2026-11-26T12:00:00Z", Config: config.Default().Facts(),
			Secrets: []facts.Secret{{ID: "a", Name: "prod/x/api", RotationEnabled: &yes, RotationDays: 30, Tags: map[string]string{"k": "v"}}, {ID: "b"}},
			Roles: []facts.Role{{ID: "r", Trust: &facts.PolicyDocument{Statement: []facts.Statement{{Effect: "Allow",
				Condition: map[string]map[string][]string{"StringLike": {"k": {"v", "*"}}}, Action: []string{}}}}}},
			Leaks: []facts.Leak{{RuleID: "aws", Entropy: 3.75, Location: facts.Location{File: "f", Line: 2}}},
		},
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fs, _ := bench.Account(600, 40, now).Facts() // above parallelConvertLen: secrets and policies convert in parallel
	inputs["generated"] = &facts.Input{Schema: facts.Schema, Now: "x", Config: config.Default().Facts(), Roles: fs.Roles, Policies: fs.Policies, Secrets: fs.Secrets}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			got, err := inputValue(in)
			if err != nil {
				t.Fatal(err)
			}
			want := jsonValue(t, in)
			if got.Compare(want) != 0 {
				t.Fatalf("direct conversion differs from JSON:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// BenchmarkParts evaluates each piece of the findings (one rule family, or
// the expired waivers) alone, one after another: where the evaluation's
// time goes, and which family bounds the parallel evaluation.
func BenchmarkParts(b *testing.B) {
	in := benchInput(b)
	eng, err := Load(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	val, err := inputValue(in)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range eng.parts {
		b.Run(p.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := evalFound(context.Background(), p.query, p.text, val); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
