package actiontest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/report"
)

// TestActPullRequestWorkflow runs the example pull-request workflow users
// copy (docs/examples/workflows/secretgate-pr.yml) end to end with act on
// this machine (`-P ubuntu-latest=-self-hosted`, no Docker): the composite
// action builds secretgate from this checkout, scans a pull request of a
// throwaway copy of this repository, talks to a local stand-in for
// GitHub's REST API, and uploads SARIF to a stand-in for code scanning.
//
// Five runs: a pull request that adds a leaked key (one comment is
// created), a second push adding another (the same comment is edited), a
// pull request from a fork with no OIDC token (live checks skipped, the
// run passes), the merge queue (no comment), and a same-repository pull
// request that assumes the role with the job's OIDC token and checks the
// AWS account (act_live_test.go).
//
// act is the one make tools pins (.tools/bin), else the one on PATH;
// without act the test is skipped, unless CI is set: .ci/run installs
// act, so a missing one there is a failure.
func TestActPullRequestWorkflow(t *testing.T) {
	actBin, err := toolPath(t, "act")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("act not found and CI is set: make tools installs it (.ci/run runs it); %v", err)
		}
		t.Skipf("act not found (run make tools); CI runs this test: %v", err)
	}
	if out, code := run(t, ".", nil, actBin, "--version"); code != 0 {
		t.Fatalf("act --version: exit %d\n%s", code, out)
	} else {
		t.Logf("using %s", strings.TrimSpace(out))
	}

	gh := newGitHubStub(t, "read-only-token")
	pr := newPRRepository(t)
	key1, key2 := leakstest.AWSKey(t), leakstest.AWSKey(t)
	canaries := []string{key1[4:], key2[4:]}

	base := pr.commit(t, "main", "", nil)
	head1 := pr.commit(t, "feature", base, map[string]string{
		"config/prod/payments.env": "region=eu-west-1\naws_access_key_id=" + key1 + "\n"})
	head2 := pr.commit(t, "feature", head1, map[string]string{
		"config/staging/payments.env": "region=eu-west-1\naws_access_key_id=" + key2 + "\n"})
	forkHead := pr.commit(t, "fork", base, map[string]string{
		"docs/typo.md": "A harmless change from a fork.\n"})

	// Run 1: the pull request adds a leaked key.
	r1 := actRun(t, actBin, pr, gh, actCase{number: 7, base: base, head: head1, token: "write-token"})
	r1.assertNoCanary(t, canaries)
	if r1.exit == 0 || r1.outcome != "failure" {
		t.Errorf("run 1: act exit %d, step outcome %q; want a failed job (a new critical leak)", r1.exit, r1.outcome)
	}
	r1.assertOutputs(t, map[string]string{"failed": "true", "incomplete": "false", "exit-code": "1"})
	newFindings1 := r1.intOutput(t, "new")
	if newFindings1 < 1 || r1.intOutput(t, "critical")+r1.intOutput(t, "high") < 1 {
		t.Errorf("run 1: new=%d critical=%s high=%s; want the leak counted", newFindings1, r1.outputs["critical"], r1.outputs["high"])
	}
	r1.assertReports(t, "config/prod/payments.env")
	if !strings.Contains(r1.summary, "config/prod/payments.env") {
		t.Errorf("run 1: the job summary does not name the leaked file:\n%s", r1.summary)
	}
	if !r1.annotated("config/prod/payments.env") {
		t.Errorf("run 1: no ::error annotation on config/prod/payments.env in the log")
	}
	calls := gh.callsFor("POST", "/repos/acme/payments/issues/7/comments")
	if len(calls) != 1 {
		t.Fatalf("run 1: %d comment creations, want 1; calls: %v", len(calls), gh.allCalls())
	}
	if calls[0].auth != "Bearer write-token" {
		t.Errorf("run 1: comment created with Authorization %q; want the github-token input (GITHUB_TOKEN)", calls[0].auth)
	}
	first := gh.commentsOn(7)
	if len(first) != 1 || !strings.HasPrefix(first[0].Body, report.Marker) || !strings.Contains(first[0].Body, "config/prod/payments.env") {
		t.Fatalf("run 1: comments on #7: %+v", first)
	}

	// Run 2: another push; the same comment is edited, none is added.
	r2 := actRun(t, actBin, pr, gh, actCase{number: 7, base: base, head: head2, token: "write-token"})
	r2.assertNoCanary(t, canaries)
	r2.assertOutputs(t, map[string]string{"failed": "true", "incomplete": "false", "exit-code": "1"})
	if n := r2.intOutput(t, "new"); n <= newFindings1 {
		t.Errorf("run 2: new=%d, want more than run 1's %d", n, newFindings1)
	}
	if n := len(gh.callsFor("POST", "/repos/acme/payments/issues/7/comments")); n != 1 {
		t.Errorf("run 2 created another comment: %d creations in all", n)
	}
	patch := fmt.Sprintf("/repos/acme/payments/issues/comments/%d", first[0].ID)
	if n := len(gh.callsFor("PATCH", patch)); n != 1 {
		t.Errorf("run 2: %d edits of comment %d, want 1; calls: %v", n, first[0].ID, gh.allCalls())
	}
	second := gh.commentsOn(7)
	if len(second) != 1 || second[0].ID != first[0].ID || !strings.Contains(second[0].Body, "config/staging/payments.env") {
		t.Errorf("run 2: comments on #7 after the edit: %+v", second)
	}

	// Run 3: a pull request from a fork: a read-only token and no OIDC
	// token. The role is configured (as in the example) but cannot be
	// assumed; the live checks are skipped and the run passes.
	before := len(gh.allCalls())
	r3 := actRun(t, actBin, pr, gh, actCase{number: 8, base: base, head: forkHead, token: "read-only-token", fork: true, live: true})
	if r3.exit != 0 || r3.outcome != "success" {
		t.Errorf("run 3 (fork): act exit %d, step outcome %q; want success\n%s", r3.exit, r3.outcome, r3.tail())
	}
	r3.assertOutputs(t, map[string]string{"failed": "false", "incomplete": "false", "exit-code": "0", "new": "0"})
	const forkReason = "no OIDC token on pull requests from forks"
	checks := r3.checks(t)
	if !strings.Contains(checks["resolve"], "skipped") || !strings.Contains(checks["resolve"], forkReason) {
		t.Errorf("run 3: resolve check %q, want skipped: %s", checks["resolve"], forkReason)
	}
	for _, fam := range []string{"trust", "iam"} {
		if !strings.Contains(checks[fam], forkReason) {
			t.Errorf("run 3: %s check %q does not say the live part was skipped", fam, checks[fam])
		}
	}
	if !strings.Contains(r3.summary, "forks") {
		t.Errorf("run 3: the job summary does not explain the fork skip:\n%s", r3.summary)
	}
	for _, c := range gh.allCalls()[before:] {
		if c.method != "GET" {
			t.Errorf("run 3 (clean fork PR, read-only token) wrote to GitHub: %v", c)
		}
	}
	if got := gh.commentsOn(7); len(got) != 1 || got[0].Body != second[0].Body {
		t.Errorf("run 3 touched #7's comment")
	}

	// Run 4: the merge queue (merge_group) checks the queued commits and,
	// belonging to no pull request, posts nothing.
	before = len(gh.allCalls())
	r4 := actRun(t, actBin, pr, gh, actCase{event: "merge_group", base: base, head: forkHead, token: "write-token"})
	if r4.exit != 0 || r4.outcome != "success" {
		t.Errorf("run 4 (merge_group): act exit %d, step outcome %q; want success\n%s", r4.exit, r4.outcome, r4.tail())
	}
	r4.assertOutputs(t, map[string]string{"failed": "false", "incomplete": "false", "exit-code": "0"})
	if calls := gh.allCalls()[before:]; len(calls) != 0 {
		t.Errorf("run 4 (merge_group) called GitHub: %v", calls)
	}
	if !strings.Contains(r4.log, "--diff auto") {
		t.Errorf("run 4 did not scan the queued commits (--diff auto)")
	}

	// Run 5: a same-repository pull request with role-to-assume, the
	// job's OIDC token and AWS (the kumo emulator): the live checks run
	// under the assumed role and their findings reach the comment.
	runLive(t, actBin, pr, gh, base)

	// Runs 6-8: a fork's pull request with a leak cannot comment; the
	// workflow_run follow-up posts its uploaded report, and refuses a
	// tampered one (act_forkcomment_test.go).
	runForkComment(t, actBin, pr, gh, base)
}

