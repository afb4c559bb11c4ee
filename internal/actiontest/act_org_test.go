package actiontest

import (
	"bufio"
	"cmp"
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

	"gopkg.in/yaml.v3"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/awstest/orgemu"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/trackissue"
)

// The organisation workflow's files (docs/examples/workflows), as a user
// copies them into .github/workflows.
const (
	orgWorkflow       = "secretgate-organization.yml"
	orgCallerWorkflow = "secretgate-organization-nightly.yml"
	orgHubRole        = "arn:aws:iam::" + orgemu.HubAccount + ":role/secretgate-hub"
)

// orgRegions are the emulated organisation's regions, the caller's
// regions input.
var orgRegions = []string{"us-east-1", "eu-west-1"}

// actOrgSize is the organisation TestActOrganizationWorkflow runs
// against. By default a small one, so that CI stays quick; with
// SECRETGATE_ORG_SCALE=full the organisation of docs/organizations.md#scale
// (200 accounts × 2 regions × 500 secrets, 20 roles each;
// SECRETGATE_ORG_ACCOUNTS sizes it down), sharded into 16 jobs.
type actOrgSize struct {
	full    bool
	opts    orgemu.Options
	maxJobs int           // the caller's max-jobs (0: the workflow's default, 64)
	timeout time.Duration // one night under act
}

func actOrgSizeFromEnv(t *testing.T) actOrgSize {
	t.Helper()
	if os.Getenv("SECRETGATE_ORG_SCALE") != "full" {
		// Four accounts under the default max-jobs: one account a shard.
		return actOrgSize{opts: orgemu.Options{Accounts: 4, Regions: orgRegions, Secrets: 3, Roles: 1, OwnSecretEvery: 2}, timeout: 8 * time.Minute}
	}
	n := 200
	if s := os.Getenv("SECRETGATE_ORG_ACCOUNTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 4 {
			t.Fatalf("SECRETGATE_ORG_ACCOUNTS=%q: want a number of at least 4", s)
		}
	}
	// 16 jobs: the workflow's default max-parallel, so on Actions every
	// shard runs at once (about 13 accounts, tens of seconds each); act
	// runs as many jobs at once as the machine has CPUs, and each job
	// pays the repository copy and the secretgate build, so 16 jobs on
	// two cores keep that overhead a fraction of the night.
	return actOrgSize{full: true, opts: orgemu.Options{Accounts: n, Regions: orgRegions, Secrets: 500, Roles: 20, OwnSecretEvery: 10},
		maxJobs: min(16, n), timeout: 90 * time.Minute}
}

