package main

import (
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/result"
)

// slowRule never finishes in a useful time: 27 billion combinations.
const slowRule = `package secretgate.rules.naming.slow

import rego.v1

# METADATA
# title: Slow
# custom:
#   id: acme-slow
#   check: naming
#   severity: low
#   remediation: none
deny contains {"rule": "acme-slow", "resource": sprintf("%d", [a])} if {
	some a in numbers.range(1, 3000)
	some b in numbers.range(1, 3000)
	some c in numbers.range(1, 3000)
	a * b * c == -1
}
`

// A policy evaluation that outlasts --policy-timeout ends the run
// incomplete (exit 3), naming the rule, instead of running on.
func TestPolicyTimeoutEndsTheRunIncomplete(t *testing.T) {
	dir := t.TempDir()
	writeIn(t, dir, ".secretgate.yml", "policies: [policy/]\n")
	writeIn(t, dir, "policy/slow.rego", slowRule)
	start := time.Now()
	r := secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now, "--policy-timeout", "1s", "--format", "json")
	took := time.Since(start)
	if r.code != result.ExitIncomplete {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, result.ExitIncomplete, r.stderr)
	}
	// The report is still written: every selected check in error, naming
	// the rule still running.
	rep := jsonReport(t, r)
	for _, c := range rep.Checks {
		if c.Status == result.StatusSkipped {
			continue
		}
		for _, want := range []string{"ran out of time", "acme-slow", "limit 1s"} {
			if c.Status != result.StatusError || !strings.Contains(c.Error, want) {
				t.Errorf("check %s: %s %q, want error saying %q", c.ID, c.Status, c.Error, want)
			}
		}
	}
	if !rep.Summary.Incomplete {
		t.Error("the report does not read as incomplete")
	}
	// The limit, plus at most as long again (at most 10 s) to find the
	// slow rule.
	if took > 20*time.Second {
		t.Errorf("the run took %s with a 1s limit", took)
	}
	if r := secretgate(t, nil, "check", "--offline", "--path", dir, "--policy-timeout", "-1s"); r.code != result.ExitUsage {
		t.Errorf("--policy-timeout -1s: exit %d, want 2", r.code)
	}
}
