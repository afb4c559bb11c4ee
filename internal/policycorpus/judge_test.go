package policycorpus

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

	"github.com/secretgate/secretgate/internal/cli"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
)

// The context a trust case is judged in. A trust policy alone says who can
// assume a role, not what the role can do, and secretgate reports an
// exposure only where it matters (a production or powerful role). Each
// trust case is therefore judged as the trust policy of a role with
// AdministratorAccess attached — the role a reviewer worries about — so
// every exposure the policy has is reported. The role's name carries no
// environment token, so power alone makes it sensitive.
const (
	caseAccount  = "123456789012"
	adminARN     = "arn:aws:iam::aws:policy/AdministratorAccess"
	contextRules = "iam-broad-managed-policy" // reported on the judging role itself, not on the case
)

// verdict is what secretgate said about one case.
type verdict struct {
	rules    map[string][]result.Severity // rule id -> severities of its findings
	exposure string                       // trust cases
	power    string                       // permission cases
	hygiene  []string
	problems []string // input problems on the case's file
	// nobody: the trust analysis behind the trust findings found no
	// GitHub workflow that can assume the role through any statement.
	nobody bool
}

// fired says whether rule reported anything on the case.
func (v verdict) fired(rule string) bool { return len(v.rules[rule]) > 0 }

// caseFile is the name a case is judged under, in the judging directory.
func caseFile(l label) string { return l.ID + ".json" }

// writeCases writes every case into dir the way it is judged: a permission
// policy verbatim (a standalone policy document), a trust policy verbatim
// inside an IAM GetRole response naming the judging role (trust context
// above). The policy's bytes are kept as they are, duplicate keys included.
func writeCases(t *testing.T, dir string, labels []label) {
	t.Helper()
	for _, l := range labels {
		raw, err := os.ReadFile(filepath.Join("testdata", "cases", l.File))
		if err != nil {
			t.Fatalf("case %s: %v", l.ID, err)
		}
		if !json.Valid(raw) {
			t.Fatalf("case %s: %s is not JSON", l.ID, l.File)
		}
		out := raw
		if l.Kind == "trust" {
			name := "corpus-case-" + strings.ReplaceAll(l.ID, "_", "-")
			out = fmt.Appendf(nil, `{"Role": {"RoleName": %q, "Path": "/corpus/", "Arn": "arn:aws:iam::%s:role/corpus/%s",
"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": %q}],
"AssumeRolePolicyDocument": %s}}
`, name, caseAccount, name, adminARN, bytes.TrimSpace(raw))
		}
		if err := os.WriteFile(filepath.Join(dir, caseFile(l)), out, 0o600); err != nil {
			t.Fatalf("write case %s: %v", l.ID, err)
		}
	}
}

// judgeAll runs secretgate check offline once over every case and returns
// each case's verdict by id.
func judgeAll(t *testing.T, labels []label) map[string]*verdict {
	t.Helper()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "cases")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeCases(t, dir, labels)
	reportPath, inputPath := filepath.Join(tmp, "report.json"), filepath.Join(tmp, "input.json")
	args := []string{"check", "--path", dir, "--offline", "--format", "json", "--output", reportPath,
		"--write-input", inputPath, "--cache-dir", filepath.Join(tmp, "cache"), "--only", "iam,trust"}
	var stdout, stderr bytes.Buffer
	err := cli.Run(context.Background(), args, &stdout, &stderr, func(string) string { return "" })
	var ee *cli.ExitError
	if err != nil && (!errors.As(err, &ee) || ee.Code == result.ExitUsage) {
		t.Fatalf("secretgate check: %v\n%s", err, stderr.String())
	}
	var report result.Report
	readJSON(t, reportPath, &report)
	var input map[string]any
	readJSON(t, inputPath, &input)

	byFile := map[string]*verdict{}
	byID := map[string]*verdict{}
	for _, l := range labels {
		v := &verdict{rules: map[string][]result.Severity{}}
		byFile[caseFile(l)], byID[l.ID] = v, v
	}
	for _, f := range report.Findings {
		v, ok := byFile[f.File]
		if !ok {
			t.Errorf("finding %s on %q, which is no case's file: %s", f.Rule, f.File, f.Message)
			continue
		}
		v.rules[f.Rule] = append(v.rules[f.Rule], f.Severity)
	}
	for _, p := range report.Inputs.Errors {
		if v, ok := byFile[p.File]; ok {
			v.problems = append(v.problems, p.Message)
		} else {
			t.Errorf("input problem outside the cases: %s: %s", p.File, p.Message)
		}
	}
	engine, err := policy.Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("load policies: %v", err)
	}
	powersByFile := documentPowers(t, engine, input)
	nobodyByFile := unusable(t, engine, input)
	github := githubTrusts(input)
	for _, l := range labels {
		v := byID[l.ID]
		delete(v.rules, contextRules)
		v.hygiene = hygieneOf(v)
		switch l.Kind {
		case "trust":
			v.nobody = nobodyByFile[caseFile(l)]
			v.exposure = exposureOf(v, github[caseFile(l)])
		case "permission":
			p, ok := powersByFile[caseFile(l)]
			if !ok {
				p = "(not read as a permission policy)"
			}
			v.power = p
		}
	}
	return byID
}