// TestActOrganizationWorkflow runs the reusable organisation workflow
// through its nightly caller (docs/examples/workflows) with act, twice —
// two nights — against an emulated AWS Organization (internal/awstest/orgemu:
// one kumo behind a router that gives each account its own view, lists the
// accounts and plays STS's refusals). The hub is assumed with the job's
// OIDC token from a stand-in of the Actions runtime (the router admits only
// the tokens it issued), each account's spoke is chained from it. GitHub's
// REST API is prcommenttest's stand-in; artifacts and the cache are the
// stand-ins under testdata/actions. Small by default; with
// SECRETGATE_ORG_SCALE=full it is the matrix run of
// docs/organizations.md#scale, and logs its figures.
//
// Night 1: setup lists the accounts into the matrix, one check job per
// shard, the merge; one account refuses the spoke role, so it is not
// judged and the run is incomplete; every other account is judged with the
// same number of AWS calls; the tracking issue is created; the merged
// findings equal those of `secretgate check --organization` in one process
// over the same organisation.
//
// Night 2: a secret was renamed in every account; the matrix is balanced by
// night 1's costs (the cache handed the merged report over), one shard's
// artifact is lost, and the merge names exactly the refused account and
// that shard's accounts as not judged; the same issue is edited with the
// trend — new, fixed, still open, and not re-checked for the lost shard.
func TestActOrganizationWorkflow(t *testing.T) {
	actBin := needAct(t)
	size := actOrgSizeFromEnv(t)
	org := newEmulatedOrganization(t, size)
	gh := prcommenttest.New("", "write-token")
	t.Cleanup(gh.Close)
	repo := newOrgRepository(t, size)
	cache := t.TempDir()
	t.Logf("an organisation of %d accounts × %d regions × %d secrets (%d roles each), up to %d jobs",
		len(org.accounts), len(size.opts.Regions), size.opts.Secrets, size.opts.Roles, cmp.Or(size.maxJobs, 64))

	// Night 1.
	n1 := actOrgRun(t, actBin, repo, org, gh, cache, size, orgNight{runID: "101"})
	calls := org.g.Calls()
	n1.logFigures(t, "night 1")
	n1.assertNoCanary(t, org, gh)
	m1 := n1.merged(t)
	status := accountStatuses(m1)
	if len(status) != len(org.accounts) {
		t.Fatalf("night 1: %d accounts in the merged report, want the organisation's %d", len(status), len(org.accounts))
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
	if want := min(len(org.accounts), cmp.Or(size.maxJobs, 64)); n1.shards != want {
		t.Errorf("night 1: %d shards; want the accounts fanned out into %d", n1.shards, want)
	}
	withKeyA := map[string]bool{}
	for _, f := range m1.Findings {
		if f.Resource == "Legacy_Key_A" {
			withKeyA[f.Account] = true
		}
	}
	for _, id := range org.judged() {
		if !withKeyA[id] {
			t.Errorf("night 1: no finding on Legacy_Key_A in account %s", id)
		}
	}
	org.assertCallsPerAccount(t, calls)
	// The same organisation checked in one process gives the same findings
	// and the same verdict.
	start := time.Now()
	in, inCode := org.checkInProcess(t, repo)
	t.Logf("in one process (check --organization): %s", time.Since(start).Round(time.Second))
	wantCode := result.ExitIncomplete // an account not judged
	if in.Summary.Failed {
		wantCode = result.ExitFindings
	}
	if inCode != wantCode || n1.exit == 0 || n1.verdict != strconv.Itoa(wantCode) || !strings.HasPrefix(n1.issueURL, "https://github.com/acme/payments/issues/") {
		t.Errorf("night 1: act exit %d, merged verdict %q, in-process exit %d, issue %q; want the merge job to fail with %d and name the issue",
			n1.exit, n1.verdict, inCode, n1.issueURL, wantCode)
	}
	if got, want := findingKeys(m1), findingKeys(in); !slices.Equal(got, want) {
		t.Errorf("night 1: the matrix run's findings differ from the in-process run's (%d and %d findings):%s", len(got), len(want), firstDifferences(got, want, 10))
	}
	if m1.Summary != in.Summary {
		t.Errorf("night 1: summary %+v, in-process %+v", m1.Summary, in.Summary)
	}
	issues := gh.Issues("acme/payments")
	marker, _ := trackissue.Marker("secretgate-org")
	if len(issues) != 1 || issues[0].State != "open" || !strings.HasPrefix(issues[0].Body, marker+"\n") {
		t.Fatalf("night 1: %d issues; want one open tracking issue", len(issues))
	}
	if !strings.Contains(issues[0].Body, org.refused) || !strings.Contains(issues[0].Body, "`secretgate-org-report` artifact") {
		t.Errorf("night 1: the issue body does not name the refused account or the report's artifact:\n%s", issues[0].Body)
	}

	saved, err := filepath.Glob(filepath.Join(cache, "secretgate-org-merged-101-*"))
	if err != nil || len(saved) != 1 {
		t.Fatalf("night 1 saved %v to the cache, want one entry of run 101 (%v)", saved, err)
	}
	night1Key := filepath.Base(saved[0])

	// Night 2: Legacy_Key_A renamed to Legacy_Key_C; the artifact of a
	// shard of judged accounts is lost.
	org.renameSecret(t, "Legacy_Key_A", "Legacy_Key_C")
	lostShard, lost := org.lostShard(t, repo, n1.mergedPath, size)
	n2 := actOrgRun(t, actBin, repo, org, gh, cache, size, orgNight{runID: "102", lose: "secretgate-org-shard-" + lostShard})
	n2.logFigures(t, "night 2")
	n2.assertNoCanary(t, org, gh)
	m2 := n2.merged(t)
	status = accountStatuses(m2)
	var notJudged []string
	for id, a := range status {
		if a.Status != result.AccountJudged {
			notJudged = append(notJudged, id)
		}
	}
	slices.Sort(notJudged)
	want := append([]string{org.refused}, lost...)
	slices.Sort(want)
	if !slices.Equal(notJudged, want) {
		t.Errorf("night 2: not judged %v, want exactly the refused account and the lost shard's %v", notJudged, want)
	}
	for _, id := range lost {
		if r := status[id].Reason; !strings.Contains(r, "no report of shard "+lostShard) {
			t.Errorf("night 2: the lost shard's account %s's reason %q does not name shard %s", id, r, lostShard)
		}
	}
	if m2.Merge == nil || len(m2.Merge.MissingShards) != 1 || !m2.Summary.Incomplete {
		t.Errorf("night 2: merge %+v, summary %+v; want shard %s missing and the run incomplete", m2.Merge, m2.Summary, lostShard)
	}
	tr := m2.Trend
	// Each judged account but the lost ones: Legacy_Key_A's findings
	// fixed, Legacy_Key_C's as many new, the rest still open.
	perSecret, lostOpen := 0, 0
	for _, f := range m1.Findings {
		if slices.Contains(lost, f.Account) && !f.Waived {
			lostOpen++
		}
		if f.Account == lost[0] && f.Resource == "Legacy_Key_A" {
			perSecret++
		}
	}
	judgedNow := perSecret * (len(org.judged()) - len(lost))
	if perSecret == 0 || tr == nil || tr.New != judgedNow || tr.Fixed != judgedNow || tr.NotRechecked != lostOpen || tr.StillOpen < judgedNow || len(tr.History) != 2 {
		t.Fatalf("night 2: trend %+v; want %d new (Legacy_Key_C), %d fixed (Legacy_Key_A), %d not re-checked (the lost shard's accounts), the rest still open, two nights", tr, judgedNow, judgedNow, lostOpen)
	}
	for _, f := range tr.FixedFindings {
		if f.Resource != "Legacy_Key_A" {
			t.Errorf("night 2: fixed %+v, want Legacy_Key_A only", f)
		}
	}
	issues = gh.Issues("acme/payments")
	if len(issues) != 1 || issues[0].Edits != 1 || issues[0].State != "open" {
		t.Fatalf("night 2: %d issues (first edited %d times); want the one issue edited once", len(issues), issues[0].Edits)
	}
	for _, want := range append([]string{"xychart-beta", "no report of shard " + lostShard}, lost...) {
		if !strings.Contains(issues[0].Body, want) {
			t.Errorf("night 2: the issue body lacks %q:\n%s", want, issues[0].Body)
		}
	}
	// The new findings are listed, unless the body had to leave findings
	// out (at full scale: 65,000 bytes hold a few hundred of 200,000), and
	// then it says so.
	if !strings.Contains(issues[0].Body, "Legacy_Key_C") && !strings.Contains(issues[0].Body, "more findings not shown here") {
		t.Errorf("night 2: the issue body neither lists Legacy_Key_C nor says findings were left out:\n%s", issues[0].Body)
	}
	trendLine := fmt.Sprintf("%d new, %d fixed, %d still open, %d not re-checked", tr.New, tr.Fixed, tr.StillOpen, tr.NotRechecked)
	if !strings.Contains(issues[0].Body, trendLine) {
		t.Errorf("night 2: the issue body does not show the trend (%s):\n%s", trendLine, issues[0].Body)
	}
	if !strings.Contains(n2.summary, "xychart-beta") {
		t.Errorf("night 2: the merge job's summary has no trend chart")
	}
	// Setup and merge read the same previous report: the entry setup
	// restored, handed to the merge as previous-key.
	for _, job := range []string{"setup", "merge"} {
		if got := n2.restored(job); got != night1Key {
			t.Errorf("night 2: the %s job restored %q from the cache, want night 1's %q", job, got, night1Key)
		}
	}
	if !n2.matrixBalanced {
		t.Errorf("night 2: the matrix was not balanced by night 1's costs (every shard costs 1 ms an account in %s)", n2.matrix)
	}
}

// firstDifferences shows up to n keys only one of two sorted lists has.
func firstDifferences(a, b []string, n int) string {
	var out strings.Builder
	i, j := 0, 0
	for n > 0 && (i < len(a) || j < len(b)) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			fmt.Fprintf(&out, "\n only in the matrix run:     %s", a[i])
			i++
			n--
		case i == len(a) || b[j] < a[i]:
			fmt.Fprintf(&out, "\n only in the in-process run: %s", b[j])
			j++
			n--
		default:
			i, j = i+1, j+1
		}
	}
	return out.String()
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

