package run

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCompiledFamilies: a run compiles the selected families' built-in
// rules, without resolve when offline, with trust (the refusal explainer)
// when live.
func TestCompiledFamilies(t *testing.T) {
	all := []string{"naming", "rotation", "iam", "trust", "leaks", "resolve"}
	for _, tc := range []struct {
		name     string
		selected []string
		live     bool
		want     []string
	}{
		{"offline, everything", all, false, []string{"naming", "rotation", "iam", "trust", "leaks"}},
		{"live, everything", all, true, all},
		{"offline --only naming", []string{"naming"}, false, []string{"naming"}},
		{"live --only resolve", []string{"resolve"}, true, []string{"resolve", "trust"}},
		{"offline --only resolve", []string{"resolve"}, false, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, compiledFamilies(tc.selected, tc.live)); diff != "" {
				t.Errorf("compiledFamilies(%v, live %v) (-want +got):\n%s", tc.selected, tc.live, diff)
			}
		})
	}
}
