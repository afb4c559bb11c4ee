package judge

import (
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

func finding(rule, resource, fp string, sev result.Severity, waived bool) result.Finding {
	return result.Finding{Rule: rule, Check: "iam", Resource: resource, Fingerprint: fp, Severity: sev, Waived: waived}
}

func report(failOn string, checks []result.Check, fs ...result.Finding) result.Report {
	r := result.Report{Findings: fs, Checks: checks}
	t, err := result.ParseThreshold(failOn)
	if err != nil {
		panic(err)
	}
	r.Summarize(t)
	return r
}

var (
	admin = finding("iam-wildcard-action", "deploy", "fp-admin", result.SeverityCritical, false)
	leak  = finding("leaks-secret", "app.env", "fp-leak", result.SeverityHigh, false)
	minor = finding("naming-format", "x", "fp-minor", result.SeverityLow, false)
	iamOK = []result.Check{{ID: "iam", Status: result.StatusFailed, Resources: 1}}
)

func TestCompare(t *testing.T) {
	base := report("high", iamOK, admin, leak, minor)
	tests := []struct {
		name string
		head result.Report
		want string
	}{
		{"same judge", report("high", iamOK, admin, leak, minor),
			"With the change's own judge the failing findings would be the same."},
		{"waived", report("high", iamOK, admin, waived(leak), minor),
			"With the change's own judge the run would waive 1 failing finding (leaks-secret on app.env)."},
		{"hidden and passing", report("high", []result.Check{{ID: "iam", Status: "no-input"}}),
			"With the change's own judge the run would hide 2 failing findings (iam-wildcard-action on deploy, leaks-secret on app.env), leave the iam check with nothing to judge and pass instead of fail."},
		{"fail_on never", report("never", iamOK, admin, leak, minor),
			"With the change's own judge the run would change fail_on from high to never, let 2 failing findings pass (iam-wildcard-action on deploy, leaks-secret on app.env) and pass instead of fail."},
		{"severity lowered", report("high", iamOK, admin, finding("leaks-secret", "app.env", "fp-leak", result.SeverityLow, false), minor),
			"With the change's own judge the run would let 1 failing finding pass (leaks-secret on app.env)."},
		{"stricter", report("low", iamOK, admin, leak, minor),
			"With the change's own judge the run would change fail_on from high to low."},
		{"a new rule", report("high", iamOK, admin, leak, minor, finding("acme-extra", "y", "fp-new", result.SeverityHigh, false)),
			"With the change's own judge the run would add 1 failing finding."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(base, tt.head, false).Describe(); got != tt.want {
				t.Errorf("Describe =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

// The judge-change finding is not a finding the change hides or adds.
func TestCompareLeavesTheJudgeFindingOut(t *testing.T) {
	judged := finding(Rule, ".secretgate.yml", "fp-judge", result.SeverityHigh, false)
	e := Compare(report("high", iamOK, admin, judged), report("high", iamOK, admin), false)
	if len(e.Hidden) != 0 || e.Verdict != "" {
		t.Errorf("Compare counted the judge finding: %+v", e)
	}
}

func TestDescribeListsAtMostThree(t *testing.T) {
	var fs []result.Finding
	for _, r := range []string{"a", "b", "c", "d", "e"} {
		fs = append(fs, finding("rule-"+r, r, "fp-"+r, result.SeverityHigh, false))
	}
	e := Compare(report("high", nil, fs...), report("high", nil), false)
	want := "With the change's own judge the run would hide 5 failing findings (rule-a on a, rule-b on b, rule-c on c and 2 more) and pass instead of fail."
	if got := e.Describe(); got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if got := (Effect{Broken: "policy/x.rego:3: rego_parse_error"}).Describe(); got != "The change's own judge cannot be used: policy/x.rego:3: rego_parse_error." {
		t.Errorf("Describe(broken) = %q", got)
	}
}

func waived(f result.Finding) result.Finding {
	f.Waived = true
	return f
}

// Without the live checks on the change's side, only findings on files are
// compared: a live secret's finding is not "hidden" by an offline run.
func TestCompareRepositoryOnly(t *testing.T) {
	onFile := finding("iam-wildcard-action", "deploy", "fp-file", result.SeverityCritical, false)
	onFile.File = "iam/deploy.json"
	live := finding("rotation-overdue", "prod/db/password", "fp-live", result.SeverityHigh, false)
	base := report("high", iamOK, onFile, live)
	tests := []struct {
		name string
		head result.Report
		want string
	}{
		{"nothing but the live finding differs", report("high", nil, onFile),
			"With the change's own judge the failing findings would be the same (compared on the repository's files; the live AWS checks were judged once, by the base)."},
		{"the file's finding waived", report("high", nil, waived(onFile)),
			"With the change's own judge the run would waive 1 failing finding (iam-wildcard-action on deploy) (compared on the repository's files; the live AWS checks were judged once, by the base)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(base, tt.head, true).Describe(); got != tt.want {
				t.Errorf("Describe =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}
