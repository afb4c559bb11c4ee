package actiontest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// The role the example workflow assumes and the emulator's IAM account.
const (
	exampleRole = "arn:aws:iam::123456789012:role/secretgate-pr"
	iamAccount  = "123456789012"
	stsAccount  = "000000000000" // kumo's sts:GetCallerIdentity
)

// liveAccount is the AWS side of the live run: kumo (behind awstest's
// counting proxy) seeded with the role the example workflow assumes,
// GitHub's OIDC provider, a production secret overdue for rotation, and
// the two credentials the pull request's .secretgate.yml requires: one
// that resolves (with an AWSPREVIOUS version for rollback) and one whose
// api_key is a placeholder. Every value is random and made here: the
// canaries.
type liveAccount struct {
	em       *awstest.Emulator
	canaries []string
}

func newLiveAccount(t *testing.T) *liveAccount {
	t.Helper()
	em := awstest.Start(t)
	rnd := func() string {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return "canary" + hex.EncodeToString(b)
	}
	a := &liveAccount{em: em}
	key, secret, ledger, phSecret := rnd(), rnd(), rnd(), rnd()
	a.canaries = []string{key, secret, ledger, phSecret}

	good := `{"api_key":"` + key + `","api_secret":"` + secret + `"}`
	em.CreateSecret(t, "prod/payments/api", good, nil)
	em.PutSecretValue(t, "prod/payments/api", good) // AWSPREVIOUS: rollback is possible
	em.CreateSecret(t, "dev/payments/api", `{"api_key":"changeme","api_secret":"`+phSecret+`"}`, nil)
	em.CreateSecret(t, "prod/ledger/api", `{"api_key":"`+ledger+`","api_secret":"`+ledger+`"}`, nil)
	// kumo stamps secrets with their creation time; the ledger's key
	// reads as 400 days old, beyond prod's rotation limit.
	em.Backdate("prod/ledger/api", 400*24*time.Hour)

	em.CreateGitHubProvider(t)
	em.CreateRole(t, awstest.Role{
		Name:  "secretgate-pr",
		Trust: awstest.GitHubTrust(iamAccount, "repo:acme/payments:pull_request"),
		Inline: map[string]string{"read-metadata": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":["secretsmanager:ListSecrets","iam:GetRole","iam:ListRoles","iam:ListRolePolicies","iam:GetRolePolicy","iam:ListAttachedRolePolicies"],"Resource":"*"}]}`},
	})
	return a
}

// liveConfig is the base's .secretgate.yml: the repository's own,
// trusting acme/payments (the role's trust names it), with the credentials
// the application needs.
func liveConfig(t *testing.T, pr *prRepository) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pr.dir, ".secretgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), "repositories: [secretgate/secretgate]", "repositories: [secretgate/secretgate, acme/payments]", 1)
	if cfg == string(b) {
		t.Fatal("the repository's .secretgate.yml no longer lists github.repositories as the test expects")
	}
	return cfg + `credentials:
  - secret: prod/payments/api
    type: api
  - secret: dev/payments/api
    type: api
`
}

