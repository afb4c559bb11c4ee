package actiontest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"gopkg.in/yaml.v3"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/trackissue"
)

// The organisation workflow's files (docs/examples/workflows), as a user
// copies them into .github/workflows.
const (
	orgWorkflow       = "secretgate-organization.yml"
	orgCallerWorkflow = "secretgate-organization-nightly.yml"
	orgHubRole        = "arn:aws:iam::" + iamAccount + ":role/secretgate-hub"
)

// TestActOrganizationWorkflow runs the reusable organisation workflow
// through its nightly caller (docs/examples/workflows) with act, twice —
// two nights — against an emulated AWS Organization: kumo in the test
// process serves Organizations (the accounts), STS (the hub assumed with
// the job's OIDC token from a stand-in of the Actions runtime, each
// account's spoke chained from it) and each account's IAM and Secrets
// Manager (one kumo plays every account: docs/organizations.md, "How it
// is tested"). GitHub's REST API is prcommenttest's stand-in; artifacts
// and the cache are the stand-ins under testdata/actions.
//
// Night 1: setup lists the accounts into the matrix, one check job per
// shard, the merge; one account refuses the spoke role, so it is not
// judged and the run is incomplete; the tracking issue is created; the
// merged findings equal those of `secretgate check --organization` in one
// process over the same organisation.
//
// Night 2: a secret was renamed; the matrix is balanced by night 1's
// costs (the cache handed the merged report over), one shard's artifact is
// lost, and the merge names exactly the refused account and that shard's
// account as not judged; the same issue is edited with the trend — new,
// fixed, still open, and not re-checked for the lost shard's account.
func TestActOrganizationWorkflow(t *testing.T) {
	actBin := needAct(t)
	org := newEmulatedOrganization(t)
	gh := prcommenttest.New("", "write-token")
	t.Cleanup(gh.Close)
	repo := newOrgRepository(t)
	cache := t.TempDir()

	// Night 1.
	start := time.Now()
	n1 := actOrgRun(t, actBin, repo, org, gh, cache, orgNight{runID: "101"})
	t.Logf("night 1: act ran the organisation workflow in %s", time.Since(start).Round(time.Second))
	n1.assertNoCanary(t, org)
	if n1.exit == 0 || n1.verdict != "3" || !strings.HasPrefix(n1.issueURL, "https://github.com/acme/payments/issues/") {
		t.Errorf("night 1: act exit %d, merged verdict %q, issue %q; want the merge job to fail with 3 (an account not judged) and name the issue", n1.exit, n1.verdict, n1.issueURL)
	}
	m1 := n1.merged(t)
	status := accountStatuses(m1)
	if len(status) != len(org.accounts) {
		t.Fatalf("night 1: %d accounts in the merged report, want the organisation's %d: %v", len(status), len(org.accounts), status)
	}
	for _, id := range org.accounts {
		want := result.AccountJudged
		if id == org.refused {
			want = result.AccountNotJudged
		}
		if status[id].Status != want {
			t.Errorf("night 1: account %s is %s (%s), want %s", id, status[id].Status, status[id].Reason, want)
		}
	}
	if r := status[org.refused].Reason; !strings.Contains(r, "AccessDenied") || !strings.Contains(r, org.refused+":role/secretgate-read") {
		t.Errorf("night 1: the refused account's reason %q does not name the role and the refusal", r)
	}
	if !m1.Summary.Incomplete || m1.Merge == nil || m1.Merge.Reports != n1.shards || len(m1.Merge.MissingShards) != 0 {
		t.Errorf("night 1: summary %+v, merge %+v; want incomplete with every shard's report", m1.Summary, m1.Merge)
	}
	if n1.matrixBalanced {
		t.Errorf("night 1: the matrix has costs (%s) though there was no previous night", n1.matrix)
	}
	if n1.shards < 2 {
		t.Errorf("night 1: %d shards; want the accounts fanned out", n1.shards)
	}
	for _, id := range org.judged() {
		if !slices.ContainsFunc(m1.Findings, func(f result.Finding) bool { return f.Account == id && f.Resource == "Legacy_Key_A" }) {
			t.Errorf("night 1: no finding on Legacy_Key_A in account %s", id)
		}
	}
	// The same organisation checked in one process gives the same findings.
	in := org.checkInProcess(t, repo)
	if got, want := findingKeys(m1), findingKeys(in); !slices.Equal(got, want) {
		t.Errorf("night 1: the matrix run's findings differ from the in-process run's:\n matrix     %v\n in-process %v", got, want)
	}
	if m1.Summary != in.Summary {
		t.Errorf("night 1: summary %+v, in-process %+v", m1.Summary, in.Summary)
	}
	issues := gh.Issues("acme/payments")
	marker, _ := trackissue.Marker("secretgate-org")
	if len(issues) != 1 || issues[0].State != "open" || !strings.HasPrefix(issues[0].Body, marker+"\n") {
		t.Fatalf("night 1: issues %+v; want one open tracking issue", issues)
	}
	if !strings.Contains(issues[0].Body, org.refused) || !strings.Contains(issues[0].Body, "`secretgate-org-report` artifact") {
		t.Errorf("night 1: the issue body does not name the refused account or the report's artifact:\n%s", issues[0].Body)
	}

	// Night 2: Legacy_Key_A renamed to Legacy_Key_C; the artifact of a
	// judged account's shard is lost.
	org.renameSecret(t, "Legacy_Key_A", "Legacy_Key_C")
	lostShard, lostAccount := org.shardOf(t, repo, n1.mergedPath, org.judged()[0])
	start = time.Now()
	n2 := actOrgRun(t, actBin, repo, org, gh, cache, orgNight{runID: "102", lose: "secretgate-org-shard-" + lostShard})
	t.Logf("night 2: act ran the organisation workflow in %s", time.Since(start).Round(time.Second))
	n2.assertNoCanary(t, org)
	m2 := n2.merged(t)
	status = accountStatuses(m2)
	var notJudged []string
	for id, a := range status {
		if a.Status != result.AccountJudged {
			notJudged = append(notJudged, id)
		}
	}
	slices.Sort(notJudged)
	want := []string{org.refused, lostAccount}
	slices.Sort(want)
	if !slices.Equal(notJudged, want) {
		t.Errorf("night 2: not judged %v, want exactly the refused account and the lost shard's %v", notJudged, want)
	}
	if r := status[lostAccount].Reason; !strings.Contains(r, "no report of shard "+lostShard) {
		t.Errorf("night 2: the lost shard's account's reason %q does not name shard %s", r, lostShard)
	}
	if m2.Merge == nil || len(m2.Merge.MissingShards) != 1 || !m2.Summary.Incomplete {
		t.Errorf("night 2: merge %+v, summary %+v; want shard %s missing and the run incomplete", m2.Merge, m2.Summary, lostShard)
	}
	tr := m2.Trend
	// Each judged account but the lost one: Legacy_Key_A's findings
	// fixed, Legacy_Key_C's as many new, Legacy_Key_B's still open.
	perSecret, lostOpen := 0, 0
	for _, f := range m1.Findings {
		if f.Account == lostAccount && !f.Waived {
			lostOpen++
		}
		if f.Account == lostAccount && f.Resource == "Legacy_Key_A" {
			perSecret++
		}
	}
	judgedNow := perSecret * (len(org.judged()) - 1)
	if perSecret == 0 || tr == nil || tr.New != judgedNow || tr.Fixed != judgedNow || tr.NotRechecked != lostOpen || tr.StillOpen < judgedNow || len(tr.History) != 2 {
		t.Fatalf("night 2: trend %+v; want %d new (Legacy_Key_C), %d fixed (Legacy_Key_A), %d not re-checked (the lost shard's account), the rest still open, two nights", tr, judgedNow, judgedNow, lostOpen)
	}
	for _, f := range tr.FixedFindings {
		if f.Resource != "Legacy_Key_A" {
			t.Errorf("night 2: fixed %+v, want Legacy_Key_A only", f)
		}
	}
	issues = gh.Issues("acme/payments")
	if len(issues) != 1 || issues[0].Edits != 1 || issues[0].State != "open" {
		t.Fatalf("night 2: issues %+v; want the one issue edited once", issues)
	}
	for _, want := range []string{"xychart-beta", "Legacy_Key_C", lostAccount, "no report of shard " + lostShard} {
		if !strings.Contains(issues[0].Body, want) {
			t.Errorf("night 2: the issue body lacks %q:\n%s", want, issues[0].Body)
		}
	}
	trendLine := fmt.Sprintf("%d new, %d fixed, %d still open, %d not re-checked", tr.New, tr.Fixed, tr.StillOpen, tr.NotRechecked)
	if !strings.Contains(issues[0].Body, trendLine) {
		t.Errorf("night 2: the issue body does not show the trend (%s):\n%s", trendLine, issues[0].Body)
	}
	if !strings.Contains(n2.summary, "xychart-beta") {
		t.Errorf("night 2: the merge job's summary has no trend chart:\n%s", n2.summary)
	}
	if !n2.matrixBalanced {
		t.Errorf("night 2: the matrix was not balanced by night 1's costs (no cost_ms above 1 in %s)", n2.matrix)
	}
}