func readJSON(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}

// documentPowers asks the policy engine for the power of each permission
// policy of the input, by file: the class policies/lib/power.rego gives a
// role holding only that document (its strongest statement, less what
// the document's own unconditional Deny statements remove when nothing
// left can undo them), the same function the trust rules combine with
// exposure.
func documentPowers(t *testing.T, engine *policy.Engine, input map[string]any) map[string]string {
	t.Helper()
	const query = `{p.file: data.secretgate.lib.power.role_power({}, [p]).class | some p in input.policies}`
	got, err := engine.Eval(context.Background(), query, input)
	if err != nil {
		t.Fatalf("evaluate power: %v", err)
	}
	m, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("power query returned %T, want an object", got)
	}
	out := map[string]string{}
	for file, class := range m {
		out[file], _ = class.(string)
	}
	return out
}

// unusable says, by file, which roles the trust rules' own analysis
// (data.secretgate.rules.trust.analyses, the evaluation every trust
// finding and explain-trust derive from) finds no workflow can assume:
// every analysed statement is unusable. A role nobody can assume is
// broken whatever finding words it.
func unusable(t *testing.T, engine *policy.Engine, input map[string]any) map[string]bool {
	t.Helper()
	const query = `{r.file: [a.usable | some a in data.secretgate.rules.trust.analyses; a.role.id == r.id] | some r in input.roles}`
	got, err := engine.Eval(context.Background(), query, input)
	if err != nil {
		t.Fatalf("evaluate trust analyses: %v", err)
	}
	m, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("trust analysis query returned %T, want an object", got)
	}
	out := map[string]bool{}
	for file, list := range m {
		usable, _ := list.([]any)
		out[file] = len(usable) > 0 && !slices.Contains(usable, any(true))
	}
	return out
}

// githubTrusts says, by file, whether a role's trust policy names GitHub's
// OIDC provider (as a Federated principal or in a condition key): with no
// exposure reported, such a role is pinned; any other is an other-principal
// trust.
func githubTrusts(input map[string]any) map[string]bool {
	out := map[string]bool{}
	roles, _ := input["roles"].([]any)
	for _, r := range roles {
		role, _ := r.(map[string]any)
		file, _ := role["file"].(string)
		b, _ := json.Marshal(role["trust"])
		out[file] = bytes.Contains(bytes.ToLower(b), []byte("token.actions.githubusercontent.com"))
	}
	return out
}

// exposureRules are the rules whose firing means each exposure, broadest
// first; the first that fires is the case's exposure.
var exposureRules = []struct {
	class string
	rules []string
}{
	{"public", []string{"trust-public-principal"}},
	{"any-org", []string{"trust-oidc-any-org", "trust-oidc-forgeable-subject"}},
	{"org-any-repo", []string{"trust-oidc-whole-org"}},
	{"pull-request", []string{"trust-oidc-prod-pull-request"}},
	{"any-branch", []string{"trust-oidc-prod-unpinned"}},
}

// subMissing is any-org when it is the only thing said about a statement
// with no sub condition at all (reported at the role's exposure severity);
// at severity low it is a note that other claims (repository_owner,
// repository) pin the workflow instead, and the exposure is theirs.
const subMissing = "trust-oidc-sub-missing"

// neverMatches are the hygiene rules on condition keys no token carries;
// at severity low they say the condition never matches, so no token can
// assume the role through the statement (policies/trust/hygiene.rego). The
// trust analysis leaves such keys to them and does not count the statement
// unusable itself.
var neverMatches = []string{"trust-oidc-condition-unknown-claim", "trust-oidc-condition-provider-mismatch"}

// exposureOf maps a trust case's findings to its exposure class.
func exposureOf(v *verdict, github bool) string {
	for _, e := range exposureRules {
		for _, r := range e.rules {
			if v.fired(r) {
				return e.class
			}
		}
		if e.class == "any-org" && slices.ContainsFunc(v.rules[subMissing], func(s result.Severity) bool { return s > result.SeverityLow }) {
			return e.class
		}
	}
	if v.nobody {
		return "broken"
	}
	for _, r := range neverMatches {
		if slices.Contains(v.rules[r], result.SeverityLow) {
			return "broken"
		}
	}
	if github {
		return "pinned"
	}
	return "other-principal"
}

// hygieneOf lists the hygiene classes whose rules fired.
func hygieneOf(v *verdict) []string {
	var out []string
	for _, name := range hygieneNames() {
		for _, r := range hygieneClasses[name] {
			if v.fired(r) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}
