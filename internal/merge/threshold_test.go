package merge

import (
	"errors"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestThresholdIsTheStrictest: without --fail-on the merged report fails
// on what any shard's own threshold fails on — reports that disagree
// never fall back to a weaker default.
func TestThresholdIsTheStrictest(t *testing.T) {
	in := func(failOn ...string) []Input {
		var out []Input
		for _, f := range failOn {
			out = append(out, Input{Report: result.Report{FailOn: f}})
		}
		return out
	}
	tests := []struct {
		name   string
		inputs []Input
		want   string
	}{
		{"none says", in(""), "high"},
		{"all agree", in("critical", "critical"), "critical"},
		{"medium and low", in("medium", "low"), "low"},
		{"high and info", in("high", "info", "medium"), "info"},
		{"never and medium", in("never", "medium"), "medium"},
		{"all never", in("never", "never"), "never"},
		{"unreadable inputs ignored", append(in("critical"), Input{Report: result.Report{FailOn: "low"}, Err: errors.New("truncated")}), "critical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := threshold(tt.inputs, nil).String(); got != tt.want {
				t.Errorf("threshold = %s, want %s", got, tt.want)
			}
		})
	}
	explicit := result.Threshold{Min: result.SeverityCritical}
	if got := threshold(in("low"), &explicit); got != explicit {
		t.Errorf("--fail-on critical gave %s", got)
	}
}
