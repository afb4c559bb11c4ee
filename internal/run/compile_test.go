package run

import (
	"context"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
)

// TestPendingEngineDeferred: a compilation that can only matter for leaks
// is put off; a document with nothing to judge is answered without it, a
// document with a leak compiles and judges it, and warm compiles in the
// background before any document arrives. A compilation that cannot be
// put off (a family judging the repository, or not deferrable) starts at
// once.
func TestPendingEngineDeferred(t *testing.T) {
	cfg := config.Default()
	leaksOnly := func() []string { return []string{result.CheckLeaks} }
	var engine *policy.Engine
	load := func(families func() []string, deferrable bool) (*pendingEngine, chan struct{}) {
		compiled := make(chan struct{}, 1)
		p := loadPolicies(context.Background(), cfg, families, func(e *policy.Engine) { engine = e; compiled <- struct{}{} }, deferrable)
		if err := p.ready(); err != nil {
			t.Fatal(err)
		}
		return p, compiled
	}
	isCompiled := func(c chan struct{}, wait time.Duration) bool {
		select {
		case <-c:
			return true
		case <-time.After(wait):
			return false
		}
	}
	doc := func(leaks ...facts.Leak) *policy.Document {
		d, err := policy.NewDocument(&facts.Input{Schema: facts.Schema, Now: "2026-12-05T00:00:00Z", Config: cfg.Facts(), Checks: []string{result.CheckLeaks}, Leaks: leaks})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("nothing to judge compiles nothing", func(t *testing.T) {
		p, compiled := load(leaksOnly, true)
		raws, err := p.EvaluateDocument(context.Background(), doc())
		if err != nil || len(raws) != 0 {
			t.Fatalf("raws %v, err %v; want none", raws, err)
		}
		if isCompiled(compiled, 100*time.Millisecond) {
			t.Error("compiled for a document with nothing to judge")
		}
	})
	t.Run("a leak compiles and is judged", func(t *testing.T) {
		p, compiled := load(leaksOnly, true)
		raws, err := p.EvaluateDocument(context.Background(), doc(facts.Leak{RuleID: "aws-access-token", Description: "AWS", Redacted: "AKIA…", Location: facts.Location{File: "deploy/prod.env", Line: 1}, Fingerprint: "fp"}))
		if err != nil {
			t.Fatal(err)
		}
		if !isCompiled(compiled, time.Second) || len(raws) == 0 {
			t.Fatalf("compiled: no, or no finding: %v", raws)
		}
		if _, ok := p.Rule(raws[0].Rule); !ok {
			t.Errorf("rule %s not in the catalogue", raws[0].Rule)
		}
		// Without waivers, judge or user policies, the aggregator's
		// rules (the waivers' and the judge's) are not compiled
		// (policy.LoadRules).
		if engine.Compiled("config-waiver-expired") || engine.Compiled("config-judge-changed") {
			t.Error("the put-off compilation compiled the aggregator")
		}
		if !engine.Known("config-waiver-expired") {
			t.Error("config-waiver-expired unknown: a built-in rule left out is still known")
		}
	})
	t.Run("warm compiles in the background", func(t *testing.T) {
		p, compiled := load(leaksOnly, true)
		if isCompiled(compiled, 50*time.Millisecond) {
			t.Fatal("compiled before anything asked for it")
		}
		p.warm()
		p.warm()
		if !isCompiled(compiled, 30*time.Second) {
			t.Fatal("warm did not compile")
		}
		if isCompiled(compiled, 50*time.Millisecond) {
			t.Error("compiled twice")
		}
	})
	t.Run("not deferrable compiles at once", func(t *testing.T) {
		_, compiled := load(leaksOnly, false)
		if !isCompiled(compiled, 30*time.Second) {
			t.Error("did not compile")
		}
	})
	t.Run("a repository family compiles at once", func(t *testing.T) {
		_, compiled := load(func() []string { return []string{result.CheckLeaks, result.CheckTrust} }, true)
		if !isCompiled(compiled, 30*time.Second) {
			t.Error("did not compile")
		}
	})
}
