package policy

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/bench"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
)

// accountInput is a generated account (every built-in family finds
// something in it) with the given waivers.
func accountInput(t *testing.T, waivers []facts.Waiver) *facts.Input {
	t.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	fs, errs := bench.Account(300, 60, now).Facts()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cfg := config.Default().Facts()
	cfg.GitHub.Repositories = bench.Repositories()
	cfg.Waivers = waivers
	for i := range fs.Secrets {
		fs.Secrets[i].Environment = "prod"
	}
	return &facts.Input{Schema: facts.Schema, Now: now.Format(time.RFC3339), Config: cfg,
		Roles: fs.Roles, Policies: fs.Policies, Secrets: fs.Secrets,
		Leaks: []facts.Leak{}, Credentials: []facts.Credential{}, Checks: []string{"naming", "rotation", "iam", "trust"}}
}

func rawKeys(rs []Raw) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%+v", r)
	}
	sort.Strings(out)
	return out
}

// TestPartsEqualFindings holds the parallel evaluation (family_findings per
// family, expired_waivers and broad_waivers) to the one query data.secretgate.main.findings
// that opa eval runs: the same findings, with and without waivers, with
// custom rules in families of their own and with identical findings from
// two packages (counted once, as in a set).
func TestPartsEqualFindings(t *testing.T) {
	waivers := map[string][]facts.Waiver{
		"none":        nil,
		"rule waiver": {{Rule: "rotation-manual", Resource: "dev/**", Reason: "r", Owner: "o", Expires: "2027-01-01T00:00:00Z"}},
		"star waiver": {{Rule: "*", Resource: "prod/bybit*/**", Reason: "all", Owner: "o"},
			{Rule: "naming-pattern", Resource: "Legacy*", Reason: "n", Owner: "o"}},
		"blanket": {{Rule: "*", Resource: "**", Reason: "all", Owner: "o", File: ".secretgate.yml", Line: 5}},
		"expired": {{Rule: "rotation-failing", Resource: "**", Reason: "old", Owner: "o", Expires: "2026-01-01T00:00:00Z", File: ".secretgate.yml", Line: 3}},
	}
	for _, dirs := range [][]string{nil, {"testdata/custom"}, {"testdata/twofamilies"}, {"testdata/override"}} {
		eng, err := Load(context.Background(), dirs)
		if err != nil {
			t.Fatal(err)
		}
		if len(eng.parts) == 0 {
			t.Fatalf("%v: no parallel parts prepared", dirs)
		}
		for name, ws := range waivers {
			t.Run(fmt.Sprintf("%v/%s", dirs, name), func(t *testing.T) {
				val, err := inputValue(accountInput(t, ws))
				if err != nil {
					t.Fatal(err)
				}
				want, err := evalFindings(context.Background(), eng.query, Query, val)
				if err != nil {
					t.Fatal(err)
				}
				got, err := eng.evaluateParts(context.Background(), val)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) < 100 {
					t.Fatalf("only %d findings: the generated account should find more", len(want))
				}
				if diff := cmp.Diff(rawKeys(want), rawKeys(got)); diff != "" {
					t.Errorf("parts differ from %s (-findings +parts):\n%s", Query, diff)
				}
			})
		}
	}
}

// TestTwoFamiliesCountOnce: an object two packages both produce is one
// finding, as in the set data.secretgate.main.findings.
func TestTwoFamiliesCountOnce(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/twofamilies"})
	if err != nil {
		t.Fatal(err)
	}
	raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "prod/a/api"}, {Name: "prod/b/api"}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range raws {
		n[r.Rule]++
	}
	if n["acme-twice"] != 2 || n["acme-twice-own"] != 1 {
		t.Errorf("findings per rule = %v, want acme-twice 2 (one per secret), acme-twice-own 1", n)
	}
}

// TestOwnMainFallsBack: a custom policy that adds to package
// secretgate.main is not covered by the per-family pieces; the engine then
// evaluates the one query, and the custom finding is there.
func TestOwnMainFallsBack(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/ownmain"})
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.parts) != 0 {
		t.Fatalf("parts prepared although package secretgate.main has a custom rule")
	}
	raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "prod/a/api"}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range raws {
		found = found || r.Rule == "acme-main-extra"
	}
	if !found {
		t.Errorf("the finding added in package secretgate.main is missing: %+v", raws)
	}
}
