package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/result"
)

// The judge of a pull request — the configuration and its waivers and
// fail_on, the repository's Rego policies, .gitleaks.toml and
// .gitleaksignore — comes from the base of the range, never from the
// change under review. A pull request that adds an admin policy and a
// leaked key, and with it any one way of silencing them, still fails; the
// report names the judge change and what it would have hidden.

const judgeBaseConfig = "github:\n  repositories: [acme/app]\n"

// adminPolicy allows every action on every resource: iam-wildcard-action.
const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}` + "\n"

// judgeRepo makes a repository whose base commit holds judgeBaseConfig and
// whose head commit adds an admin policy, a leaked key and the files of
// silence; it returns the repository and the base commit.
func judgeRepo(t *testing.T, silence map[string]string) (dir, base string) {
	t.Helper()
	dir = leakRepo(t)
	writeIn(t, dir, ".secretgate.yml", judgeBaseConfig)
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base: the maintainers' judge")
	base = gitIn(t, dir, "rev-parse", "HEAD")
	writeIn(t, dir, "iam/deploy.json", adminPolicy)
	writeIn(t, dir, "app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	for rel, content := range silence {
		writeIn(t, dir, rel, content)
	}
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "head: the change under review")
	return dir, base
}

// silencers are the ways a pull request could switch its own judge off.
var silencers = []struct {
	name    string
	files   map[string]string
	changed string // a judge file the report must name
	effect  string // words of what the change would do
}{
	{"waivers", map[string]string{".secretgate.yml": judgeBaseConfig + `waivers:
  - rule: iam-wildcard-action
    resource: deploy
    reason: needed
    owner: attacker
    expires: 2027-01-01
  - rule: leaks-secret
    resource: app.env
    reason: test key
    owner: attacker
    expires: 2027-01-01
`}, ".secretgate.yml", "waive"},
	{"fail_on never", map[string]string{".secretgate.yml": judgeBaseConfig + "fail_on: never\n"}, ".secretgate.yml", "fail_on"},
	{"exclude everything", map[string]string{".secretgate.yml": judgeBaseConfig + "exclude: [\"**\"]\n"}, ".secretgate.yml", "hide"},
	{"gitleaksignore", map[string]string{".gitleaksignore": "app.env:aws-access-token:1\n"}, ".gitleaksignore", "hide"},
	{"gitleaks config without rules", map[string]string{".gitleaks.toml": "title = \"none\"\n"}, ".gitleaks.toml", "hide"},
	{"gitleaks allowlist", map[string]string{".gitleaks.toml": "[extend]\nuseDefault = true\n[allowlist]\npaths = ['''.*''']\n"}, ".gitleaks.toml", "hide"},
	{"rego rule reusing a built-in id", map[string]string{
		".secretgate.yml": judgeBaseConfig + "policies: [policy/]\n",
		"policy/quiet.rego": `# METADATA
# title: Quiet
# custom:
#   id: iam-wildcard-action
#   check: iam
#   severity: low
#   remediation: none
package secretgate.rules.iam.quiet

import rego.v1

