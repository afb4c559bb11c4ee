package run

import (
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
)

// TestAssumptionIndex: a finding is matched to its fact by its key (the
// fact's ID, or the ID followed by "#…" or " …", the longest), else by its
// resource name when one fact of the file has it; its message then ends
// with what the fact assumes.
func TestAssumptionIndex(t *testing.T) {
	in := &facts.Input{
		Roles: []facts.Role{
			{ID: "t.yaml#Deploy[A=true]", Name: "Deploy/if A=true", Assumptions: []string{"condition A is true"}, Location: facts.Location{File: "t.yaml"}},
			{ID: "t.yaml#Deploy[A=false]", Name: "Deploy/if A=false", Assumptions: []string{"condition A is false"}, Location: facts.Location{File: "t.yaml"}},
			{ID: "t.yaml#Plain", Name: "plain", Location: facts.Location{File: "t.yaml"}},
		},
		Policies: []facts.Policy{
			{ID: "t.yaml#Deploy[A=true]#inline/read", Name: "Deploy/if A=true/read", Assumptions: []string{"condition A is true", "parameter P has no value"}, Location: facts.Location{File: "t.yaml"}},
		},
		Secrets: []facts.Secret{
			{ID: "t.yaml#S[B=true]", Name: "prod/app/db", Assumptions: []string{"condition B is true"}, Location: facts.Location{File: "t.yaml"}},
			{ID: "t.yaml#S[B=false]", Name: "prod/app/db", Assumptions: []string{"condition B is false"}, Location: facts.Location{File: "t.yaml"}},
		},
	}
	x := newAssumptionIndex(in)
	tests := []struct {
		name string
		raw  policy.Raw
		want string
	}{
		{"key is the id", policy.Raw{Key: "t.yaml#S[B=false]", Resource: "prod/app/db", File: "t.yaml"}, "m (assuming condition B is false)"},
		{"statement key, longest id", policy.Raw{Key: "t.yaml#Deploy[A=true]#inline/read#0", File: "t.yaml"}, "m (assuming condition A is true; parameter P has no value)"},
		{"key with words after the id", policy.Raw{Key: "t.yaml#Deploy[A=false] attacker x", File: "t.yaml"}, "m (assuming condition A is false)"},
		{"by resource name", policy.Raw{Key: "statement 0", Resource: "Deploy/if A=true", File: "t.yaml"}, "m (assuming condition A is true)"},
		{"name shared by two facts", policy.Raw{Key: "statement 0", Resource: "prod/app/db", File: "t.yaml"}, "m"},
		{"name in another file", policy.Raw{Key: "statement 0", Resource: "Deploy/if A=true", File: "u.yaml"}, "m"},
		{"fact without assumptions", policy.Raw{Key: "t.yaml#Plain", Resource: "plain", File: "t.yaml"}, "m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := withAssumptions("m", x.of(tc.raw)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if a := newAssumptionIndex(&facts.Input{Roles: in.Roles[2:]}).of(policy.Raw{Key: "t.yaml#Plain"}); a != nil {
		t.Errorf("no facts with assumptions: got %q", a)
	}
}
