package run

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
)

// TestFindingsRepeatTheirFactsAssumptions: a secret read from a branch of
// an undecidable Fn::If is judged, and its findings say which branch they
// assume; an alike secret in another file, without assumptions, gets
// none.
func TestFindingsRepeatTheirFactsAssumptions(t *testing.T) {
	assumed := badSecret(3)
	assumed.Assumptions = []string{"condition IsProd is true", "parameter Env has no value"}
	plain := badSecret(5)
	plain.ID, plain.File = "s2", "other.yaml"
	opts := options(t, &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{assumed, plain}})
	rep, err := Pipeline(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var withA, without int
	for _, f := range rep.Findings {
		switch f.File {
		case "stack.yaml":
			withA++
			if !slices.Equal(f.Assumptions, assumed.Assumptions) {
				t.Errorf("%s: assumptions %q, want %q", f.Rule, f.Assumptions, assumed.Assumptions)
			}
			if !strings.HasSuffix(f.Message, " This assumes condition IsProd is true; parameter Env has no value.") {
				t.Errorf("%s: message %q does not end with the assumptions", f.Rule, f.Message)
			}
		case "other.yaml":
			without++
			if len(f.Assumptions) != 0 || strings.Contains(f.Message, "assumes") {
				t.Errorf("%s on a fact without assumptions: %q %q", f.Rule, f.Assumptions, f.Message)
			}
		}
	}
	if withA == 0 || withA != without {
		t.Fatalf("findings: %d with assumptions, %d without; want the same non-zero number", withA, without)
	}
}
