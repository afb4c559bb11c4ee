package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/progress"
	"github.com/secretgate/secretgate/internal/result"
)

// named is a gatherer that records when it ran; with after set it is a
// Dependent.
type named struct {
	name  string
	after []Gatherer
	ran   *[]string
}

func (g *named) Name() string       { return g.name }
func (g *named) Families() []string { return []string{result.CheckNaming} }
func (g *named) Gather(context.Context, *facts.Input) Outcome {
	*g.ran = append(*g.ran, g.name)
	return Outcome{}
}

type dependent struct{ *named }

func (d dependent) After() []Gatherer { return d.after }

// TestDependencyOrder: a Dependent's gatherers run before it wherever they
// are listed; one that is not listed is not run for it.
func TestDependencyOrder(t *testing.T) {
	var ran []string
	resolver := &named{name: "resolver", ran: &ran}
	unlisted := &named{name: "unlisted", ran: &ran}
	scanner := dependent{&named{name: "scanner", after: []Gatherer{resolver, unlisted}, ran: &ran}}
	repo := &named{name: "repo", ran: &ran}
	opts := options(t, repo, scanner, resolver)
	if _, err := Pipeline(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"repo", "resolver", "scanner"}, ran); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// offlinePlan is an offline plan of every family over root.
func offlinePlan(root string, cfg *config.Config) Plan {
	fams, notSelected, _ := SelectFamilies(nil, nil)
	return Plan{
		Root: root, Config: cfg, Families: fams, NotSelected: notSelected,
		Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Offline: true,
		Env: func(string) string { return "" },
	}
}

// TestCheckOffline: Check builds the gatherers from the plan and returns
// the finished report: an offline run skips resolve, and over an empty
// directory every other check has nothing to judge — no input, not ok.
func TestCheckOffline(t *testing.T) {
	root := t.TempDir()
	done, err := Check(context.Background(), offlinePlan(root, config.Default()))
	if err != nil {
		t.Fatal(err)
	}
	if done.LiveSkipped != "" || done.ReleaseErr != nil {
		t.Errorf("live skipped %q, release error %v", done.LiveSkipped, done.ReleaseErr)
	}
	got := map[string]string{}
	for _, c := range done.Report.Checks {
		got[c.ID] = string(c.Status) + " " + c.Reason
	}
	want := map[string]string{
		"naming": "no-input ", "rotation": "no-input ", "iam": "no-input ", "trust": "no-input ", "leaks": "no-input ",
		"resolve": "skipped offline run",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if done.Report.Judged() {
		t.Error("an empty directory reads as judged")
	}
}

// TestCheckUnknownWaiverRule: a waiver naming no rule of the catalogue is
// the user's to fix (a *UsageError at its line).
func TestCheckUnknownWaiverRule(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, config.FileName)
	if err := os.WriteFile(path, []byte("waivers:\n  - {rule: no-such-rule, reason: x, owner: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(context.Background(), offlinePlan(root, cfg))
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `unknown rule "no-such-rule"`) || !strings.Contains(err.Error(), ":2:") {
		t.Errorf("err = %v, want a usage error naming the unknown rule at line 2", err)
	}
}

// TestCheckShowsProgress: each gatherer and the evaluation is a phase of
// the run's progress; the leak scanner counts the files it scanned. (A
// Meter outside a terminal leaves one line per phase, here every phase:
// ShowAfter(0).)
func TestCheckShowsProgress(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"a.txt", "b.txt", "c.json"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte("nothing to see\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log strings.Builder
	p := offlinePlan(root, config.Default())
	p.Progress = progress.New(&log, false).ShowAfter(0)
	if _, err := Check(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	p.Progress.Stop()
	for _, want := range []string{"secretgate: leak scanner: 3 files in ", "secretgate: policy evaluation took "} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("progress %q lacks %q", log.String(), want)
		}
	}
}

// TestCheckHeadSHA: the commit looked up while the run gathers
// (Plan.HeadSHA) becomes the report's, unless the plan already names one
// (GITHUB_SHA), which it never overrides.
func TestCheckHeadSHA(t *testing.T) {
	const looked, given = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	for _, tt := range []struct {
		name, sha, want string
	}{
		{"looked up", "", looked},
		{"given", given, given},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := offlinePlan(t.TempDir(), config.Default())
			p.Context.SHA = tt.sha
			p.HeadSHA = func() string { return looked }
			done, err := Check(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if done.Report.Context.SHA != tt.want {
				t.Errorf("report's commit %q, want %q", done.Report.Context.SHA, tt.want)
			}
		})
	}
}
