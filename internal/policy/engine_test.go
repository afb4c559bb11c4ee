package policy

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// input builds an input document the way the check pipeline does, with the
// default configuration.
func input(secrets []facts.Secret, waivers []facts.Waiver) *facts.Input {
	cfg := config.Default().Facts()
	cfg.Waivers = waivers
	return &facts.Input{
		Schema:  facts.Schema,
		Now:     "2026-11-26T12:00:00Z",
		Secrets: secrets,
		Config:  cfg,
	}
}

func TestLoadBuiltinsCompileStrict(t *testing.T) {
	srcs, err := BuiltinSources(true)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := Parse(srcs)
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithStrict(true)
	c.Compile(mods)
	if c.Failed() {
		t.Fatalf("built-in policies fail strict compilation (opa check --strict): %v", c.Errors)
	}
}

func TestCatalogHasMetadataForEveryBuiltinRule(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := eng.Catalog()
	if len(rules) == 0 {
		t.Fatal("empty catalogue")
	}
	for _, r := range rules {
		if r.Title == r.ID || r.Title == "" {
			t.Errorf("%s: no title", r.ID)
		}
		if r.Remediation == "" {
			t.Errorf("%s: no remediation", r.ID)
		}
		if r.Description == "" {
			t.Errorf("%s: no description", r.ID)
		}
		if !r.Builtin || !strings.HasPrefix(r.DocsURL, DocsBase+"#") {
			t.Errorf("%s: docs url %q builtin %v", r.ID, r.DocsURL, r.Builtin)
		}
		if !strings.HasPrefix(r.File, "policies/") || r.Line == 0 {
			t.Errorf("%s: location %s:%d", r.ID, r.File, r.Line)
		}
	}
}

func TestCustomRuleEvaluates(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/custom"})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := eng.Rule("acme-secret-owner")
	if !ok || r.Builtin || r.Check != "naming" || r.Severity != result.SeverityLow {
		t.Fatalf("catalogue entry = %+v, %v", r, ok)
	}
	raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{
		{Name: "prod/bybit/api", Location: facts.Location{File: "a.yaml", Line: 3}},
		{Name: "prod/db/password", Tags: map[string]string{"owner": "db"}, Location: facts.Location{File: "a.yaml", Line: 9}},
	}, nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []Raw
	for _, f := range raws {
		if f.Rule == "acme-secret-owner" {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Resource != "prod/bybit/api" || got[0].Line != 3 || got[0].File != "a.yaml" {
		t.Fatalf("custom findings = %+v", got)
	}
}

func TestWaiversApplyAndExpire(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/custom"})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []facts.Secret{
		{Name: "prod/legacy/api"},
		{Name: "prod/other/api"},
	}
	tests := []struct {
		name        string
		waiver      facts.Waiver
		wantWaived  []string
		wantExpired bool
	}{
		{"glob matches one", facts.Waiver{Rule: "acme-secret-owner", Resource: "prod/legacy/*", Reason: "r", Owner: "o", Expires: "2027-01-01T00:00:00Z"}, []string{"prod/legacy/api"}, false},
		{"double star matches all", facts.Waiver{Rule: "acme-secret-owner", Resource: "**", Reason: "r", Owner: "o"}, []string{"prod/legacy/api", "prod/other/api"}, false},
		{"single star does not cross slash", facts.Waiver{Rule: "acme-secret-owner", Resource: "prod/*", Reason: "r", Owner: "o"}, nil, false},
		{"other rule", facts.Waiver{Rule: "naming-pattern", Resource: "**", Reason: "r", Owner: "o"}, nil, false},
		{"expired", facts.Waiver{Rule: "acme-secret-owner", Resource: "**", Reason: "r", Owner: "o", Expires: "2026-01-01T00:00:00Z", File: ".secretgate.yml", Line: 7}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raws, err := eng.Evaluate(context.Background(), input(secrets, []facts.Waiver{tc.waiver}))
			if err != nil {
				t.Fatal(err)
			}
			var waived []string
			expired := false
			for _, f := range raws {
				if f.Rule == "acme-secret-owner" && f.Waived {
					waived = append(waived, f.Resource)
					if f.WaiverReason != "r" || f.WaiverOwner != "o" {
						t.Errorf("waiver reason/owner = %q/%q", f.WaiverReason, f.WaiverOwner)
					}
				}
				if f.Rule == "config-waiver-expired" {
					expired = true
					if f.File != ".secretgate.yml" || f.Line != 7 {
						t.Errorf("expired waiver location %s:%d", f.File, f.Line)
					}
				}
			}
			if strings.Join(sorted(waived), ",") != strings.Join(tc.wantWaived, ",") {
				t.Errorf("waived = %v, want %v", waived, tc.wantWaived)
			}
			if expired != tc.wantExpired {
				t.Errorf("expired finding = %v, want %v", expired, tc.wantExpired)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestUserRuleOverridesBuiltinByID(t *testing.T) {
	eng, err := Load(context.Background(), []string{"testdata/override"})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := eng.Rule("config-waiver-expired")
	if !ok || r.Builtin || r.Severity != result.SeverityLow {
		t.Fatalf("override not in catalogue: %+v", r)
	}
	raws, err := eng.Evaluate(context.Background(), input(nil, []facts.Waiver{{Rule: "x", Resource: "**", Expires: "2020-01-01T00:00:00Z", File: "c.yml", Line: 2}}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range raws {
		if f.Rule == "config-waiver-expired" {
			n++
			if f.Message != "expired (custom)" {
				t.Errorf("built-in rule still ran: %q", f.Message)
			}
		}
	}
	if n != 1 {
		t.Fatalf("got %d expired-waiver findings, want 1", n)
	}
}

func TestPolicyErrors(t *testing.T) {
	tests := []struct {
		dir  string
		want string
	}{
		{"testdata/nometa", "testdata/nometa/bad.rego:5: rule deny in package secretgate.rules.naming.nometa has no METADATA block with custom.id"},
		{"testdata/invalid", "testdata/invalid/broken.rego:8"},
		{"testdata/missing", "policy directory testdata/missing"},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			_, err := Load(context.Background(), []string{tc.dir})
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error %v is not ErrPolicy", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestRegoUnitTests(t *testing.T) {
	var out bytes.Buffer
	sum, err := Test(context.Background(), &out, TestOptions{Builtin: true, Dirs: []string{"testdata/custom"}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed+sum.Errored > 0 {
		t.Fatalf("Rego tests failed:\n%s", out.String())
	}
	if sum.Passed < 3 {
		t.Fatalf("only %d Rego tests passed", sum.Passed)
	}
}

func TestRegoUnitTestFailureIsReported(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/fail_test.rego", "package x_test\n\nimport rego.v1\n\ntest_fails if {\n\t1 == 2\n}\n")
	var out bytes.Buffer
	sum, err := Test(context.Background(), &out, TestOptions{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || !strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "fail_test.rego:5") {
		t.Fatalf("summary %+v, output %q", sum, out.String())
	}
}
