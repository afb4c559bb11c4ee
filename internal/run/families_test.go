package run

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
)

// TestCompiledFamilies: a run compiles the selected families' built-in
// rules, without resolve when offline, with trust (the refusal explainer)
// when live.
func TestCompiledFamilies(t *testing.T) {
	all := []string{"naming", "rotation", "iam", "trust", "leaks", "resolve"}
	for _, tc := range []struct {
		name     string
		selected []string
		live     bool
		want     []string
	}{
		{"offline, everything", all, false, []string{"naming", "rotation", "iam", "trust", "leaks"}},
		{"live, everything", all, true, all},
		{"offline --only naming", []string{"naming"}, false, []string{"naming"}},
		{"live --only resolve", []string{"resolve"}, true, []string{"resolve", "trust"}},
		{"offline --only resolve", []string{"resolve"}, false, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, compiledFamilies(tc.selected, tc.live)); diff != "" {
				t.Errorf("compiledFamilies(%v, live %v) (-want +got):\n%s", tc.selected, tc.live, diff)
			}
		})
	}
}

// TestFromRepository: without live AWS, the naming, rotation, IAM and
// trust rules are left out only when the repository was read in time and
// holds none of their facts; otherwise every selected family compiles.
func TestFromRepository(t *testing.T) {
	all := []string{"naming", "rotation", "iam", "trust", "leaks", "resolve"}
	everything := []string{"naming", "rotation", "iam", "trust", "leaks"}
	read := func(found bool) *repoRead {
		r := newRepoRead()
		r.report(found)
		r.report(!found) // the first report counts
		return r
	}
	started := func() *repoRead {
		r := newRepoRead()
		r.start()
		return r
	}
	for _, tc := range []struct {
		name     string
		read     *repoRead
		selected []string
		want     []string
	}{
		{"nothing found", read(false), all, []string{"leaks"}},
		{"facts found", read(true), all, everything},
		{"not read in time", started(), all, everything},
		{"reading never started, run ended", newRepoRead(), all, everything},
		{"no signal", nil, all, everything},
		{"nothing found, --only trust", read(false), []string{"trust"}, []string{}},
		{"--only leaks does not wait", newRepoRead(), []string{"leaks"}, []string{"leaks"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			got := fromRepository(ctx, tc.read, tc.selected, 10*time.Millisecond)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fromRepository(%v) (-want +got):\n%s", tc.selected, diff)
			}
		})
	}
}

// TestRepoFilesReportsFacts: the repository gatherer tells whether it
// found roles, policies or secrets, and a repository it could not read
// counts as one with facts.
func TestRepoFilesReportsFacts(t *testing.T) {
	empty := t.TempDir()
	withRole := t.TempDir()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if err := os.WriteFile(filepath.Join(withRole, "role-trust.json"), []byte(trust), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, root string
		want       bool
	}{
		{"empty", empty, false},
		{"a trust policy", withRole, true},
		{"missing", filepath.Join(empty, "missing"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := newRepoRead()
			g := &RepoFiles{Root: tc.root, Read: read}
			g.Gather(context.Background(), &facts.Input{})
			select {
			case <-read.done:
			default:
				t.Fatal("no report")
			}
			if read.found != tc.want {
				t.Errorf("found = %v, want %v", read.found, tc.want)
			}
		})
	}
}

// TestFromRepositoryPatienceCountsFromTheStart: the time the run takes to
// set up before the repository's reading starts is not counted against
// the compilation's patience.
func TestFromRepositoryPatienceCountsFromTheStart(t *testing.T) {
	all := []string{"naming", "rotation", "iam", "trust", "leaks"}
	r := newRepoRead()
	go func() {
		time.Sleep(100 * time.Millisecond) // setting up, longer than the patience
		r.start()
		r.report(false) // a read within the patience
	}()
	got := fromRepository(context.Background(), r, all, 50*time.Millisecond)
	if diff := cmp.Diff([]string{"leaks"}, got); diff != "" {
		t.Errorf("fromRepository (-want +got):\n%s", diff)
	}
}
