package policy

import (
	"context"
	"testing"
)

func TestLoadFamilies(t *testing.T) {
	full, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		dirs        []string
		families    []string
		wantPartial bool
		wantChecks  map[string]bool // the checks whose rules are compiled
	}{
		{"leaks only", nil, []string{"leaks"}, true, map[string]bool{"leaks": true, "config": true}},
		{"every family named", nil, []string{"naming", "rotation", "iam", "trust", "leaks", "resolve"}, false, nil},
		{"nil is Load", nil, nil, false, nil},
		{"user rules of a family left out compile everything", []string{"testdata/custom"}, []string{"leaks"}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := LoadFamilies(context.Background(), tc.dirs, tc.families)
			if err != nil {
				t.Fatal(err)
			}
			if eng.Partial() != tc.wantPartial {
				t.Fatalf("Partial() = %v, want %v", eng.Partial(), tc.wantPartial)
			}
			for _, r := range full.Catalog() {
				compiled := eng.Compiled(r.ID)
				if want := tc.wantChecks == nil || tc.wantChecks[r.Check]; compiled != want {
					t.Errorf("rule %s (%s) compiled: %v, want %v", r.ID, r.Check, compiled, want)
				}
				if got, ok := eng.Rule(r.ID); !ok || got != r {
					t.Errorf("Rule(%s) = %+v, %v; want the catalogue entry %+v", r.ID, got, ok, r)
				}
				if !eng.Known(r.ID) {
					t.Errorf("Known(%s) = false, want true: waivers may name every built-in rule", r.ID)
				}
			}
			if eng.Known("no-such-rule") {
				t.Error("Known(no-such-rule) = true")
			}
		})
	}
}
