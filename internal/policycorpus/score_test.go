package policycorpus

import (
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestScoreCounts checks the score arithmetic on a hand-made corpus: per
// class, labelled cases, correct, false positives, false negatives, and
// accuracy over the dimension's cases.
func TestScoreCounts(t *testing.T) {
	labels := []label{
		{ID: "a", Kind: "trust", Exposure: "pinned", Hygiene: []string{"aud-missing"}},
		{ID: "b", Kind: "trust", Exposure: "any-org"},
		{ID: "c", Kind: "trust", Exposure: "any-environment"},
		{ID: "d", Kind: "permission", Power: "write"},
	}
	verdicts := map[string]*verdict{
		"a": {exposure: "pinned"},                                   // aud-missing missed: FN
		"b": {exposure: "pinned", hygiene: []string{"aud-missing"}}, // any-org missed, pinned and aud-missing false
		"c": {exposure: "pull-request"},                             // reported as pull requests: any-environment by normalisation
		"d": {power: "read-only"},
	}
	rows := map[string]tally{}
	for _, r := range score(labels, verdicts) {
		rows[r.dimension+"/"+r.class] = r
	}
	for _, c := range []struct {
		key                           string
		cases, correct, fp, fn, total int
		accuracy                      float64
	}{
		{"trust exposure/pinned", 1, 1, 1, 0, 3, 2.0 / 3},
		{"trust exposure/any-org", 1, 0, 0, 1, 3, 2.0 / 3},
		{"trust exposure/any-environment", 1, 1, 0, 0, 3, 1},
		{"trust exposure/pull-request", 0, 0, 0, 0, 3, 1},
		{"hygiene/aud-missing", 1, 0, 1, 1, 3, 1.0 / 3},
		{"permission power/write", 1, 0, 0, 1, 1, 0},
		{"permission power/read-only", 0, 0, 1, 0, 1, 0},
	} {
		r, ok := rows[c.key]
		if !ok {
			t.Errorf("%s: no row", c.key)
			continue
		}
		if r.cases != c.cases || r.correct != c.correct || r.fp != c.fp || r.fn != c.fn || r.total != c.total {
			t.Errorf("%s: cases %d correct %d FP %d FN %d of %d, want %d %d %d %d of %d", c.key, r.cases, r.correct, r.fp, r.fn, r.total, c.cases, c.correct, c.fp, c.fn, c.total)
		}
		if d := r.accuracy() - c.accuracy; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: accuracy %.3f, want %.3f", c.key, r.accuracy(), c.accuracy)
		}
	}
	table := scoreTable(labels, verdicts, 1)
	if !strings.Contains(table, "3 trust + 1 permission") || !strings.Contains(table, "25.0%") {
		t.Errorf("score table lacks the totals:\n%s", table)
	}
}

// TestDisagreements checks that every part of a label is compared: class,
// hygiene set, required and forbidden rules, input problems.
func TestDisagreements(t *testing.T) {
	l := label{ID: "x", Kind: "permission", Power: "write", Hygiene: []string{"duplicate-key"},
		Require: []string{"iam-wildcard-action"}, Forbid: []string{"iam-privilege-escalation"}}
	agree := &verdict{power: "write", hygiene: []string{"duplicate-key"}, rules: map[string][]result.Severity{"iam-wildcard-action": {result.SeverityHigh}}}
	if d := disagreements(l, agree); len(d) != 0 {
		t.Fatalf("a matching verdict disagrees: %v", d)
	}
	bad := &verdict{power: "admin", problems: []string{"unreadable"},
		rules: map[string][]result.Severity{"iam-privilege-escalation": {result.SeverityHigh}}}
	d := strings.Join(disagreements(l, bad), "; ")
	for _, want := range []string{"input problem: unreadable", "power admin, labelled write", "hygiene [] , labelled [duplicate-key]", "iam-wildcard-action not reported", "iam-privilege-escalation reported"} {
		if !strings.Contains(d, strings.ReplaceAll(want, "[] ,", "[],")) {
			t.Errorf("disagreements %q lack %q", d, want)
		}
	}
}