// emulatedOrganization is the emulated AWS Organization (orgemu) with the
// runtime stand-in whose OIDC tokens assume the hub.
type emulatedOrganization struct {
	g        *orgemu.Org
	rt       *awstest.ActionsRuntime
	accounts []string // every active account, sorted
	refused  string   // the account whose spoke role refuses the hub
	canaries []string
}

func newEmulatedOrganization(t *testing.T, size actOrgSize) *emulatedOrganization {
	t.Helper()
	claims := awstest.GitHubClaims("acme", "payments", "refs/heads/main")
	claims["event_name"] = "workflow_dispatch"
	o := &emulatedOrganization{rt: awstest.NewActionsRuntime(t, claims)}
	opts := size.opts
	// kumo does not evaluate the hub's trust: the router admits exactly
	// the tokens the runtime stand-in issued to the workflow's jobs.
	opts.WebIdentity = func(tok string) bool { return tok != "" && slices.Contains(o.rt.Tokens(), tok) }
	o.g = orgemu.Start(t, opts)
	o.accounts = slices.Sorted(slices.Values(o.g.Accounts))
	o.refused = o.accounts[1]
	o.g.Refuse(o.refused)
	// Two badly named secrets in every account (naming findings), with
	// canary values no output may show.
	for _, name := range []string{"Legacy_Key_A", "Legacy_Key_B"} {
		v := "canary-value-" + name + "-7f3a9c"
		o.canaries = append(o.canaries, v)
		o.g.CreateSecret(t, name, v)
	}
	return o
}