deny contains {"rule": "iam-wildcard-action", "resource": "x"} if false
`}, "policy/quiet.rego", "hide"},
}

func TestPullRequestCannotChooseItsJudge(t *testing.T) {
	for _, s := range silencers {
		t.Run(s.name, func(t *testing.T) {
			dir, base := judgeRepo(t, s.files)
			r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir,
				"--diff", base+"..HEAD", "--now", now, "--format", "json")
			if r.code != result.ExitFindings {
				t.Fatalf("exit %d, want %d (the base judge fails the change)\nstderr: %s", r.code, result.ExitFindings, r.stderr)
			}
			rep := jsonReport(t, r)
			for _, rule := range []string{"iam-wildcard-action", "leaks-secret"} {
				f, ok := findingOf(rep, rule)
				if !ok || f.Waived {
					t.Errorf("%s: found %v, waived %v; want it reported, unwaived (the base judge decides)", rule, ok, f.Waived)
				}
			}
			jf, ok := findingOf(rep, "config-judge-changed")
			if !ok {
				t.Fatalf("no config-judge-changed finding; rules: %v", rules(rep))
			}
			if jf.Severity != result.SeverityHigh || jf.Waived {
				t.Errorf("config-judge-changed: severity %s, waived %v; want high, unwaived", jf.Severity, jf.Waived)
			}
			if !strings.Contains(jf.Message, s.changed) || !strings.Contains(jf.Message, s.effect) {
				t.Errorf("config-judge-changed message %q: want it to name %q and say %q", jf.Message, s.changed, s.effect)
			}
		})
	}
}

// A local run (and pre-commit, and nightly) judges with the checkout's
// files: the owner of the working tree is the one choosing.
func TestLocalRunUsesTheCheckoutsJudge(t *testing.T) {
	dir, _ := judgeRepo(t, silencers[1].files) // fail_on: never
	r := secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now, "--format", "json")
	if r.code != result.ExitOK {
		t.Fatalf("exit %d, want 0 (fail_on: never from the checkout)\nstderr: %s", r.code, r.stderr)
	}
	if _, ok := findingOf(jsonReport(t, r), "config-judge-changed"); ok {
		t.Error("a local run reports a judge change; only a range has a base to compare with")
	}
}

func findingOf(rep result.Report, rule string) (result.Finding, bool) {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return f, true
		}
	}
	return result.Finding{}, false
}

// prCheckout copies src into a new git repository of one commit and returns
// the repository and the commit: the checkout of a pull request whose base
// holds the same judge files, for tests about other things than the judge.
func prCheckout(t *testing.T, src string) (dir, sha string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	return dir, gitIn(t, dir, "rev-parse", "HEAD")
}

// A pull-request run needs a base to read its judge from: without one it
// stops (exit 2) rather than trust the checkout, and says what to do.
func TestPullRequestWithoutBase(t *testing.T) {
	dir, _ := prCheckout(t, repo("clean"))
	r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir, "--now", now)
	if r.code != result.ExitUsage || !strings.Contains(r.stderr, "--diff BASE..HEAD") || !strings.Contains(r.stderr, "--mode local") {
		t.Errorf("exit %d, stderr %q; want 2 and the ways out", r.code, r.stderr)
	}
	// A base the clone lacks: the advice of a shallow clone.
	g := actions(t, nil, "pull_request", "pull_request", sha2, sha1)
	r = secretgate(t, g.env, "check", "--offline", "--path", dir, "--now", now)
	if r.code != result.ExitUsage || !strings.Contains(r.stderr, "not in this clone") || !strings.Contains(r.stderr, "fetch-depth: 0") {
		t.Errorf("exit %d, stderr %q; want 2 and how to fetch the base", r.code, r.stderr)
	}
}

// Green must be earned: an empty directory has nothing to judge, and the
// run says so instead of PASSED; each check is no-input, not ok.
func TestEmptyDirectoryIsNotAPass(t *testing.T) {
	dir := t.TempDir()
	r := secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now)
	if r.code != result.ExitOK || strings.Contains(r.stdout, "PASSED") || !strings.Contains(r.stdout, "NOTHING JUDGED") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	rep := jsonReport(t, secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now, "--format", "json"))
	for _, c := range rep.Checks {
		if c.Status == result.StatusOK {
			t.Errorf("check %s is ok with nothing to judge", c.ID)
		}
	}
	if rep.Judged() {
		t.Error("the report of an empty directory reads as judged")
	}
}

// The severity of a judge change is the base configuration's
// judge_changes; the change cannot lower it for itself.
func TestJudgeChangeSeverityComesFromTheBase(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		head     string
		wantSev  result.Severity
		wantExit int
	}{
		{"the base lowers it", judgeBaseConfig + "judge_changes: medium\n", judgeBaseConfig + "judge_changes: medium\nexclude: [docs/**]\n", result.SeverityMedium, result.ExitOK},
		{"the change cannot", judgeBaseConfig, judgeBaseConfig + "judge_changes: info\n", result.SeverityHigh, result.ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := leakRepo(t)
			writeIn(t, dir, ".secretgate.yml", tt.base)
			gitIn(t, dir, "add", "-A")
			gitIn(t, dir, "commit", "-q", "-m", "base")
			base := gitIn(t, dir, "rev-parse", "HEAD")
			writeIn(t, dir, ".secretgate.yml", tt.head)
			gitIn(t, dir, "commit", "-q", "-am", "head")
			r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--now", now, "--format", "json")
			if r.code != tt.wantExit {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, tt.wantExit, r.stderr)
			}
			f, ok := findingOf(jsonReport(t, r), "config-judge-changed")
			if !ok || f.Severity != tt.wantSev {
				t.Errorf("config-judge-changed found %v, severity %s; want %s", ok, f.Severity, tt.wantSev)
			}
		})
	}
}

// In pr mode the judge comes from the base the event names, even when
// --diff scans a range that starts inside the pull request.
func TestPullRequestJudgeIsTheEventsBase(t *testing.T) {
	dir, base := judgeRepo(t, nil)
	writeIn(t, dir, ".secretgate.yml", judgeBaseConfig+"fail_on: never\n")
	gitIn(t, dir, "commit", "-q", "-am", "silence it")
	writeIn(t, dir, "README.md", "changed\n")
	gitIn(t, dir, "commit", "-q", "-am", "the range --diff names starts here")
	head := gitIn(t, dir, "rev-parse", "HEAD")
	g := actions(t, nil, "pull_request", "pull_request", base, head)
	r := secretgate(t, g.env, "check", "--offline", "--path", dir, "--diff", "HEAD~1..HEAD", "--now", now, "--format", "json", "--github=false")
	if r.code != result.ExitFindings {
		t.Fatalf("exit %d, want 1 (the event's base judges)\nstderr: %s", r.code, r.stderr)
	}
	if _, ok := findingOf(jsonReport(t, r), "config-judge-changed"); !ok {
		t.Error("no config-judge-changed: the judge was not the event's base")
	}
}

// A change whose own judge does not load is still judged by the base's,
// and its error text — from files the change controls, which may name any
// file on the runner — is not repeated in the report.
func TestBrokenChangeJudgeEchoesNothing(t *testing.T) {
	canary := filepath.Join(t.TempDir(), "runner-secret-8f3a2c.toml")
	if err := os.WriteFile(canary, []byte("x = 12345678901234567890123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, base := judgeRepo(t, map[string]string{".gitleaks.toml": "[extend]\npath = \"" + canary + "\"\n"})
	r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--now", now, "--format", "json")
	if r.code != result.ExitFindings {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	f, ok := findingOf(jsonReport(t, r), "config-judge-changed")
	if !ok || !strings.Contains(f.Message, "cannot be used") {
		t.Fatalf("config-judge-changed: %v %q", ok, f.Message)
	}
	for _, leak := range []string{"8f3a2c", "12345678901234567890123", os.TempDir()} {
		if strings.Contains(r.stdout+r.stderr, leak) {
			t.Errorf("the output holds %q from the change's broken judge", leak)
		}
	}
}

// A gitleaks [extend] chain two files deep is the base's all the way: the
// change cannot swap the second file for one that finds nothing.
func TestNestedGitleaksExtendIsTheBases(t *testing.T) {
	dir := leakRepo(t)
	writeIn(t, dir, ".gitleaks.toml", "[extend]\npath = \"gl/a.toml\"\n")
	writeIn(t, dir, "gl/a.toml", "[extend]\npath = \"gl/b.toml\"\n")
	writeIn(t, dir, "gl/b.toml", "[[rules]]\nid = \"aws-access-token\"\nregex = 'AKIA[A-Z2-7]{16}'\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	base := gitIn(t, dir, "rev-parse", "HEAD")
	writeIn(t, dir, "gl/b.toml", "[[rules]]\nid = \"aws-access-token\"\nregex = 'zz[q]{9}'\n")
	writeIn(t, dir, "app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "head")
	// From elsewhere than the repository: paths are the repository's.
	r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--now", now, "--format", "json")
	if r.code != result.ExitFindings {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := jsonReport(t, r)
	if _, ok := findingOf(rep, "leaks-secret"); !ok {
		t.Errorf("the leak is not found with the base's gitleaks rules; rules: %v", rules(rep))
	}
	if f, ok := findingOf(rep, "config-judge-changed"); !ok || !strings.Contains(f.Message, "gl/b.toml") {
		t.Errorf("config-judge-changed %v %q: want it to name gl/b.toml", ok, f.Message)
	}
}

// An inline gitleaks:allow marker is a judge of its own: on a line the
// pull request adds, it hides nothing; elsewhere (a local run, and the
// lines a range does not add) gitleaks' behaviour stands.
func TestAddedAllowMarkerHidesNothingInAPullRequest(t *testing.T) {
	dir := leakRepo(t)
	gitIn(t, dir, "add", "-A")
	base := gitIn(t, dir, "rev-parse", "HEAD")
	writeIn(t, dir, "app.env", "aws_access_key_id="+leakstest.AWSKey(t)+" # gitleaks:allow\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "a key, allowed by the change itself")
	r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--now", now, "--format", "json")
	if r.code != result.ExitFindings {
		t.Fatalf("pr mode: exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	if _, ok := findingOf(jsonReport(t, r), "leaks-secret"); !ok {
		t.Error("pr mode: the leak behind the change's own gitleaks:allow is not reported")
	}
	// The working tree, locally: gitleaks' marker is honoured.
	r = secretgate(t, nil, "check", "--offline", "--path", dir, "--only", "leaks", "--now", now, "--format", "json")
	if _, ok := findingOf(jsonReport(t, r), "leaks-secret"); ok || r.code != result.ExitOK {
		t.Errorf("local run: exit %d, leak reported %v; the marker is the owner's choice there", r.code, ok)
	}
}

// A base configuration may name a policy directory outside the repository
// (a team's shared rules): a pull request reads it from where it is, and
// its own copies of the repository's policy directories from the base.
func TestBasePolicyDirectoryOutsideTheRepository(t *testing.T) {
	shared := t.TempDir()
	writeIn(t, shared, "extra.rego", `# METADATA
