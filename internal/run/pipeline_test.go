package run

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
)

// staticFacts is a Gatherer that supplies fixed facts: the seam through
// which the leak scanner and live AWS plug in, exercised with known data.
type staticFacts struct {
	fams    []string
	secrets []facts.Secret
	out     Outcome
}

func (s *staticFacts) Name() string       { return "static" }
func (s *staticFacts) Families() []string { return s.fams }
func (s *staticFacts) Gather(_ context.Context, in *facts.Input) Outcome {
	in.Secrets = append(in.Secrets, s.secrets...)
	out := s.out
	if out.Resources == nil {
		// Every family it supplies judged the secrets it gave.
		out.Resources = map[string]int{}
		for _, f := range s.fams {
			out.Resources[f] = len(s.secrets)
		}
	}
	return out
}

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func options(t *testing.T, gs ...Gatherer) Options {
	t.Helper()
	eng, err := policy.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	return Options{
		Config:       cfg.Facts(),
		Environments: cfg,
		Engine:       eng,
		Gatherers:    gs,
		Families:     []string{"naming", "rotation"},
		NotSelected:  map[string]string{"iam": "excluded by --skip"},
		Threshold:    result.Threshold{Min: result.SeverityHigh},
		Now:          testNow,
	}
}

func enabled(b bool) *bool { return &b }

func badSecret(line int) facts.Secret {
	return facts.Secret{ID: "s1", Name: "Prod_Bybit", RotationEnabled: enabled(false), Source: "cloudformation",
		Location: facts.Location{File: "stack.yaml", Line: line}}
}

func statusOf(rep result.Report, id string) result.Check {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	return result.Check{}
}

func TestStatusesAndExitCodes(t *testing.T) {
	goodProd := facts.Secret{ID: "s2", Name: "prod/bybit/api", RotationEnabled: enabled(true), RotationDays: 30, Source: "cloudformation"}
	overdue := facts.Secret{ID: "s3", Name: "prod/db/password", RotationEnabled: enabled(true), RotationDays: 30,
		LastRotatedDate: testNow.Add(-200 * 24 * time.Hour).Format(time.RFC3339), Source: "inventory"}
	tests := []struct {
		name      string
		g         *staticFacts
		families  []string
		want      map[string]result.Status
		wantExit  int
		wantError string
	}{
		{
			name:     "clean",
			g:        &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{goodProd}},
			want:     map[string]result.Status{"naming": "ok", "rotation": "ok", "iam": "skipped", "trust": "skipped"},
			wantExit: result.ExitOK,
		},
		{
			name:     "high finding fails its check only",
			g:        &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{goodProd, overdue}},
			want:     map[string]result.Status{"naming": "ok", "rotation": "failed"},
			wantExit: result.ExitFindings,
		},
		{
			name: "gatherer error makes the run incomplete",
			g: &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{goodProd},
				out: Outcome{Errors: map[string]string{"rotation": "AccessDenied: ListSecrets"}}},
			want:      map[string]result.Status{"naming": "ok", "rotation": "error"},
			wantExit:  result.ExitIncomplete,
			wantError: "AccessDenied",
		},
		{
			name: "findings outrank incomplete",
			g: &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{overdue},
				out: Outcome{Errors: map[string]string{"naming": "timeout"}}},
			want:     map[string]result.Status{"naming": "error", "rotation": "failed"},
			wantExit: result.ExitFindings,
		},
		{
			name:      "selected family nobody gathers is an error, not a pass",
			g:         &staticFacts{fams: []string{"naming"}, secrets: []facts.Secret{goodProd}},
			families:  []string{"naming", "leaks"},
			want:      map[string]result.Status{"naming": "ok", "leaks": "error"},
			wantExit:  result.ExitIncomplete,
			wantError: "no gatherer",
		},
		{
			name:     "nothing to judge is no input, not ok",
			g:        &staticFacts{fams: []string{"naming", "rotation"}},
			want:     map[string]result.Status{"naming": "no-input", "rotation": "no-input", "iam": "skipped"},
			wantExit: result.ExitOK,
		},
		{
			name: "infrastructure code not judged makes the run incomplete",
			g: &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{goodProd},
				out: Outcome{NotJudged: []result.InputProblem{{File: "cdk.json", Message: "an AWS CDK app"}}}},
			want:     map[string]result.Status{"naming": "ok", "rotation": "ok"},
			wantExit: result.ExitIncomplete,
		},
		{
			name: "skipped by the gatherer",
			g: &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{goodProd},
				out: Outcome{Skipped: map[string]string{"rotation": "offline run"}}},
			want:     map[string]result.Status{"naming": "ok", "rotation": "skipped"},
			wantExit: result.ExitOK,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(t, tc.g)
			if tc.families != nil {
				opts.Families = tc.families
			}
			rep, err := Pipeline(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if judged := len(tc.g.secrets) > 0; rep.Judged() != judged {
				t.Errorf("Judged() = %v, want %v", rep.Judged(), judged)
			}
			for id, want := range tc.want {
				if got := statusOf(rep, id); got.Status != want {
					t.Errorf("%s: status %s (%s%s), want %s", id, got.Status, got.Error, got.Reason, want)
				}
			}
			if got := rep.ExitCode(); got != tc.wantExit {
				t.Errorf("exit %d, want %d (summary %+v)", got, tc.wantExit, rep.Summary)
			}
			if tc.wantError != "" {
				found := false
				for _, c := range rep.Checks {
					found = found || strings.Contains(c.Error, tc.wantError)
				}
				if !found {
					t.Errorf("no check error mentions %q: %+v", tc.wantError, rep.Checks)
				}
			}
			if r := statusOf(rep, "iam"); r.Reason != "excluded by --skip" {
				t.Errorf("iam reason %q", r.Reason)
			}
		})
	}
}