// judged is the accounts whose role is not refused.
func (o *emulatedOrganization) judged() []string {
	return slices.DeleteFunc(slices.Clone(o.accounts), func(id string) bool { return id == o.refused })
}

// renameSecret deletes old and creates new with a fresh canary value, in
// every account.
func (o *emulatedOrganization) renameSecret(t *testing.T, old, new string) {
	t.Helper()
	o.g.DeleteSecret(t, old)
	v := "canary-value-" + new + "-7f3a9c"
	o.canaries = append(o.canaries, v)
	o.g.CreateSecret(t, new, v)
}

// assertCallsPerAccount: every judged account made at least the AWS
// calls of every other, action by action (the template is the same in
// every account, so an account that skipped part of its check would
// stand out), the refused one none (it never had credentials). Calls above
// that floor are the SDK's retries of a call that failed or timed out on a
// loaded machine; they are counted and logged, with the floor and the
// hub's calls.
func (o *emulatedOrganization) assertCallsPerAccount(t *testing.T, calls map[string]map[string]int) {
	t.Helper()
	floor := map[string]int{}
	for i, id := range o.judged() {
		for action := range calls[o.judged()[0]] {
			if n := calls[id][action]; i == 0 || n < floor[action] {
				floor[action] = n
			}
		}
	}
	total := func(m map[string]int) int {
		n := 0
		for _, c := range m {
			n += c
		}
		return n
	}
	retried := 0
	for _, id := range o.judged() {
		for action, n := range floor {
			if n == 0 {
				t.Errorf("account %s made no %s call", id, action)
			}
		}
		for action, n := range calls[id] {
			if _, ok := floor[action]; !ok {
				t.Errorf("account %s made %d %s calls the others did not", id, n, action)
			}
		}
		if total(calls[id]) > total(floor) {
			retried++
			t.Logf("account %s made %d AWS calls, %d above the floor: %v", id, total(calls[id]), total(calls[id])-total(floor), calls[id])
		}
	}
	if n := total(calls[o.refused]); n != 0 {
		t.Errorf("the refused account made %d calls with credentials it was never given", n)
	}
	t.Logf("AWS calls per judged account: %d (%d of %d accounts retried some), besides the hub's sts:AssumeRole for it %v; the hub's: %v",
		total(floor), retried, len(o.judged()), floor, calls[orgemu.Hub])
}

