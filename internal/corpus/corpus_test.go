package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/cli"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// expectation is one repository of testdata/expected.json.
type expectation struct {
	Dir        string        `json:"dir"`
	IaC        []string      `json:"iac"`
	OIDCRoles  int           `json:"oidc_roles"`
	OtherRoles int           `json:"other_roles"`
	Policies   int           `json:"policies"`
	Secrets    int           `json:"secrets"`
	NotJudged  string        `json:"not_judged"`
	Roles      []roleVerdict `json:"roles"`
	ExitCodes  []int         `json:"exit_codes"`
	// Invalid lists input a repository holds that its own tool rejects
	// (Checkov's fixtures spell a statement argument "action", which
	// Terraform refuses): an input error on such a file, saying so, is
	// the right answer, not a false "could not read".
	Invalid []invalidInput `json:"invalid"`
}

// invalidInput is a file of a repository that is not valid input, and
// what the error on it must say.
type invalidInput struct {
	File     string `json:"file"`
	Contains string `json:"contains"`
	Reason   string `json:"reason"`
}

// expected reports whether e is one of the errors exp expects.
func (exp expectation) expected(e result.InputProblem) bool {
	for _, v := range exp.Invalid {
		if e.File == v.File && strings.Contains(e.Message, v.Contains) {
			return true
		}
	}
	return false
}

// roleVerdict is what a correct judge must say: every rule in Require is
// reported for a finding whose resource or message contains Match, no rule
// in Forbid is.
type roleVerdict struct {
	Match   string   `json:"match"`
	Verdict string   `json:"verdict"`
	Require []string `json:"require"`
	Forbid  []string `json:"forbid"`
}

// outcome is one run of secretgate over a corpus directory.
type outcome struct {
	report result.Report
	raw    []byte
	input  facts.Input
	exit   int
	took   time.Duration
}

// githubIssuer is the prefix of GitHub's OIDC provider ARN and of its
// condition keys.
const githubIssuer = "token.actions.githubusercontent.com"

// judgedFamilies are the families whose facts come from the repository
// files; without input each must say so rather than ok.
var judgedFamilies = []string{result.CheckNaming, result.CheckRotation, result.CheckIAM, result.CheckTrust}

