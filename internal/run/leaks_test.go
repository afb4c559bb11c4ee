package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// gitRepo is a git repository in a temporary directory, with the user's
// and the system's git configuration kept out.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.git("config", "user.name", "Test User")
	r.git("config", "user.email", "test@example.com")
	r.git("config", "commit.gpgsign", "false")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) commit(msg, author string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("-c", "user.name="+author, "commit", "-q", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// leakRun runs the pipeline with the leaks family only, through the real
// policy engine.
func leakRun(t *testing.T, g *Leaks, waivers []facts.Waiver, onInput func(*facts.Input) error) result.Report {
	t.Helper()
	eng, err := policy.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	fc := cfg.Facts()
	fc.Waivers = waivers
	rep, err := Pipeline(context.Background(), Options{
		Config:       fc,
		Environments: cfg,
		Engine:       eng,
		Gatherers:    []Gatherer{g},
		Families:     []string{result.CheckLeaks},
		Threshold:    result.Threshold{Min: result.SeverityHigh},
		Now:          testNow,
		OnInput:      onInput,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func newLeaks(t *testing.T, dir string, scope leaks.Scope) *Leaks {
	t.Helper()
	g, err := NewLeaks(context.Background(), dir, LeakOptions{Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestLeaksSeverityWaiverAndStatus(t *testing.T) {
	r := newGitRepo(t)
	r.write("config/prod/app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	r.write("testdata/keys.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	r.write("src/app.py", "KEY = '"+leakstest.AWSKey(t)+"'\n")
	r.commit("init", "Alice")

	waiver := facts.Waiver{Rule: "leaks-secret", Resource: "testdata/**", Reason: "fake keys for tests", Owner: "platform"}
	rep := leakRun(t, newLeaks(t, r.dir, leaks.Scope{}), []facts.Waiver{waiver}, nil)

	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Rule != "leaks-secret" || f.Check != result.CheckLeaks || f.Fingerprint == "" || f.Line != 1 || f.File != f.Resource {
			t.Errorf("finding %+v", f)
		}
		state := f.Severity.String()
		if f.Waived {
			state += " waived"
		}
		got[f.File] = state
	}
	want := map[string]string{
		"config/prod/app.env": "critical",
		"src/app.py":          "high",
		"testdata/keys.env":   "medium waived",
	}
	for file, w := range want {
		if got[file] != w {
			t.Errorf("%s: %q, want %q (all: %v)", file, got[file], w, got)
		}
	}
	if c := statusOf(rep, result.CheckLeaks); c.Status != result.StatusFailed || c.Resources != 3 {
		t.Errorf("leaks check %+v", c)
	}
	if rep.ExitCode() != result.ExitFindings {
		t.Errorf("exit %d", rep.ExitCode())
	}
}

func TestLeaksRangeAttributesCommit(t *testing.T) {
	r := newGitRepo(t)
	r.write("README.md", "hi\n")
	base := r.commit("base", "Base")
	r.write("deploy/prod.env", "k="+leakstest.AWSKey(t)+"\n")
	sha := r.commit("add config", "Carol Leaker")
	r.write("README.md", "hello\n")
	r.commit("docs", "Dan")

	rep := leakRun(t, newLeaks(t, r.dir, leaks.Scope{Kind: leaks.Range, Base: base, Head: "HEAD"}), nil, nil)
	if len(rep.Findings) != 1 {
		t.Fatalf("findings %+v", rep.Findings)
	}
	f := rep.Findings[0]
	if f.Commit != sha || !strings.Contains(f.Message, "added in commit "+sha[:7]+" by Carol Leaker") || f.Severity != result.SeverityCritical {
		t.Errorf("finding %+v", f)
	}
	if c := statusOf(rep, result.CheckLeaks); c.Resources != 2 {
		t.Errorf("commits scanned %d, want 2", c.Resources)
	}
}

// memLive is an in-memory live value source.
type memLive map[string]string

func (m memLive) Values(_ context.Context, yield func(string, []byte) bool) error {
	for name, v := range m {
		if !yield(name, []byte(v)) {
			return nil
		}
	}
	return nil
}

// TestLeakNeverPrinted plants keys in the working tree, the index and the
// history, one of them a "live" value, and proves that no report format,
// nor the input document, nor the check's error text, holds any of them:
// at most their first four characters survive.
func TestLeakNeverPrinted(t *testing.T) {
	treeKey, stagedKey, historyKey := leakstest.AWSKey(t), leakstest.AWSKey(t), leakstest.AWSKey(t)
	keys := []string{treeKey, stagedKey, historyKey}
	r := newGitRepo(t)
	r.write("app.py", "print('hi')\n")
	r.commit("init", "A")
	r.write("old.env", "k="+historyKey+"\n")
	r.commit("oops", "B")
	r.write("old.env", "k=gone\n")
	r.commit("remove", "B")
	r.write("config/prod/app.env", "aws_access_key_id="+treeKey+" # the live one\n")
	r.commit("live", "C")
	r.write("staged.env", "k="+stagedKey+"\n")
	r.git("add", "staged.env")

	for _, scope := range []leaks.Scope{{}, {Kind: leaks.Staged}, {Kind: leaks.History}} {
		t.Run(scope.String(), func(t *testing.T) {
			g := newLeaks(t, r.dir, scope)
			g.Scanner.Live = memLive{"prod/bybit/api": treeKey}
			var input bytes.Buffer
			rep := leakRun(t, g, nil, func(in *facts.Input) error {
				return json.NewEncoder(&input).Encode(in)
			})
			if len(rep.Findings) == 0 {
				t.Fatal("no findings")
			}
			outputs := map[string]string{"input document": input.String()}
			for _, f := range report.Formats {
				rp, err := report.New(f, report.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := rp.Write(&b, rep); err != nil {
					t.Fatal(err)
				}
				outputs[f] = b.String()
			}
			for _, c := range rep.Checks {
				outputs["check "+c.ID] = c.Error + c.Reason
			}
			for name, out := range outputs {
				for _, k := range keys {
					if strings.Contains(out, k[4:]) || strings.Contains(out, k[:5]) {
						t.Errorf("%s holds (part of) a leaked key beyond its first four characters", name)
					}
				}
			}
			if !strings.Contains(outputs["json"], "AKIA…") {
				t.Error("the JSON report does not show the redacted form")
			}
			if scope.Kind == leaks.WorkingTree && !strings.Contains(outputs["text"], "This is the live value of prod/bybit/api") {
				t.Errorf("no live-value finding:\n%s", outputs["text"])
			}
		})
	}
}

func TestNewLeaksErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, leaks.ConfigFile), []byte("[[rules]]\nid = \"x\"\nregex = '''(oops'''\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := NewLeaks(ctx, dir, LeakOptions{})
	var ce *leaks.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), ".gitleaks.toml") || !strings.Contains(err.Error(), `rule "x"`) {
		t.Errorf("broken .gitleaks.toml: %v", err)
	}
	_, err = NewLeaks(ctx, t.TempDir(), LeakOptions{Scope: leaks.Scope{Kind: leaks.Staged}})
	if err == nil || !strings.Contains(err.Error(), "needs a git repository") {
		t.Errorf("staged outside git: %v", err)
	}
}