// checkInProcess is `secretgate check --organization` over the same
// organisation in one process (the hub assumed with the emulator's static
// credentials instead of an OIDC token), and its exit code.
func (o *emulatedOrganization) checkInProcess(t *testing.T, repo string) (result.Report, int) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "org.json")
	env := append(o.g.Env(), "GITHUB_ACTIONS=", "GITHUB_REPOSITORY=")
	out, code := run(t, repo, env, secretgateBinary(t), "check", "--organization", "--mode", "nightly", "--path", repo,
		"--skip", "leaks", "--format", "json", "--output", file, "-q")
	var rep result.Report
	if err := json.Unmarshal([]byte(readOr(t, file, "")), &rep); err != nil {
		t.Fatalf("in-process check --organization: exit %d, report: %v\n%s", code, err, out)
	}
	return rep, code
}

// lostShard predicts night 2's matrix — the same accounts balanced by
// night 1's merged report, as the setup job will compute it — and picks
// the shard whose artifact night 2 loses: the first one without the
// refused account. It returns the shard and its accounts, sorted.
func (o *emulatedOrganization) lostShard(t *testing.T, repo, previous string, size actOrgSize) (shard string, accounts []string) {
	t.Helper()
	out, code := run(t, repo, nil, secretgateBinary(t), "matrix", "--accounts", strings.Join(o.accounts, ","), "--previous", previous,
		"--max-jobs", strconv.Itoa(cmp.Or(size.maxJobs, 64)))
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
		ids := strings.Split(s.Accounts, ",")
		if !slices.Contains(ids, o.refused) {
			slices.Sort(ids)
			return strconv.Itoa(s.Shard), ids
		}
	}
	t.Fatalf("every shard holds the refused account: %s", out)
	return "", nil
}