// needAct is act, or a skip (a failure when CI is set).
func needAct(t *testing.T) string {
	t.Helper()
	actBin, err := toolPath(t, "act")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("act not found and CI is set: make tools installs it (.ci/run runs it); %v", err)
		}
		t.Skipf("act not found (run make tools); CI runs this test: %v", err)
	}
	return actBin
}

// emulatedOrganization is kumo with an AWS Organization of accounts, the
// hub role, and each account's data (one kumo plays every account).
type emulatedOrganization struct {
	em       *awstest.Emulator
	rt       *awstest.ActionsRuntime
	accounts []string // every active account, sorted
	refused  string   // the account whose spoke role refuses the hub
	canaries []string
}

func newEmulatedOrganization(t *testing.T) *emulatedOrganization {
	t.Helper()
	em := awstest.Start(t)
	ctx := context.Background()
	api := organizations.NewFromConfig(em.Config(t))
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"payments", "data", "sandbox"} {
		if _, err := api.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	listed, err := api.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	o := &emulatedOrganization{em: em}
	for _, a := range listed.Accounts {
		o.accounts = append(o.accounts, aws.ToString(a.Id))
	}
	slices.Sort(o.accounts)
	if len(o.accounts) < 3 {
		t.Fatalf("kumo lists %d accounts, want at least 3", len(o.accounts))
	}
	// Not the management account: it holds the hub role, which the
	// in-process run assumes with sts:AssumeRole.
	o.refused = slices.DeleteFunc(slices.Clone(o.accounts), func(id string) bool { return id == iamAccount })[0]
	em.SetFaults(func(c awstest.Call) awstest.Fault {
		if c.Action == "AssumeRole" && strings.Contains(c.Body, o.refused) {
			return awstest.Fault{Status: 403, Code: "AccessDenied"}
		}
		return awstest.Fault{}
	})
	em.CreateGitHubProvider(t)
	em.CreateRole(t, awstest.Role{Name: "secretgate-hub", Trust: awstest.GitHubTrust(iamAccount, "repo:acme/payments:ref:refs/heads/main")})
	// Two badly named secrets (naming findings), with canary values no
	// output may show.
	for _, name := range []string{"Legacy_Key_A", "Legacy_Key_B"} {
		v := "canary-value-" + name + "-7f3a9c"
		o.canaries = append(o.canaries, v)
		em.CreateSecret(t, name, v, nil)
	}
	claims := awstest.GitHubClaims("acme", "payments", "refs/heads/main")
	claims["event_name"] = "workflow_dispatch"
	o.rt = awstest.NewActionsRuntime(t, claims)
	return o
}