// runLive is the same-repository pull request with role-to-assume: act
// gets the Actions runtime's OIDC token endpoint and the emulator through
// --env, as a runner's job with id-token: write has them.
func runLive(t *testing.T, actBin string, pr *prRepository, gh *gitHubStub, base string) {
	t.Helper()
	acct := newLiveAccount(t)
	claims := awstest.GitHubClaims("acme", "payments", "refs/pull/9/merge")
	claims["sub"] = "repo:acme/payments:pull_request"
	claims["event_name"] = "pull_request"
	rt := awstest.NewActionsRuntime(t, claims)

	// The configuration is the base's (a pull request cannot choose its
	// own judge): it lands on main first, and the pull request builds on it.
	liveBase := pr.commit(t, "live-base", base, map[string]string{".secretgate.yml": liveConfig(t, pr)})
	head := pr.commit(t, "live", liveBase, map[string]string{"docs/live.md": "a change under review\n"})
	acct.em.ResetCalls()
	r := actRun(t, actBin, pr, gh, actCase{number: 9, base: liveBase, head: head, token: "write-token", live: true, env: []string{
		"ACTIONS_ID_TOKEN_REQUEST_URL=" + rt.URL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + rt.RequestToken,
		"AWS_ENDPOINT_URL=" + acct.em.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}})

	// No secret value, no OIDC token and not the runtime's request token
	// anywhere: act's log, outputs, summary, comment, reports, SARIF.
	if len(rt.Tokens()) == 0 {
		t.Fatalf("run 5 (live): no OIDC token was requested\n%s", r.tail())
	}
	r.assertNoCanary(t, append(append(acct.canaries, rt.Tokens()...), rt.RequestToken))

	if n := acct.em.CountActions()["sts:AssumeRoleWithWebIdentity"]; n != 1 {
		t.Errorf("run 5 (live): %d sts:AssumeRoleWithWebIdentity calls, want 1; calls: %s", n, acct.em.Summary())
	}
	if aud := rt.Audiences(); len(aud) != 1 || aud[0] != "sts.amazonaws.com" {
		t.Errorf("run 5 (live): OIDC token audiences %v, want [sts.amazonaws.com]", aud)
	}
	if !r.masked() {
		t.Errorf("run 5 (live): no ::add-mask:: for the session credentials in act's log")
	}

	var rep result.Report
	if err := json.Unmarshal([]byte(readOr(t, filepath.Join(r.out, "report.json"), "")), &rep); err != nil {
		t.Fatalf("run 5 (live): report.json: %v\n%s", err, r.tail())
	}
	// The account is the assumed session's sts:GetCallerIdentity: kumo's
	// STS answers 000000000000 whatever the role's ARN says.
	if rep.Context.RoleARN != exampleRole || rep.Context.Account != stsAccount || rep.Context.PullRequest != 9 {
		t.Errorf("run 5 (live): report context %+v, want role %s, account %s and pull request 9", rep.Context, exampleRole, stsAccount)
	}
	for _, c := range rep.Checks {
		if c.Status == result.StatusError || c.Status == result.StatusSkipped && c.ID != "leaks" {
			t.Errorf("run 5 (live): check %s is %s (%s%s); want every check run live", c.ID, c.Status, c.Reason, c.Error)
		}
	}
	want := map[string]string{ // rule -> resource the comment and summary must name
		"rotation-overdue":    "prod/ledger/api",
		"resolve-placeholder": "dev/payments/api",
	}
	found := map[string]bool{}
	for _, f := range rep.Findings {
		if want[f.Rule] != "" && strings.Contains(f.Resource+" "+f.Message, want[f.Rule]) {
			found[f.Rule] = true
		}
		if strings.HasPrefix(f.Rule, "resolve-") && strings.Contains(f.Resource+" "+f.Message, "prod/payments/api") {
			t.Errorf("run 5 (live): the credential that resolves has a finding: %s %s", f.Rule, f.Message)
		}
	}
	for rule, res := range want {
		if !found[rule] {
			t.Errorf("run 5 (live): no %s finding for %s in the report", rule, res)
		}
		for place, text := range map[string]string{"PR comment": strings.Join(r.comments, "\n"), "job summary": r.summary} {
			if !strings.Contains(text, rule) || !strings.Contains(text, res) {
				t.Errorf("run 5 (live): the %s lacks %s on %s", place, rule, res)
			}
		}
	}
	if len(r.comments) != 1 || !strings.HasPrefix(r.comments[0], report.Marker) {
		t.Errorf("run 5 (live): %d comments on #9, want the one secretgate comment", len(r.comments))
	}

	s := rep.Summary
	wantOut := map[string]string{
		"critical":   strconv.Itoa(s.Critical),
		"high":       strconv.Itoa(s.High),
		"medium":     strconv.Itoa(s.Medium),
		"low":        strconv.Itoa(s.Low),
		"info":       strconv.Itoa(s.Info),
		"failed":     strconv.FormatBool(s.Failed),
		"incomplete": "false",
	}
	r.assertOutputs(t, wantOut)
	if s.High < 1 {
		t.Errorf("run 5 (live): %d high findings, want the overdue prod secret counted", s.High)
	}
	wantCode, wantOutcome := "0", "success"
	if s.Failed {
		wantCode, wantOutcome = "1", "failure"
	}
	if r.outputs["exit-code"] != wantCode || r.outcome != wantOutcome {
		t.Errorf("run 5 (live): exit-code %q, outcome %q; the report says failed=%v", r.outputs["exit-code"], r.outcome, s.Failed)
	}
	if !strings.HasPrefix(r.outputs["comment-url"], "https://github.com/acme/payments/pull/9#issuecomment-") {
		t.Errorf("run 5 (live): comment-url %q", r.outputs["comment-url"])
	}
	sarif := readOr(t, filepath.Join(r.out, "uploaded.sarif"), "")
	if !strings.Contains(sarif, "rotation-overdue") {
		t.Errorf("run 5 (live): the uploaded SARIF has no rotation-overdue result")
	}
}

// masked says whether secretgate's check step registered a value with the
// runner's log masker.
func (r *actResult) masked() bool {
	for _, ev := range r.events() {
		if ev.Command == "add-mask" || strings.Contains(ev.Msg, "::add-mask::") {
			return true
		}
	}
	return false
}