// newOrgRepository is a copy of this repository (the action builds from
// it) with the organisation's configuration and the two workflows in
// .github/workflows, edited to run here: the repository copied into each
// job's empty workspace, this checkout's action (./), the emulator's hub
// role and regions, and a last job that hands the results to the test.
func newOrgRepository(t *testing.T, size actOrgSize) string {
	t.Helper()
	pr := newPRRepository(t)
	b, err := os.ReadFile(filepath.Join(pr.dir, ".secretgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), "repositories: [secretgate/secretgate]", "repositories: [secretgate/secretgate, acme/payments]", 1)
	cfg += "aws:\n  regions: [" + strings.Join(orgRegions, ", ") + "]\n  role_arn: " + orgHubRole +
		"\n  organization:\n    role_name: secretgate-read\n    external_id: acme-secretgate\n"
	wfDir := filepath.Join(pr.dir, ".github", "workflows")
	writeJSONOrYAML(t, filepath.Join(wfDir, orgWorkflow), orgTestWorkflow(t))
	writeJSONOrYAML(t, filepath.Join(wfDir, orgCallerWorkflow), orgTestCaller(t, size))
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
		if name == "merge" {
			steps = append(steps, measureStep)
		}
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
			measureSteps(t, steps)
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

// measureSteps runs the secretgate of the merge job's merge and issue
// steps under /usr/bin/time (when the machine has it), which writes its
// peak resident memory in kilobytes and its wall time in seconds to
// $OUT/measure-merge and $OUT/measure-issue; the steps' codes and outputs
// are unchanged.
func measureSteps(t *testing.T, steps []any) {
	t.Helper()
	found := 0
	for _, s := range steps {
		st := s.(map[string]any)
		id, _ := st["id"].(string)
		if id != "merge" && id != "issue" {
			continue
		}
		env := st["env"].(map[string]any)
		env["REAL_SG"], env["SG"], env["MEASURE"] = env["SG"], "${{ runner.temp }}/measured-secretgate", id
		found++
	}
	if found != 2 {
		t.Fatalf("the merge job has no steps with ids merge and issue")
	}
}

// measureStep writes the wrapper measureSteps' steps run.
var measureStep = map[string]any{
	"name": "Measure the merge and the issue (test)",
	"run": `cat >"$RUNNER_TEMP/measured-secretgate" <<'EOF'
#!/bin/sh
if [ -x /usr/bin/time ]; then exec /usr/bin/time -f '%M %e' -o "$OUT/measure-$MEASURE" "$REAL_SG" "$@"; fi
exec "$REAL_SG" "$@"
EOF
chmod +x "$RUNNER_TEMP/measured-secretgate"`,
}

// orgTestCaller is the caller with the emulator's hub role and regions,
// and the size's largest number of jobs.
func orgTestCaller(t *testing.T, size actOrgSize) map[string]any {
	t.Helper()
	wf := readWorkflow(t, orgCallerWorkflow)
	sg := wf["jobs"].(map[string]any)["secretgate"].(map[string]any)
	if sg["uses"] != "./.github/workflows/"+orgWorkflow {
		t.Fatalf("the caller does not call ./.github/workflows/%s: %v", orgWorkflow, sg["uses"])
	}
	with := sg["with"].(map[string]any)
	with["hub-role-arn"] = orgHubRole
	with["regions"] = strings.Join(orgRegions, ",")
	if size.maxJobs != 0 {
		with["max-jobs"] = size.maxJobs
	}
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
	matrixBalanced bool // the shards' costs came from the previous night

	wall       time.Duration   // act's, for the whole night
	checkJobs  []time.Duration // each check job's, from act's log, sorted
	mergeRSS   int64           // the merge's peak resident memory, bytes (0: not measured)
	mergeWall  string          // the merge's wall time, seconds
	issueRSS   int64           // the same of secretgate issue
	issueWall  string
	mergedSize int64 // the merged JSON report, bytes
}

// actOrgRun runs the caller once (workflow_dispatch) with act.
func actOrgRun(t *testing.T, actBin, repo string, o *emulatedOrganization, gh *prcommenttest.Server, cache string, size actOrgSize, n orgNight) *orgResult {
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
	ctx, cancel := context.WithTimeout(context.Background(), size.timeout)
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
		"--env", "AWS_ENDPOINT_URL="+o.g.URL,
		"--env", "AWS_EC2_METADATA_DISABLED=true",
		"--env", "AWS_CONFIG_FILE=/dev/null",
		"--env", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"-s", "GITHUB_TOKEN=write-token")
	cmd.Dir = repo
	cmd.Env = actEnv()
	start := time.Now()
	b, err := cmd.CombinedOutput()
	r := &orgResult{actResult: &actResult{log: string(b), out: out}, wall: time.Since(start)}
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
			Accounts string `json:"accounts"`
			CostMS   int64  `json:"cost_ms"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(r.matrix), &m); err != nil {
		t.Fatalf("matrix artifact: %v\n%s", err, r.tail())
	}
	r.shards = len(m.Include)
	// Without a previous night every account costs 1 ms.
	for _, s := range m.Include {
		if s.CostMS != int64(len(strings.Split(s.Accounts, ","))) {
			r.matrixBalanced = true
		}
	}
	for _, ev := range r.events() {
		if ev.Command == "summary" && strings.Contains(ev.Content, "secretgate") {
			r.summary += ev.Content
		}
	}
	r.checkJobs = jobTimes(r.log, "check")
	r.mergeRSS, r.mergeWall = measured(t, filepath.Join(out, "measure-merge"))
	r.issueRSS, r.issueWall = measured(t, filepath.Join(out, "measure-issue"))
	if st, err := os.Stat(r.mergedPath); err == nil {
		r.mergedSize = st.Size()
	}
	return r
}

// restored is the cache entry the cache stand-in restored in job jobID
// ("" when none).
func (r *orgResult) restored(jobID string) string {
	sc := bufio.NewScanner(strings.NewReader(r.log))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct {
			JobID string `json:"jobID"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.JobID != jobID {
			continue
		}
		// The step's output line, not the script act logs before it.
		if key, ok := strings.CutPrefix(strings.TrimSpace(ev.Msg), "stand-in: restored "); ok {
			return key
		}
	}
	return ""
}

// measured reads what GNU time wrote: peak RSS in bytes and wall time in
// seconds, from its last line (a line before it says a nonzero exit).
func measured(t *testing.T, file string) (rss int64, wall string) {
	t.Helper()
	m := strings.Fields(readOr(t, file, ""))
	if len(m) < 2 {
		return 0, ""
	}
	kb, _ := strconv.ParseInt(m[len(m)-2], 10, 64)
	return kb * 1024, m[len(m)-1]
}

// jobTimes is how long each run of the job jobID took (a matrix job's
// every shard), from the first to the last line act logged for it, sorted;
// act's log has whole seconds.
func jobTimes(log, jobID string) []time.Duration {
	type span struct{ first, last time.Time }
	spans := map[string]*span{}
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct {
			Job   string    `json:"job"`
			JobID string    `json:"jobID"`
			Time  time.Time `json:"time"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.JobID != jobID || ev.Time.IsZero() {
			continue
		}
		sp := spans[ev.Job]
		if sp == nil {
			spans[ev.Job] = &span{ev.Time, ev.Time}
			continue
		}
		if ev.Time.Before(sp.first) {
			sp.first = ev.Time
		}
		if ev.Time.After(sp.last) {
			sp.last = ev.Time
		}
	}
	var out []time.Duration
	for _, sp := range spans {
		out = append(out, sp.last.Sub(sp.first))
	}
	slices.Sort(out)
	return out
}

// logFigures logs the night's measurements (docs/organizations.md#scale).
func (r *orgResult) logFigures(t *testing.T, night string) {
	t.Helper()
	jobs := "none logged"
	if n := len(r.checkJobs); n > 0 {
		jobs = fmt.Sprintf("%d, min %s, median %s, max %s", n, r.checkJobs[0], r.checkJobs[n/2], r.checkJobs[n-1])
	}
	fig := func(rss int64, wall string) string {
		if rss == 0 {
			return "not measured (no /usr/bin/time)"
		}
		return fmt.Sprintf("%.0f MB peak RSS, %s s", float64(rss)/1e6, wall)
	}
	t.Logf("%s: act ran the organisation workflow in %s; check jobs: %s; merge: %s; issue: %s; merged report %.1f MB; load average %s",
		night, r.wall.Round(time.Second), jobs, fig(r.mergeRSS, r.mergeWall), fig(r.issueRSS, r.issueWall), float64(r.mergedSize)/1e6, loadAverage())
}

// loadAverage is /proc/loadavg's three averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// regexpPinIn is the SHA a workflow's text pins action (or an action in
// its subdirectories, as github/codeql-action/upload-sarif) at.
func regexpPinIn(t *testing.T, wf []byte, action string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(action) + `(?:/[^@\s]*)?@([0-9a-f]{40})`).FindSubmatch(wf)
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
// act's log, the artifacts or the tracking issues.
func (r *orgResult) assertNoCanary(t *testing.T, o *emulatedOrganization, gh *prcommenttest.Server) {
	t.Helper()
	canaries := append(append(slices.Clone(o.canaries), o.rt.Tokens()...), o.rt.RequestToken)
	check := func(place, text string) {
		for _, c := range canaries {
			if c != "" && strings.Contains(text, c) {
				t.Errorf("a canary appears in %s", place)
			}
		}
	}
	check("act log", r.log)
	for _, is := range gh.Issues("acme/payments") {
		check(fmt.Sprintf("issue #%d", is.Number), is.Title+"\n"+is.Body)
	}
	// One file at a time: at full scale the reports are hundreds of MB.
	_ = filepath.WalkDir(filepath.Join(r.out, "artifact"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			check(p, readOr(t, p, ""))
		}
		return nil
	})
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