type actCase struct {
	event      string // pull_request when empty
	number     int
	base, head string
	token      string
	fork       bool
	live       bool     // keep role-to-assume and aws-region from the example
	env        []string // more KEY=VALUE for act's --env
}

type actResult struct {
	exit     int
	log      string // act's JSON log
	outcome  string
	outputs  map[string]string
	summary  string
	out      string // the run's $OUT directory
	comments []string
}

// actRun writes the test variant of the example workflow, an event
// payload, and runs act once.
func actRun(t *testing.T, actBin string, pr *prRepository, gh *gitHubStub, c actCase) *actResult {
	t.Helper()
	work := t.TempDir()
	out := filepath.Join(work, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(work, "secretgate-pr.yml")
	writeJSONOrYAML(t, wf, testWorkflow(t, c.live))
	event := filepath.Join(work, "event.json")
	writeJSONOrYAML(t, event, prEvent(c))
	pr.checkout(t, c.head)

	sarifAction := "github/codeql-action@" + pinOf(t, "github/codeql-action") + "=" +
		filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/codeql-action")
	setupGo := "actions/setup-go@" + actionPin(t, "actions/setup-go") + "=" +
		filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/setup-go")
	uploadArtifact := "actions/upload-artifact@" + pinOf(t, "actions/upload-artifact") + "=" +
		filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/upload-artifact")
	cache := cacheStandIn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	eventName := c.event
	if eventName == "" {
		eventName = "pull_request"
	}
	cmd := exec.CommandContext(ctx, actBin, eventName,
		"-W", wf, "-e", event,
		"-P", "ubuntu-latest=-self-hosted",
		"--json", "--no-cache-server", "--actor", "dev",
		"--local-repository", sarifAction, "--local-repository", setupGo, "--local-repository", uploadArtifact,
		"--local-repository", cache,
		"--env", "SRC="+pr.dir, "--env", "OUT="+out,
		"--env", "GITHUB_API_URL="+gh.URL,
		"-s", "GITHUB_TOKEN="+c.token)
	for _, kv := range c.env {
		cmd.Args = append(cmd.Args, "--env", kv)
	}
	cmd.Dir = pr.dir
	cmd.Env = actEnv()
	b, err := cmd.CombinedOutput()
	r := &actResult{log: string(b), out: out}
	if err != nil {
		r.exit = exitCode(t, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("act did not finish in time:\n%s", r.tail())
	}
	r.outcome = strings.TrimSpace(readOr(t, filepath.Join(out, "outcome"), ""))
	if r.outcome == "" {
		t.Fatalf("the workflow did not reach its last step (act exit %d):\n%s", r.exit, r.tail())
	}
	if err := json.Unmarshal([]byte(readOr(t, filepath.Join(out, "outputs.json"), "{}")), &r.outputs); err != nil {
		t.Fatalf("outputs.json: %v", err)
	}
	r.summary = r.stepSummary(t)
	for _, cm := range gh.commentsOn(c.number) {
		r.comments = append(r.comments, cm.Body)
	}
	return r
}

// actEnv is the environment act runs in: this process's, without what an
// outer GitHub Actions job (this repository's CI) would leak into the
// inner run, and without AWS settings or credentials (a runner has none:
// the live run's only credential is its OIDC token).
func actEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "ACTIONS_") || strings.HasPrefix(k, "RUNNER_") || strings.HasPrefix(k, "INPUT_") || strings.HasPrefix(k, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// testWorkflow is the example PR workflow with what running it here needs:
// the repository under test copied into act's empty workspace after the
// checkout step (act skips a checkout of the repository it runs in), this
// checkout's action (./) instead of the released one, and a last step that
// hands the step's outputs and reports to the test. Without live, the
// role and regions are dropped: no OIDC token endpoint or AWS here, so the
// same-repository runs are repository-only (--offline).
func testWorkflow(t *testing.T, live bool) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs/examples/workflows/secretgate-pr.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf map[string]any
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	job := wf["jobs"].(map[string]any)["secretgate"].(map[string]any)
	var steps []any
	replaced := false
	for _, s := range job["steps"].([]any) {
		st := s.(map[string]any)
		uses, _ := st["uses"].(string)
		switch {
		case strings.HasPrefix(uses, "actions/checkout@"):
			steps = append(steps, st, map[string]any{
				"name": "Copy the repository under test into the workspace",
				"run":  `cp -a "$SRC/." "$GITHUB_WORKSPACE"`,
			})
			continue
		case strings.HasPrefix(uses, "secretgate/secretgate@"):
			st["uses"] = "./"
			if with, ok := st["with"].(map[string]any); ok && !live {
				delete(with, "role-to-assume")
				delete(with, "aws-region")
			}
			replaced = true
		}
		steps = append(steps, st)
	}
	if !replaced {
		t.Fatal("the example workflow has no secretgate/secretgate step")
	}
	steps = append(steps, map[string]any{
		"name": "Hand the results to the test",
		"if":   "always()",
		"env": map[string]any{
			"OUTCOME":         "${{ steps.secretgate.outcome }}",
			"OUTPUTS":         "${{ toJSON(steps.secretgate.outputs) }}",
			"REPORT_JSON":     "${{ steps.secretgate.outputs.report-json }}",
			"REPORT_MARKDOWN": "${{ steps.secretgate.outputs.report-markdown }}",
		},
		"run": `printf '%s' "$OUTPUTS" >"$OUT/outputs.json"
if [ -n "$REPORT_JSON" ]; then cp "$REPORT_JSON" "$OUT/report.json"; fi
if [ -n "$REPORT_MARKDOWN" ]; then cp "$REPORT_MARKDOWN" "$OUT/report.md"; fi
printf '%s' "$OUTCOME" >"$OUT/outcome"
`,
	})
	job["steps"] = steps
	return wf
}

func prEvent(c actCase) map[string]any {
	repository := map[string]any{"full_name": "acme/payments", "name": "payments", "owner": map[string]any{"login": "acme"}, "fork": false}
	if c.event == "merge_group" {
		return map[string]any{
			"action": "checks_requested",
			"merge_group": map[string]any{
				"head_sha": c.head, "head_ref": "refs/heads/gh-readonly-queue/main/pr-8-" + c.base,
				"base_sha": c.base, "base_ref": "refs/heads/main",
			},
			"repository": repository,
			"sender":     map[string]any{"login": "dev"},
		}
	}
	headRepo := "acme/payments"
	if c.fork {
		headRepo = "someone/payments"
	}
	return map[string]any{
		"action": "synchronize",
		"number": c.number,
		"pull_request": map[string]any{
			"number": c.number,
			"head":   map[string]any{"sha": c.head, "ref": "feature", "repo": map[string]any{"full_name": headRepo, "fork": c.fork}},
			"base":   map[string]any{"sha": c.base, "ref": "main", "repo": repository},
			"user":   map[string]any{"login": "dev"},
		},
		"repository": repository,
		"sender":     map[string]any{"login": "dev"},
	}
}

func writeJSONOrYAML(t *testing.T, path string, v any) {
	t.Helper()
	var b []byte
	var err error
	if strings.HasSuffix(path, ".json") {
		b, err = json.MarshalIndent(v, "", "  ")
	} else {
		b, err = yaml.Marshal(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readOr(t *testing.T, path, def string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return def
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pinOf is the SHA an action is pinned at in the example workflow.
func pinOf(t *testing.T, action string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs/examples/workflows/secretgate-pr.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(action) + `[^@\s]*@([0-9a-f]{40})`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the example workflow does not pin %s", action)
	}
	return string(m[1])
}

// actionPin is the SHA action.yml pins an action at.
func actionPin(t *testing.T, action string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(action) + `@([0-9a-f]{40})`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("action.yml does not pin %s", action)
	}
	return string(m[1])
}

// cacheStandIn is the --local-repository mapping of the actions/cache
// commit action.yml pins (its restore and save subdirectories) to the
// stand-ins that fail when run.
func cacheStandIn(t *testing.T) string {
	t.Helper()
	return "actions/cache@" + actionPin(t, "actions/cache/restore") + "=" +
		filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/cache")
}

// actEvent is one line of act's --json log.
type actEvent struct {
	Msg     string   `json:"msg"`
	Command string   `json:"command"`
	Content string   `json:"content"`
	StepID  []string `json:"stepID"`
}

func (r *actResult) events() []actEvent {
	var evs []actEvent
	sc := bufio.NewScanner(strings.NewReader(r.log))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev actEvent
		if json.Unmarshal(sc.Bytes(), &ev) == nil {
			evs = append(evs, ev)
		}
	}
	return evs
}

// stepSummary is what the action's check step wrote to
// $GITHUB_STEP_SUMMARY (act logs it as a "summary" command).
func (r *actResult) stepSummary(t *testing.T) string {
	var b strings.Builder
	for _, ev := range r.events() {
		if ev.Command == "summary" && len(ev.StepID) == 2 && ev.StepID[0] == "secretgate" && ev.StepID[1] == "check" {
			b.WriteString(ev.Content)
		}
	}
	return b.String()
}

// annotated says whether the log holds an ::error annotation for file.
func (r *actResult) annotated(file string) bool {
	for _, ev := range r.events() {
		if strings.Contains(ev.Msg, "::error") && strings.Contains(ev.Msg, "file="+file) {
			return true
		}
	}
	return false
}

func (r *actResult) tail() string {
	lines := strings.Split(r.log, "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	var b strings.Builder
	for _, l := range lines {
		var ev actEvent
		if json.Unmarshal([]byte(l), &ev) == nil {
			b.WriteString(strings.TrimRight(ev.Msg, "\n") + "\n")
		} else {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func (r *actResult) assertOutputs(t *testing.T, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if r.outputs[k] != v {
			t.Errorf("output %s = %q, want %q (outputs: %v)\n%s", k, r.outputs[k], v, r.outputs, r.tail())
		}
	}
}

func (r *actResult) intOutput(t *testing.T, name string) int {
	t.Helper()
	n, err := strconv.Atoi(r.outputs[name])
	if err != nil {
		t.Errorf("output %s = %q, not a number", name, r.outputs[name])
	}
	return n
}

// assertReports checks the report outputs and what reached the code
// scanning stand-in.
func (r *actResult) assertReports(t *testing.T, file string) {
	t.Helper()
	for _, k := range []string{"report-json", "report-sarif", "report-markdown"} {
		if !filepath.IsAbs(r.outputs[k]) {
			t.Errorf("output %s = %q, want an absolute path", k, r.outputs[k])
		}
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	raw := readOr(t, filepath.Join(r.out, "uploaded.sarif"), "")
	if err := json.Unmarshal([]byte(raw), &sarif); err != nil {
		t.Fatalf("the SARIF upload step received no valid SARIF: %v", err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 || !strings.Contains(raw, file) {
		t.Errorf("uploaded SARIF: version %q, %d runs, no result for %s", sarif.Version, len(sarif.Runs), file)
	}
	if got := readOr(t, filepath.Join(r.out, "uploaded-category"), ""); got != "secretgate" {
		t.Errorf("SARIF category %q, want secretgate", got)
	}
	if !strings.HasPrefix(readOr(t, filepath.Join(r.out, "report.md"), ""), report.Marker) {
		t.Errorf("the Markdown report output does not hold secretgate's report")
	}
}

// checks reads the JSON report's checks: id -> "status: reason".
func (r *actResult) checks(t *testing.T) map[string]string {
	t.Helper()
	var rep checkReport
	if err := json.Unmarshal([]byte(readOr(t, filepath.Join(r.out, "report.json"), "")), &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	m := map[string]string{}
	for _, c := range rep.Checks {
		m[c.ID] = c.Status + ": " + c.Reason
	}
	return m
}

// assertNoCanary: the planted keys appear nowhere — not in the log, the
// outputs, the summary, the comments or the reports.
func (r *actResult) assertNoCanary(t *testing.T, canaries []string) {
	t.Helper()
	places := map[string]string{"act log": r.log, "summary": r.summary, "comments": strings.Join(r.comments, "\n")}
	for _, name := range []string{"outputs.json", "uploaded.sarif", "report.json", "report.md"} {
		places[name] = readOr(t, filepath.Join(r.out, name), "")
	}
	for place, text := range places {
		for _, c := range canaries {
			if strings.Contains(text, c) {
				t.Errorf("a planted key appears in the %s", place)
			}
		}
	}
}

// prRepository is a throwaway git copy of this repository: a base commit
// on main and the pull requests' commits on branches.
type prRepository struct{ dir string }

func newPRRepository(t *testing.T) *prRepository {
	t.Helper()
	root := repoRoot(t)
	dir := filepath.Join(t.TempDir(), "payments")
	out, code := run(t, root, nil, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if code != 0 {
		t.Fatalf("git ls-files: %s", out)
	}
	for _, rel := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the working tree, or not a file
		}
		copyFile(t, src, filepath.Join(dir, rel), info.Mode())
	}
	p := &prRepository{dir: dir}
	p.git(t, "init", "-q", "-b", "main")
	p.git(t, "remote", "add", "origin", "https://github.com/acme/payments.git")
	return p
}

func (p *prRepository) git(t *testing.T, args ...string) string {
	t.Helper()
	out, code := run(t, p.dir, []string{"GIT_AUTHOR_NAME=dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}, "git", args...)
	if code != 0 {
		t.Fatalf("git %v: %s", args, out)
	}
	return strings.TrimSpace(out)
}

// commit writes files on branch (created at from when given) and commits
// everything; it returns the commit SHA.
func (p *prRepository) commit(t *testing.T, branch, from string, files map[string]string) string {
	t.Helper()
	if from != "" {
		p.git(t, "checkout", "-q", "-B", branch, from)
	}
	for rel, content := range files {
		path := filepath.Join(p.dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.git(t, "add", "-A")
	p.git(t, "commit", "-q", "--no-verify", "-m", "change on "+branch)
	return p.git(t, "rev-parse", "HEAD")
}

func (p *prRepository) checkout(t *testing.T, sha string) {
	t.Helper()
	p.git(t, "checkout", "-q", "--detach", sha)
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// gitHubStub stands in for the parts of GitHub's REST API the action
// uses — issue comments of pull requests — with the documented response
// shapes, and records every call. Tokens listed as read-only get GitHub's
// 403 "Resource not accessible by integration" on writes, like a fork's
// GITHUB_TOKEN.
type gitHubStub struct {
	*httptest.Server
	mu       sync.Mutex
	readOnly map[string]bool
	nextID   int64
	comments map[int][]*stubComment
	heads    map[int]string // pull request number -> head SHA
	calls    []stubCall
}

type stubComment struct {
	ID   int64
	Body string
}

type stubCall struct{ method, path, auth string }

func (c stubCall) String() string { return c.method + " " + c.path }

var (
	commentsPath = regexp.MustCompile(`^/repos/acme/payments/issues/(\d+)/comments$`)
	commentPath  = regexp.MustCompile(`^/repos/acme/payments/issues/comments/(\d+)$`)
	pullPath     = regexp.MustCompile(`^/repos/acme/payments/pulls/(\d+)$`)
)

func newGitHubStub(t *testing.T, readOnlyTokens ...string) *gitHubStub {
	g := &gitHubStub{readOnly: map[string]bool{}, nextID: 1000, comments: map[int][]*stubComment{}, heads: map[int]string{}}
	for _, tok := range readOnlyTokens {
		g.readOnly[tok] = true
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *gitHubStub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	auth := r.Header.Get("Authorization")
	g.calls = append(g.calls, stubCall{r.Method, r.URL.Path, auth})
	token := strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "token ")
	if token == "" {
		writeGitHubError(w, http.StatusUnauthorized, "Requires authentication")
		return
	}
	if r.Method != http.MethodGet && g.readOnly[token] {
		writeGitHubError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	var body struct {
		Body string `json:"body"`
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Body == "" {
			writeGitHubError(w, http.StatusUnprocessableEntity, "Validation Failed")
			return
		}
	}
	if m := commentsPath.FindStringSubmatch(r.URL.Path); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch r.Method {
		case http.MethodGet:
			list := []map[string]any{}
			for _, c := range g.comments[n] {
				list = append(list, g.commentJSON(n, c))
			}
			writeJSON(w, http.StatusOK, list)
		case http.MethodPost:
			g.nextID++
			c := &stubComment{ID: g.nextID, Body: body.Body}
			g.comments[n] = append(g.comments[n], c)
			writeJSON(w, http.StatusCreated, g.commentJSON(n, c))
		default:
			writeGitHubError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		}
		return
	}
	if m := pullPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodGet {
		n, _ := strconv.Atoi(m[1])
		if sha, ok := g.heads[n]; ok {
			// "Get a pull request", the fields clients read.
			writeJSON(w, http.StatusOK, map[string]any{
				"id": 5000 + n, "number": n, "state": "open",
				"html_url": fmt.Sprintf("https://github.com/acme/payments/pull/%d", n),
				"head":     map[string]any{"sha": sha, "ref": "feature", "repo": map[string]any{"full_name": "someone/payments", "fork": true}},
				"base":     map[string]any{"ref": "main", "repo": map[string]any{"full_name": "acme/payments", "fork": false}},
			})
			return
		}
	}
	if m := commentPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPatch {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		for n, list := range g.comments {
			for _, c := range list {
				if c.ID == id {
					c.Body = body.Body
					writeJSON(w, http.StatusOK, g.commentJSON(n, c))
					return
				}
			}
		}
	}
	writeGitHubError(w, http.StatusNotFound, "Not Found")
}

// commentJSON is an issue comment as GitHub's REST API returns it.
func (g *gitHubStub) commentJSON(n int, c *stubComment) map[string]any {
	return map[string]any{
		"id":                 c.ID,
		"node_id":            fmt.Sprintf("IC_%d", c.ID),
		"url":                fmt.Sprintf("%s/repos/acme/payments/issues/comments/%d", g.URL, c.ID),
		"html_url":           fmt.Sprintf("https://github.com/acme/payments/pull/%d#issuecomment-%d", n, c.ID),
		"issue_url":          fmt.Sprintf("%s/repos/acme/payments/issues/%d", g.URL, n),
		"body":               c.Body,
		"user":               map[string]any{"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
		"author_association": "NONE",
		"created_at":         "2026-11-27T03:00:00Z",
		"updated_at":         "2026-11-27T03:00:00Z",
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// A write error means act hung up; the run's own checks report that.
	_ = json.NewEncoder(w).Encode(v)
}

func writeGitHubError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)})
}

// setPull makes pull request n exist with head commit sha.
func (g *gitHubStub) setPull(n int, sha string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.heads[n] = sha
}

func (g *gitHubStub) callsFor(method, path string) []stubCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []stubCall
	for _, c := range g.calls {
		if c.method == method && c.path == path {
			out = append(out, c)
		}
	}
	return out
}

func (g *gitHubStub) allCalls() []stubCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]stubCall(nil), g.calls...)
}

func (g *gitHubStub) commentsOn(n int) []stubComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []stubComment
	for _, c := range g.comments[n] {
		out = append(out, *c)
	}
	return out
}