// A gatherer that found nothing to judge says why (the resolve check with
// no credentials configured): the check is no-input with that reason, not
// skipped and not ok.
func TestNoInputReason(t *testing.T) {
	g := &staticFacts{fams: []string{"naming", "rotation"}, out: Outcome{NoInput: map[string]string{"rotation": "no credentials configured"}}}
	rep, err := Pipeline(context.Background(), options(t, g))
	if err != nil {
		t.Fatal(err)
	}
	if c := statusOf(rep, "rotation"); c.Status != result.StatusNoInput || c.Reason != "no credentials configured" {
		t.Errorf("rotation = %+v, want no-input with the gatherer's reason", c)
	}
	if c := statusOf(rep, "naming"); c.Status != result.StatusNoInput || c.Reason != "" {
		t.Errorf("naming = %+v, want no-input without a reason", c)
	}
	if rep.Judged() || rep.ExitCode() != result.ExitOK {
		t.Errorf("judged %v, exit %d; want nothing judged, exit 0", rep.Judged(), rep.ExitCode())
	}
}

func TestFingerprintsStableAcrossLineMoves(t *testing.T) {
	fp := func(line int) map[string]string {
		rep, err := Pipeline(context.Background(), options(t, &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{badSecret(line)}}))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range rep.Findings {
			m[f.Rule] = f.Fingerprint
		}
		if len(m) == 0 {
			t.Fatal("no findings")
		}
		return m
	}
	a, b := fp(3), fp(30)
	for rule, f := range a {
		if b[rule] != f {
			t.Errorf("%s: fingerprint changed when the secret moved lines: %s vs %s", rule, f, b[rule])
		}
	}
	if Fingerprint("r", "x", "f", "") == Fingerprint("r", "y", "f", "") {
		t.Error("different resources share a fingerprint")
	}
	if Fingerprint("r", "ab", "c", "") == Fingerprint("r", "a", "bc", "") {
		t.Error("fingerprint fields are not separated")
	}
	// Fingerprints are compared with those of earlier runs (baselines,
	// SARIF partialFingerprints): their value never changes. The first
	// 128 bits of SHA-256 over the NUL-terminated fields, in hex.
	long := strings.Repeat("prod/service/api-", 40) // longer than the stack buffer
	for _, tc := range []struct{ rule, resource, file, key, want string }{
		{"rotation-overdue", "prod/bybit/api", "inventory.json", "arn:aws:secretsmanager:eu-west-1:1:secret:prod/bybit/api-AbCdEf", "4625d92084f6bc39dcf21a2cb188d0e6"}, // gitleaks:allow (a fingerprint, not a key)
		{"r", long, "f", "", "012e48e8afa1a546e48482fac8658781"},
	} {
		if got := Fingerprint(tc.rule, tc.resource, tc.file, tc.key); got != tc.want {
			t.Errorf("Fingerprint(%q…) = %s, want %s", tc.rule, got, tc.want)
		}
	}
}

func TestBaselineAndFamiliesFilter(t *testing.T) {
	g := &staticFacts{fams: []string{"naming", "rotation"}, secrets: []facts.Secret{badSecret(3)}}
	opts := options(t, g)
	opts.Families = []string{"naming"}
	rep, err := Pipeline(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("no naming findings")
	}
	base := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Check != "naming" {
			t.Errorf("finding of unselected check %s", f.Check)
		}
		if !f.New {
			t.Errorf("finding not new without a baseline")
		}
		base[f.Fingerprint] = true
	}
	opts.Baseline = base
	rep, err = Pipeline(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.New {
			t.Errorf("%s is new although the baseline has it", f.Rule)
		}
	}
}

func TestSelectFamilies(t *testing.T) {
	tests := []struct {
		only, skip []string
		want       string
		err        string
	}{
		{nil, nil, "naming,rotation,iam,trust,leaks,resolve", ""},
		{[]string{"trust", "iam"}, nil, "iam,trust", ""},
		{nil, []string{"leaks", "resolve"}, "naming,rotation,iam,trust", ""},
		{[]string{"trust"}, []string{"trust"}, "", ""},
		{[]string{"secrets"}, nil, "", `unknown check "secrets"`},
	}
	for _, tc := range tests {
		got, reasons, err := SelectFamilies(tc.only, tc.skip)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v/%v: error %v, want %q", tc.only, tc.skip, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%v/%v: %v, want %s", tc.only, tc.skip, got, tc.want)
		}
		if len(got)+len(reasons) != len(result.Families) {
			t.Errorf("%v/%v: %d selected + %d reasons", tc.only, tc.skip, len(got), len(reasons))
		}
	}
}

func TestInlinePolicyNamesCarryTheRole(t *testing.T) {
	in := &facts.Input{
		Roles:    []facts.Role{{ID: "r1", Name: "deploy-prod"}},
		Policies: []facts.Policy{{ID: "p1", Name: "read", Kind: "inline", RoleIDs: []string{"r1"}}, {ID: "p2", Name: "shared", Kind: "managed", RoleIDs: []string{"r1"}}},
	}
	deriveEnvironments(in, config.Default())
	if in.Policies[0].Name != "deploy-prod/read" || in.Policies[1].Name != "shared" {
		t.Errorf("names %q %q", in.Policies[0].Name, in.Policies[1].Name)
	}
	if in.Roles[0].Environment != "prod" || in.Policies[0].Environment != "prod" {
		t.Errorf("environments %q %q", in.Roles[0].Environment, in.Policies[0].Environment)
	}
}
