package actiontest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/trackissue"
)

const (
	nightlyWorkflow = "secretgate-nightly.yml"
	nightlyRole     = "arn:aws:iam::" + iamAccount + ":role/secretgate-readonly" // the example's role-to-assume
	nightlyKey      = "secretgate-nightly"                                       // the example's --key
)

// TestActNightlyWorkflow runs the single-account nightly example
// (docs/examples/workflows/secretgate-nightly.yml) with act, three nights,
// against kumo: the role assumed with the job's OIDC token from a stand-in
// of the Actions runtime, GitHub's REST API played by prcommenttest, and
// stand-ins for the cache, artifact and code-scanning actions. Its one
// tracking issue is kept by `secretgate issue`, as the organisation
// workflow keeps its own:
//
//   - night 1: a production secret overdue for rotation fails the night;
//     the issue is created, with the example's label, its marker and the
//     report;
//   - night 2: a second secret overdue, still failing; the same issue is
//     edited in place (title and body), no second issue, no comment;
//   - night 3: both rotated away, the night is clean; the issue is closed as
//     completed.
func TestActNightlyWorkflow(t *testing.T) {
	actBin := needAct(t)
	em := awstest.Start(t)
	em.CreateGitHubProvider(t)
	em.CreateRole(t, awstest.Role{
		Name:  "secretgate-readonly",
		Trust: awstest.GitHubTrust(iamAccount, "repo:acme/payments:ref:refs/heads/main"),
		Inline: map[string]string{"read-metadata": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":["secretsmanager:ListSecrets","iam:GetRole","iam:ListRoles","iam:ListRolePolicies","iam:GetRolePolicy","iam:ListAttachedRolePolicies"],"Resource":"*"}]}`},
	})
	canaries := []string{"canary-nightly-ledger-3b9e1f", "canary-nightly-billing-8c2d4a"}
	em.CreateSecret(t, "prod/ledger/api", `{"api_key":"`+canaries[0]+`"}`, nil)
	em.Backdate("prod/ledger/api", 400*24*time.Hour) // beyond prod's rotation limit: high
	claims := awstest.GitHubClaims("acme", "payments", "refs/heads/main")
	claims["event_name"] = "schedule"
	rt := awstest.NewActionsRuntime(t, claims)
	gh := prcommenttest.New("", "write-token")
	t.Cleanup(gh.Close)
	repo := newNightlyRepository(t)
	marker, _ := trackissue.Marker(nightlyKey)

	type night struct {
		name        string
		setup       func()
		wantAction  string // the issue step's issue-action output
		wantState   string
		wantEdits   int
		wantInBody  []string
		wantOutcome string // the secretgate step's
	}
	nights := []night{
		{name: "night 1", setup: func() {}, wantAction: "created", wantState: "open", wantEdits: 0,
			wantInBody: []string{"prod/ledger/api", "rotation-overdue", "The full report (JSON, SARIF, Markdown) is the `secretgate-nightly-report` artifact"}, wantOutcome: "failure"},
		{name: "night 2", setup: func() {
			em.CreateSecret(t, "prod/billing/api", `{"api_key":"`+canaries[1]+`"}`, nil)
			em.Backdate("prod/billing/api", 400*24*time.Hour)
		}, wantAction: "updated", wantState: "open", wantEdits: 1,
			wantInBody: []string{"prod/ledger/api", "prod/billing/api"}, wantOutcome: "failure"},
		{name: "night 3", setup: func() {
			sm := secretsmanager.NewFromConfig(em.Config(t))
			for _, name := range []string{"prod/ledger/api", "prod/billing/api"} {
				if _, err := sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
					t.Fatal(err)
				}
			}
		}, wantAction: "closed", wantState: "closed", wantEdits: 2, wantOutcome: "success"},
	}
	for i, n := range nights {
		n.setup()
		r := actNightlyRun(t, actBin, repo, em, rt, gh, strings.Repeat("7", i+1))
		secrets := append(append(slices.Clone(canaries), rt.Tokens()...), rt.RequestToken)
		r.assertNoCanary(t, secrets)
		var rep result.Report
		if err := json.Unmarshal([]byte(readOr(t, filepath.Join(r.out, "report.json"), "")), &rep); err != nil {
			t.Fatalf("%s: report.json: %v\n%s", n.name, err, r.tail())
		}
		if r.outcome != n.wantOutcome {
			var fs []string
			for _, f := range rep.Findings {
				if !f.Waived {
					fs = append(fs, f.Severity.String()+" "+f.Rule+" "+f.Resource+f.File)
				}
			}
			t.Errorf("%s: the secretgate step's outcome %q, want %q (summary %+v, findings %v)", n.name, r.outcome, n.wantOutcome, rep.Summary, fs)
		}
		// The artifact the issue names holds the three reports.
		for _, ext := range []string{".json", ".md", ".sarif"} {
			if m, _ := filepath.Glob(filepath.Join(r.out, "artifact", "secretgate-nightly-report", "*"+ext)); len(m) != 1 {
				t.Errorf("%s: the secretgate-nightly-report artifact holds %v, want one %s report", n.name, m, ext)
			}
		}
		issues := gh.Issues("acme/payments")
		if len(issues) != 1 {
			t.Fatalf("%s: %d issues, want the one tracking issue:\n%s", n.name, len(issues), r.tail())
		}
		is := issues[0]
		action := readOr(t, filepath.Join(r.out, "issue-action"), "")
		if action != n.wantAction || is.State != n.wantState || is.Edits != n.wantEdits {
			t.Errorf("%s: issue-action %q, issue state %q edited %d times; want %q, %q, %d", n.name, action, is.State, is.Edits, n.wantAction, n.wantState, n.wantEdits)
		}
		if !strings.HasPrefix(is.Body, marker+"\n") || !slices.Contains(is.Labels, "secretgate-nightly") || is.User != "github-actions[bot]" {
			t.Errorf("%s: issue by %s, labels %v, body starting %.60q; want secretgate's marker issue labelled secretgate-nightly", n.name, is.User, is.Labels, is.Body)
		}
		if is.Title != trackissue.Title(rep) {
			t.Errorf("%s: issue title %q, want the night's %q", n.name, is.Title, trackissue.Title(rep))
		}
		for _, want := range n.wantInBody {
			if !strings.Contains(is.Body, want) {
				t.Errorf("%s: the issue body lacks %q:\n%s", n.name, want, is.Body)
			}
		}
		for _, c := range secrets {
			if strings.Contains(is.Title+is.Body, c) {
				t.Errorf("%s: a planted key appears in the tracking issue", n.name)
			}
		}
		if n.wantState == "closed" && is.StateReason != "completed" {
			t.Errorf("%s: closed as %q, want completed", n.name, is.StateReason)
		}
		if url := readOr(t, filepath.Join(r.out, "issue-url"), ""); url != "https://github.com/acme/payments/issues/1" {
			t.Errorf("%s: issue-url %q", n.name, url)
		}
	}
	if n := len(gh.Comments("acme/payments", 1)); n != 0 {
		t.Errorf("%d comments were posted; the tracking issue is edited in place, never commented on", n)
	}
}

