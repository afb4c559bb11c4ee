package run

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
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
			if !strings.HasSuffix(f.Message, " (assuming condition IsProd is true; parameter Env has no value)") {
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

// TestIAMCountsAttachedManagedPolicies: a role with only AWS managed
// policies attached by ARN is judged by iam (iam-broad-managed-policy), so
// they count: "iam: failed (0 policies, 1 finding)" said nothing true.
func TestIAMCountsAttachedManagedPolicies(t *testing.T) {
	in := &facts.Input{}
	res := map[string]int{}
	roles := []facts.Role{
		{ID: "r1", AttachedARNs: []string{"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::1:policy/mine"}},
		{ID: "r2", AttachedARNs: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
	}
	policies := []facts.Policy{{ID: "p", ARN: "arn:aws:iam::1:policy/mine"}}
	addAWSFacts(in, res, roles, policies, nil)
	if res["iam"] != 2 {
		t.Errorf("iam resources %d, want 2: the policy read and AdministratorAccess once", res["iam"])
	}
}

// TestVariantFindingsMerge: the two branches of an undecidable Fn::If
// read as two variants of a secret; a rule that finds the same on both
// reports it once, assuming nothing about the condition (it holds either
// way), while a finding on one branch only keeps its assumption.
func TestVariantFindingsMerge(t *testing.T) {
	on := badSecret(3)
	on.ID, on.Assumptions = "stack.yaml#S[C=true]", []string{"condition C is true"}
	off := badSecret(3)
	off.ID, off.Assumptions = "stack.yaml#S[C=false]", []string{"condition C is false"}
	off.RotationEnabled = enabled(true) // rotation differs by branch
	opts := options(t, &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{on, off}})
	rep, err := Pipeline(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]result.Finding{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	naming := byRule["naming-pattern"]
	if len(naming) != 1 || len(naming[0].Assumptions) != 0 || strings.Contains(naming[0].Message, "assuming") {
		t.Errorf("naming-pattern %+v, want one finding that assumes nothing", naming)
	}
	rot := byRule["rotation-not-enabled"]
	if len(rot) != 1 || !slices.Equal(rot[0].Assumptions, []string{"condition C is true"}) || !strings.HasSuffix(rot[0].Message, "(assuming condition C is true)") {
		t.Errorf("rotation-not-enabled %+v, want one, on the branch where rotation is off", rot)
	}
}

func TestBaseID(t *testing.T) {
	for id, want := range map[string]string{
		"stack.yaml#Deploy[IsMain=false]":       "stack.yaml#Deploy",
		"stack.yaml#Deploy[A=true,B=false]":     "stack.yaml#Deploy",
		`.#aws_iam_role.github["prod"]`:         `.#aws_iam_role.github["prod"]`,
		".#aws_secretsmanager_secret.legacy[0]": ".#aws_secretsmanager_secret.legacy[0]",
		`.#aws_iam_role.x["a=b"]`:               `.#aws_iam_role.x["a=b"]`,
		"arn:aws:iam::1:role/plain":             "arn:aws:iam::1:role/plain",
	} {
		if got := baseID(id); got != want {
			t.Errorf("baseID(%q) = %q, want %q", id, got, want)
		}
	}
}
