package run

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/waiver"
)

// catalogOnly is an Evaluator that only knows rules.
type catalogOnly map[string]result.Rule

func (c catalogOnly) EvaluateDocument(context.Context, *policy.Document) ([]policy.Raw, error) {
	return nil, errors.New("not evaluating")
}

func (c catalogOnly) Rule(id string) (result.Rule, bool) {
	r, ok := c[id]
	return r, ok
}

// TestBuildFindingsInSlices: thousands of raw findings, built a slice per
// core, give what building them one by one gives, in order; the error is
// the first raw finding's, in order; only configured waivers waive.
func TestBuildFindingsInSlices(t *testing.T) {
	cat := catalogOnly{
		"a": {ID: "a", Check: "naming", Severity: result.SeverityLow, Title: "A"},
		"b": {ID: "b", Check: "rotation", Severity: result.SeverityHigh, Title: "B"},
	}
	var raws []policy.Raw
	for i := range 2500 {
		raws = append(raws, policy.Raw{Rule: []string{"a", "b"}[i%2], Resource: fmt.Sprint("r", i), File: "f", Line: i,
			Waived: i%3 == 0, WaiverReason: []string{"ok", "self-made"}[i%2], WaiverOwner: "o"})
	}
	waivers := waiver.NewSet([]facts.Waiver{{Rule: "a", Reason: "ok", Owner: "o"}})
	got, err := buildFindings(raws, waivers, cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(raws) {
		t.Fatalf("%d findings from %d raw ones", len(got), len(raws))
	}
	for i, raw := range raws {
		waivers.Confirm(&raw)
		want, _, err := buildFinding(raw, cat)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got[i].finding); diff != "" {
			t.Fatalf("finding %d (-one by one +in slices):\n%s", i, diff)
		}
	}
	if got[0].finding.Waived != true || got[3].finding.Waived != false {
		t.Errorf("waivers: finding 0 (configured) waived %v, finding 3 (self-made) waived %v", got[0].finding.Waived, got[3].finding.Waived)
	}
	raws[1700].Rule, raws[2400].Rule = "unknown-1", "unknown-2"
	if _, err := buildFindings(raws, waivers, cat); err == nil || !errors.Is(err, policy.ErrPolicy) || !strings.Contains(err.Error(), `"unknown-1"`) {
		t.Errorf("error %v, want the policy error of the first unknown rule (unknown-1)", err)
	}
}