// judged is the accounts whose role is not refused.
func (o *emulatedOrganization) judged() []string {
	return slices.DeleteFunc(slices.Clone(o.accounts), func(id string) bool { return id == o.refused })
}

// renameSecret deletes old and creates new with a fresh canary value.
func (o *emulatedOrganization) renameSecret(t *testing.T, old, new string) {
	t.Helper()
	sm := secretsmanager.NewFromConfig(o.em.Config(t))
	if _, err := sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(old), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	v := "canary-value-" + new + "-7f3a9c"
	o.canaries = append(o.canaries, v)
	o.em.CreateSecret(t, new, v, nil)
}

// checkInProcess is `secretgate check --organization` over the same
// organisation in one process (the hub assumed with the emulator's
// credentials instead of an OIDC token).
func (o *emulatedOrganization) checkInProcess(t *testing.T, repo string) result.Report {
	t.Helper()
	file := filepath.Join(t.TempDir(), "org.json")
	env := append(o.em.Env(), "GITHUB_ACTIONS=", "GITHUB_REPOSITORY=")
	out, code := run(t, repo, env, secretgateBinary(t), "check", "--organization", "--mode", "nightly", "--path", repo,
		"--skip", "leaks", "--format", "json", "--output", file, "-q")
	if code != 3 {
		t.Fatalf("in-process check --organization: exit %d, want 3 (an account not judged; no finding at or above high)\n%s", code, out)
	}
	var rep result.Report
	if err := json.Unmarshal([]byte(readOr(t, file, "")), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// shardOf predicts night 2's matrix — the same accounts balanced by night
// 1's merged report, as the setup job will compute it — and returns the
// shard holding account and that shard's only account.
func (o *emulatedOrganization) shardOf(t *testing.T, repo, previous, account string) (shard, only string) {
	t.Helper()
	out, code := run(t, repo, nil, secretgateBinary(t), "matrix", "--accounts", strings.Join(o.accounts, ","), "--previous", previous, "--max-jobs", "64")
	if code != 0 {
		t.Fatalf("secretgate matrix: exit %d\n%s", code, out)
	}
	var m struct {
		Include []struct {
			Shard    int    `json:"shard"`
			Accounts string `json:"accounts"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Include {
		if strings.Contains(s.Accounts, account) {
			if s.Accounts != account {
				t.Fatalf("shard %d holds %s; want one account per shard", s.Shard, s.Accounts)
			}
			return strconv.Itoa(s.Shard), account
		}
	}
	t.Fatalf("no shard holds %s: %s", account, out)
	return "", ""
}

// newOrgRepository is a copy of this repository (the action builds from
// it) with the organisation's configuration and the two workflows in
// .github/workflows, edited to run here: the repository copied into each
// job's empty workspace, this checkout's action (./), the emulator's hub
// role and region, and a last job that hands the results to the test.
func newOrgRepository(t *testing.T) string {
	t.Helper()
	pr := newPRRepository(t)
	b, err := os.ReadFile(filepath.Join(pr.dir, ".secretgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), "repositories: [secretgate/secretgate]", "repositories: [secretgate/secretgate, acme/payments]", 1)
	cfg += "aws:\n  regions: [" + awstest.Region + "]\n  role_arn: " + orgHubRole + "\n  organization:\n    role_name: secretgate-read\n    external_id: acme-secretgate\n"
	wfDir := filepath.Join(pr.dir, ".github", "workflows")
	writeJSONOrYAML(t, filepath.Join(wfDir, orgWorkflow), orgTestWorkflow(t))
	writeJSONOrYAML(t, filepath.Join(wfDir, orgCallerWorkflow), orgTestCaller(t))
	pr.commit(t, "main", "", map[string]string{".secretgate.yml": cfg})
	return pr.dir
}

func readWorkflow(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs/examples/workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var wf map[string]any
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	return wf
}

var copyStep = map[string]any{"name": "Copy the repository under test into the workspace", "run": `cp -a "$SRC/." "$GITHUB_WORKSPACE"`}

// orgTestWorkflow is the reusable workflow with the repository copied
// into every job's workspace and the action taken from it (./).
func orgTestWorkflow(t *testing.T) map[string]any {
	t.Helper()
	wf := readWorkflow(t, orgWorkflow)
	for name, j := range wf["jobs"].(map[string]any) {
		job := j.(map[string]any)
		steps := []any{copyStep}
		replaced := false
		for _, s := range job["steps"].([]any) {
			st := s.(map[string]any)
			uses, _ := st["uses"].(string)
			switch {
			case strings.HasPrefix(uses, "actions/checkout@"):
				continue // act skips it; the copy step stands in
			case strings.HasPrefix(uses, "secretgate/secretgate@"):
				st["uses"] = "./"
				replaced = true
			}
			steps = append(steps, st)
		}
		if !replaced {
			t.Fatalf("job %s of %s does not use secretgate/secretgate", name, orgWorkflow)
		}
		if name == "merge" {
			// act runs no job after a failed called workflow, so the
			// merge job itself hands the verdict over, before its last
			// step (the verdict) ends it.
			last := len(steps) - 1
			if steps[last].(map[string]any)["name"] != "Verdict" {
				t.Fatalf("the merge job no longer ends with its Verdict step")
			}
			handoff := map[string]any{
				"name": "Hand the verdict to the test",
				"if":   "always()",
				"env":  map[string]any{"CODE": "${{ steps.merge.outputs.exit-code }}", "ISSUE": "${{ steps.issue.outputs.issue-url }}"},
				"run":  `printf '%s' "$CODE" >"$OUT/exit-code"; printf '%s' "$ISSUE" >"$OUT/issue-url"`,
			}
			steps = append(steps[:last], handoff, steps[last])
		}
		job["steps"] = steps
	}
	return wf
}

// orgTestCaller is the caller with the emulator's hub role and region.
func orgTestCaller(t *testing.T) map[string]any {
	t.Helper()
	wf := readWorkflow(t, orgCallerWorkflow)
	sg := wf["jobs"].(map[string]any)["secretgate"].(map[string]any)
	if sg["uses"] != "./.github/workflows/"+orgWorkflow {
		t.Fatalf("the caller does not call ./.github/workflows/%s: %v", orgWorkflow, sg["uses"])
	}
	with := sg["with"].(map[string]any)
	with["hub-role-arn"] = orgHubRole
	with["regions"] = awstest.Region
	return wf
}

type orgNight struct {
	runID string
	lose  string // the artifact the upload stand-in loses
}

type orgResult struct {
	*actResult
	mergedPath     string
	verdict        string // the merge step's exit code
	issueURL       string // the issue step's issue-url output
	shards         int
	matrix         string
	matrixBalanced bool // a shard's cost came from the previous night
}

// actOrgRun runs the caller once (workflow_dispatch) with act.
func actOrgRun(t *testing.T, actBin, repo string, o *emulatedOrganization, gh *prcommenttest.Server, cache string, n orgNight) *orgResult {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "docs/examples/workflows", orgWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	local := func(action, dir string) string {
		return action + "@" + regexpPinIn(t, raw, action) + "=" + filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions", dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, actBin, "workflow_dispatch",
		"-W", filepath.Join(repo, ".github", "workflows", orgCallerWorkflow),
		"-P", "ubuntu-latest=-self-hosted",
		"--json", "--no-cache-server", "--actor", "dev",
		"--local-repository", local("actions/upload-artifact", "upload-artifact"),
		"--local-repository", local("actions/download-artifact", "download-artifact"),
		"--local-repository", "actions/cache@"+actionPin(t, "actions/cache/restore")+"="+filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/cache-store"),
		"--local-repository", "actions/setup-go@"+actionPin(t, "actions/setup-go")+"="+filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/setup-go"),
		"--env", "SRC="+repo, "--env", "OUT="+out, "--env", "ARTIFACTS="+filepath.Join(out, "artifact"),
		"--env", "CACHE="+cache, "--env", "LOSE_ARTIFACT="+n.lose,
		"--env", "GITHUB_RUN_ID="+n.runID,
		"--env", "GITHUB_API_URL="+gh.APIURL(),
		"--env", "ACTIONS_ID_TOKEN_REQUEST_URL="+o.rt.URL,
		"--env", "ACTIONS_ID_TOKEN_REQUEST_TOKEN="+o.rt.RequestToken,
		"--env", "AWS_ENDPOINT_URL="+o.em.URL,
		"--env", "AWS_EC2_METADATA_DISABLED=true",
		"--env", "AWS_CONFIG_FILE=/dev/null",
		"--env", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"-s", "GITHUB_TOKEN=write-token")
	cmd.Dir = repo
	cmd.Env = actEnv()
	b, err := cmd.CombinedOutput()
	r := &orgResult{actResult: &actResult{log: string(b), out: out}}
	if err != nil {
		r.exit = exitCode(t, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("act did not finish in time:\n%s", r.tail())
	}
	r.verdict, r.issueURL = readOr(t, filepath.Join(out, "exit-code"), ""), readOr(t, filepath.Join(out, "issue-url"), "")
	if r.verdict == "" {
		t.Fatalf("the merge job gave no verdict (act exit %d):\n%s", r.exit, r.tail())
	}
	r.mergedPath = filepath.Join(out, "artifact", "secretgate-org-report", "merged.json")
	r.matrix = readOr(t, filepath.Join(out, "artifact", "secretgate-org-matrix", "matrix.json"), "")
	var m struct {
		Include []struct {
			CostMS int64 `json:"cost_ms"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(r.matrix), &m); err != nil {
		t.Fatalf("matrix artifact: %v\n%s", err, r.tail())
	}
	r.shards = len(m.Include)
	for _, s := range m.Include {
		if s.CostMS > 1 {
			r.matrixBalanced = true
		}
	}
	for _, ev := range r.events() {
		if ev.Command == "summary" && strings.Contains(ev.Content, "secretgate") {
			r.summary += ev.Content
		}
	}
	return r
}

// regexpPinIn is the SHA a workflow's text pins action at.
func regexpPinIn(t *testing.T, wf []byte, action string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(action) + `@([0-9a-f]{40})`).FindSubmatch(wf)
	if m == nil {
		t.Fatalf("the workflow does not pin %s", action)
	}
	return string(m[1])
}

func (r *orgResult) merged(t *testing.T) result.Report {
	t.Helper()
	var rep result.Report
	if err := json.Unmarshal([]byte(readOr(t, r.mergedPath, "")), &rep); err != nil {
		t.Fatalf("merged report: %v\n%s", err, r.tail())
	}
	return rep
}

// assertNoCanary: no secret value, OIDC token or runtime request token in
// act's log, the artifacts or the GitHub calls.
func (r *orgResult) assertNoCanary(t *testing.T, o *emulatedOrganization) {
	t.Helper()
	canaries := append(append(slices.Clone(o.canaries), o.rt.Tokens()...), o.rt.RequestToken)
	places := map[string]string{"act log": r.log}
	_ = filepath.WalkDir(filepath.Join(r.out, "artifact"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			places[p] = readOr(t, p, "")
		}
		return nil
	})
	for place, text := range places {
		for _, c := range canaries {
			if c != "" && strings.Contains(text, c) {
				t.Errorf("a canary appears in %s", place)
			}
		}
	}
}

func accountStatuses(r result.Report) map[string]result.Account {
	m := map[string]result.Account{}
	for _, a := range r.Accounts {
		m[a.ID] = a
	}
	return m
}

func findingKeys(r result.Report) []string {
	var ks []string
	for _, f := range r.Findings {
		ks = append(ks, result.FindingKey(f)+" "+f.Rule+" "+f.Severity.String())
	}
	slices.Sort(ks)
	return ks
}