// newNightlyRepository is a copy of this repository with the nightly
// example in .github/workflows, edited to run here: the repository copied
// into the workspace after the checkout, this checkout's action (./), and
// a last step that hands the results to the test. The configuration is
// the repository's own, trusting acme/payments (the role's trust names
// it).
func newNightlyRepository(t *testing.T) string {
	t.Helper()
	pr := newPRRepository(t)
	wf := readWorkflow(t, nightlyWorkflow)
	job := wf["jobs"].(map[string]any)["secretgate"].(map[string]any)
	var steps []any
	issue := false
	for _, s := range job["steps"].([]any) {
		st := s.(map[string]any)
		uses, _ := st["uses"].(string)
		switch {
		case strings.HasPrefix(uses, "actions/checkout@"):
			steps = append(steps, st, copyStep)
			continue
		case strings.HasPrefix(uses, "secretgate/secretgate@"):
			st["uses"] = "./"
		case st["id"] == "issue":
			issue = true
		}
		steps = append(steps, st)
	}
	if !issue {
		t.Fatalf("%s has no step with id issue", nightlyWorkflow)
	}
	job["steps"] = append(steps, map[string]any{
		"name": "Hand the results to the test",
		"if":   "always()",
		"env": map[string]any{
			"OUTCOME":      "${{ steps.secretgate.outcome }}",
			"REPORT_JSON":  "${{ steps.secretgate.outputs.report-json }}",
			"ISSUE_ACTION": "${{ steps.issue.outputs.issue-action }}",
			"ISSUE_URL":    "${{ steps.issue.outputs.issue-url }}",
		},
		"run": `printf '%s' "$OUTCOME" >"$OUT/outcome"
if [ -n "$REPORT_JSON" ]; then cp "$REPORT_JSON" "$OUT/report.json"; fi
printf '%s' "$ISSUE_ACTION" >"$OUT/issue-action"
printf '%s' "$ISSUE_URL" >"$OUT/issue-url"
`,
	})
	writeJSONOrYAML(t, filepath.Join(pr.dir, ".github", "workflows", nightlyWorkflow), wf)
	b, err := os.ReadFile(filepath.Join(pr.dir, ".secretgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), "repositories: [secretgate/secretgate]", "repositories: [secretgate/secretgate, acme/payments]", 1)
	if cfg == string(b) {
		t.Fatal("the repository's .secretgate.yml no longer lists github.repositories as the test expects")
	}
	pr.commit(t, "main", "", map[string]string{".secretgate.yml": cfg})
	return pr.dir
}

// actNightlyRun runs the nightly workflow once (schedule) with act.
func actNightlyRun(t *testing.T, actBin, repo string, em *awstest.Emulator, rt *awstest.ActionsRuntime, gh *prcommenttest.Server, runID string) *actResult {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "docs/examples/workflows", nightlyWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	local := func(action, dir string) string {
		return action + "@" + regexpPinIn(t, raw, action) + "=" + filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions", dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, actBin, "schedule",
		"-W", filepath.Join(repo, ".github", "workflows", nightlyWorkflow),
		"-P", "ubuntu-latest=-self-hosted",
		"--json", "--no-cache-server", "--actor", "dev",
		"--local-repository", local("actions/cache", "cache-store"),
		"--local-repository", local("actions/upload-artifact", "upload-artifact"),
		"--local-repository", local("github/codeql-action", "codeql-action"),
		"--local-repository", "actions/setup-go@"+actionPin(t, "actions/setup-go")+"="+filepath.Join(repoRoot(t), "internal/actiontest/testdata/actions/setup-go"),
		"--env", "SRC="+repo, "--env", "OUT="+out, "--env", "CACHE="+filepath.Join(out, "cache"),
		"--env", "GITHUB_RUN_ID="+runID,
		"--env", "GITHUB_API_URL="+gh.APIURL(),
		"--env", "ACTIONS_ID_TOKEN_REQUEST_URL="+rt.URL,
		"--env", "ACTIONS_ID_TOKEN_REQUEST_TOKEN="+rt.RequestToken,
		"--env", "AWS_ENDPOINT_URL="+em.URL,
		"--env", "AWS_EC2_METADATA_DISABLED=true",
		"--env", "AWS_CONFIG_FILE=/dev/null",
		"--env", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"-s", "GITHUB_TOKEN=write-token")
	cmd.Dir = repo
	cmd.Env = actEnv()
	b, err := cmd.CombinedOutput()
	r := &actResult{log: string(b), out: out}
	if err != nil {
		r.exit = exitCode(t, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("act did not finish in time:\n%s", r.tail())
	}
	r.outcome = readOr(t, filepath.Join(out, "outcome"), "")
	if r.outcome == "" {
		t.Fatalf("the nightly job handed nothing over (act exit %d):\n%s", r.exit, r.tail())
	}
	return r
}