# title: Every README is reported
# custom:
#   id: acme-readme
#   check: leaks
#   severity: low
#   remediation: none
package secretgate.rules.leaks.acme

import rego.v1

deny contains {"rule": "acme-readme", "resource": "README.md"} if true
`)
	// The base's configuration names ../…/shared; the pull request builds
	// on it.
	dir2 := leakRepo(t)
	rel, err := filepath.Rel(dir2, shared)
	if err != nil {
		t.Fatal(err)
	}
	writeIn(t, dir2, ".secretgate.yml", judgeBaseConfig+"policies: ["+filepath.ToSlash(rel)+"]\n")
	gitIn(t, dir2, "add", "-A")
	gitIn(t, dir2, "commit", "-q", "-m", "base")
	base2 := gitIn(t, dir2, "rev-parse", "HEAD")
	writeIn(t, dir2, "README.md", "changed\n")
	gitIn(t, dir2, "commit", "-q", "-am", "head")
	r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir2, "--diff", base2+"..HEAD", "--now", now, "--format", "json")
	if r.code != result.ExitOK {
		t.Fatalf("exit %d, want 0\nstderr: %s", r.code, r.stderr)
	}
	if _, ok := findingOf(jsonReport(t, r), "acme-readme"); !ok {
		t.Error("the shared policy directory's rule did not run")
	}
}

// A pull request chooses the bytes of what it adds: a key after kilobytes
// of control bytes (not "mostly text" by its start) is still found in pr
// mode, as the working-tree scan finds it.
func TestKeyAfterABinaryLookingStartInAPullRequest(t *testing.T) {
	dir := leakRepo(t)
	base := gitIn(t, dir, "rev-parse", "HEAD")
	control := strings.Repeat("\x00\x01\x02\x03\x04\x05\x06\x07", 1200) // 9.6 KB; git calls it binary
	writeIn(t, dir, "blob.txt", control+"\naws_access_key_id = "+leakstest.AWSKey(t)+"\n"+strings.Repeat("plain text line\n", 2000))
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "hide a key behind control bytes")
	r := secretgate(t, nil, "check", "--offline", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--now", now, "--format", "json")
	if r.code != result.ExitFindings {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	f, ok := findingOf(jsonReport(t, r), "leaks-secret")
	if !ok || f.File != "blob.txt" || f.Line != 2 {
		t.Errorf("leaks-secret %v at %s:%d, want blob.txt:2", ok, f.File, f.Line)
	}
}