func loadExpectations(t *testing.T) []expectation {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatalf("read expectations: %v", err)
	}
	var doc struct {
		Repositories []expectation `json:"repositories"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse expectations: %v", err)
	}
	return doc.Repositories
}

// check runs secretgate check offline over dir as a user would (the CLI
// entry, JSON report, the facts written with --write-input).
func check(t *testing.T, dir string) outcome {
	t.Helper()
	tmp := t.TempDir()
	reportPath := filepath.Join(tmp, "report.json")
	inputPath := filepath.Join(tmp, "input.json")
	args := []string{"check", "--path", dir, "--offline", "--format", "json", "--output", reportPath,
		"--write-input", inputPath, "--cache-dir", filepath.Join(tmp, "cache")}
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := cli.Run(context.Background(), args, &stdout, &stderr, func(string) string { return "" })
	out := outcome{took: time.Since(start)}
	var ee *cli.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		out.exit = ee.Code
	default:
		t.Fatalf("secretgate check %s: %v", dir, err)
	}
	if out.exit == result.ExitUsage {
		t.Fatalf("secretgate check %s: usage error (exit 2): %v\n%s", dir, err, stderr.String())
	}
	if out.raw, err = os.ReadFile(reportPath); err != nil {
		t.Fatalf("read report: %v (stderr: %s)", err, stderr.String())
	}
	if err := json.Unmarshal(out.raw, &out.report); err != nil {
		t.Fatalf("parse report: %v", err)
	}
	in, err := os.ReadFile(inputPath)
	if err != nil {
		t.Fatalf("read input document: %v", err)
	}
	if err := json.Unmarshal(in, &out.input); err != nil {
		t.Fatalf("parse input document: %v", err)
	}
	return out
}

// trustsGitHub says whether a trust policy names GitHub's OIDC provider,
// as a Federated principal or through its condition keys.
func trustsGitHub(doc *facts.PolicyDocument) bool {
	if doc == nil {
		return false
	}
	for _, st := range doc.Statement {
		for _, p := range st.Principal["Federated"] {
			if strings.Contains(p, githubIssuer) {
				return true
			}
		}
		for _, kv := range st.Condition {
			for k := range kv {
				if strings.HasPrefix(strings.ToLower(k), githubIssuer) {
					return true
				}
			}
		}
	}
	return false
}

// counts are the facts of a run, as the hand counts count them.
type counts struct{ oidc, other, policies, secrets int }

func countFacts(in facts.Input) counts {
	oidc, other := map[string]bool{}, map[string]bool{}
	for _, r := range in.Roles {
		if trustsGitHub(r.Trust) {
			oidc[r.ID] = true
		} else {
			other[r.ID] = true
		}
	}
	return counts{oidc: len(oidc), other: len(other), policies: len(in.Policies), secrets: len(in.Secrets)}
}

func checkOf(r result.Report, id string) (result.Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return result.Check{}, false
}

// reported says whether a finding of rule whose resource or message
// contains match is in the report.
func reported(r result.Report, rule, match string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && (strings.Contains(f.Resource, match) || strings.Contains(f.Message, match)) {
			return true
		}
	}
	return false
}

// row is one line of the table TestCorpus prints.
type row struct {
	repo, iac, judged, findings, status string
	exit                                int
	took                                time.Duration
}

// TestCorpus runs secretgate over each corpus repository and compares with
// the hand counts: every GitHub OIDC role, other role, policy and secret counted
// is in the facts, no file is reported unreadable, the exit code is one a
// correct judge gives, and the trust verdicts are reported by rule id. An
// empty directory must not be reported as judged ok.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs secretgate over 13 repositories")
	}
	var rows []row
	for _, exp := range loadExpectations(t) {
		t.Run(exp.Dir, func(t *testing.T) {
			out := check(t, filepath.Join("testdata", exp.Dir))
			got := countFacts(out.input)
			compare(t, exp, got, out)
			rows = append(rows, newRow(exp.Dir, strings.Join(exp.IaC, "+"), got, exp, out, t.Failed()))
		})
	}
	t.Run("empty-directory", func(t *testing.T) {
		out := check(t, t.TempDir())
		for _, fam := range judgedFamilies {
			c, ok := checkOf(out.report, fam)
			if ok && c.Status == result.StatusOK {
				t.Errorf("check %s is %q with nothing to judge; it must say so instead", fam, c.Status)
			}
		}
		rows = append(rows, newRow("(empty directory)", "-", countFacts(out.input), expectation{}, out, t.Failed()))
	})
	t.Log("\n" + table(rows))
}

func compare(t *testing.T, exp expectation, got counts, out outcome) {
	t.Helper()
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"GitHub OIDC trusts", got.oidc, exp.OIDCRoles},
		{"other roles", got.other, exp.OtherRoles},
		{"permission policies", got.policies, exp.Policies},
		{"secrets", got.secrets, exp.Secrets},
	} {
		if c.got < c.want {
			t.Errorf("%s judged: %d, counted by hand: %d", c.what, c.got, c.want)
		}
	}
	for _, e := range out.report.Inputs.Errors {
		if !exp.expected(e) {
			t.Errorf("input error on valid input (a false \"could not read\"): %s:%d: %s", e.File, e.Line, e.Message)
		}
	}
	if !slices.Contains(exp.ExitCodes, out.exit) {
		t.Errorf("exit code %d, want one of %v", out.exit, exp.ExitCodes)
	}
	for _, v := range exp.Roles {
		for _, rule := range v.Require {
			if !reported(out.report, rule, v.Match) {
				t.Errorf("%s not reported for %q (%s)", rule, v.Match, v.Verdict)
			}
		}
		for _, rule := range v.Forbid {
			if reported(out.report, rule, v.Match) {
				t.Errorf("%s reported for %q, but %s", rule, v.Match, v.Verdict)
			}
		}
	}
	if exp.NotJudged != "" {
		if !bytes.Contains(out.raw, []byte(exp.NotJudged)) {
			t.Errorf("the report does not say the code is not judged until %q runs", exp.NotJudged)
		}
		for _, fam := range judgedFamilies {
			if c, ok := checkOf(out.report, fam); ok && c.Status == result.StatusOK {
				t.Errorf("check %s is %q although the infrastructure code was not judged", fam, c.Status)
			}
		}
	}
}

func newRow(repo, iac string, got counts, exp expectation, out outcome, failed bool) row {
	var judged []string
	for _, fam := range judgedFamilies {
		c, _ := checkOf(out.report, fam)
		judged = append(judged, fmt.Sprintf("%s %d", fam, c.Resources))
	}
	byRule := map[string]int{}
	for _, f := range out.report.Findings {
		byRule[f.Rule]++
	}
	rules := make([]string, 0, len(byRule))
	for r, n := range byRule {
		rules = append(rules, fmt.Sprintf("%s×%d", r, n))
	}
	slices.Sort(rules)
	findings := strings.Join(rules, " ")
	if findings == "" {
		findings = "-"
	}
	judgedText := fmt.Sprintf("oidc %d/%d other %d/%d pol %d/%d sec %d/%d; %s; errors %d",
		got.oidc, exp.OIDCRoles, got.other, exp.OtherRoles, got.policies, exp.Policies, got.secrets, exp.Secrets,
		strings.Join(judged, " "), len(out.report.Inputs.Errors))
	status := "as expected"
	if failed {
		status = "FAIL"
	}
	return row{repo: repo, iac: iac, judged: judgedText, findings: findings, exit: out.exit, took: out.took, status: status}
}

func table(rows []row) string {
	var b strings.Builder
	fmt.Fprintln(&b, "| repository | IaC | judged (got/hand count; check resources; input errors) | findings | exit | time | result |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %.1fs | %s |\n", r.repo, r.iac, r.judged, r.findings, r.exit, r.took.Seconds(), r.status)
	}
	return b.String()
}
