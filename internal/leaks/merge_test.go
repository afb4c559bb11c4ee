package leaks

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// A key added by a merge commit itself (an "evil merge": in neither
// parent) is found in a range and in history; the lines the merge only
// brings in from its parents are not blamed on it, and the key an
// ordinary commit adds is found beside it (git prints merges and other
// commits in two processes, whose patches are scanned together).
func TestMergeCommitIsScanned(t *testing.T) {
	if !remergeDiff() {
		t.Skip("git older than 2.36 has no --remerge-diff")
	}
	r, base, side, merge := evilMergeRepo(t)
	cacheDir := t.TempDir()
	for _, sc := range []Scope{{Kind: Range, Base: base, Head: "HEAD"}, {Kind: History}, {Kind: History}} {
		t.Run(sc.String(), func(t *testing.T) {
			res, err := scanErr(t, r.dir, sc, func(s *Scanner) { s.CacheDir = cacheDir })
			if err != nil {
				t.Fatal(err)
			}
			checkEvilMerge(t, res, side, merge)
		})
	}
}

// evilMergeRepo is a repository whose last commit merges a branch that
// adds a key and adds another key itself.
func evilMergeRepo(t *testing.T) (r *repo, base, side, merge string) {
	r = newRepo(t)
	r.write("README.md", "hello\n")
	base = r.commit("base", "A")
	r.git("checkout", "-q", "-b", "side")
	r.write("side.env", "aws_access_key_id = "+leakstest.AWSKey(t)+"\n")
	side = r.commit("side", "B")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "main\n")
	r.commit("main moves on", "A")
	r.git("merge", "-q", "--no-ff", "--no-commit", "side")
	r.write("app.env", "aws_access_key_id = "+leakstest.AWSKey(t)+"\n")
	r.git("add", "-A")
	merge = r.commit("merge side", "Mallory")
	return r, base, side, merge
}

// checkEvilMerge checks the findings of a scan of evilMergeRepo.
func checkEvilMerge(t *testing.T, res *Result, side, merge string) {
	t.Helper()
	if got := awsWhere(res); !slices.Equal(got, []string{"app.env:1", "side.env:1"}) {
		t.Errorf("findings %v, want [app.env:1 side.env:1]", got)
	}
	want := map[string]string{"app.env": merge, "side.env": side}
	for _, f := range awsFindings(res) {
		if f.Commit != want[f.File] {
			t.Errorf("%s attributed to %s, want %s", f.File, f.Commit, want[f.File])
		}
	}
}

// Re-merging, git writes scratch objects: with a tmpfs at hand, into an
// object directory of its own there, removed after the scan, reading the
// repository's objects (and the alternates the environment names, as in
// a pre-receive hook's quarantine) as alternates; the evil merge is found
// all the same. Without a tmpfs git is left as it is.
func TestRemergeScratchInMemory(t *testing.T) {
	if !remergeDiff() {
		t.Skip("git older than 2.36 has no --remerge-diff")
	}
	r, _, side, merge := evilMergeRepo(t)
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	bin, log := t.TempDir(), filepath.Join(t.TempDir(), "env.log")
	script := "#!/bin/sh\ncase \" $* \" in *\" --remerge-diff \"*) printf '%s\\n%s\\n' \"$GIT_OBJECT_DIRECTORY\" \"$GIT_ALTERNATE_OBJECT_DIRECTORIES\" >>'" + log + "';; esac\nexec '" + realGit + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(filepath.ListSeparator)+os.Getenv("PATH"))
	quarantine := t.TempDir()
	t.Setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", quarantine)

	checkEvilMerge(t, scan(t, r.dir, Scope{Kind: History}), side, merge)

	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("git --remerge-diff ran with %q, want one run", lines)
	}
	objects, alternates := lines[0], lines[1]
	memory := runtime.GOOS == "linux" && inMemory("/dev/shm") && freeBytes("/dev/shm") >= scratchMinFree
	if !memory {
		if objects != "" || alternates != quarantine {
			t.Errorf("without a tmpfs: GIT_OBJECT_DIRECTORY %q, alternates %q; want git's own", objects, alternates)
		}
		return
	}
	if objects == "" || !inMemory(filepath.Dir(objects)) {
		t.Errorf("GIT_OBJECT_DIRECTORY %q, want a directory on a tmpfs", objects)
	}
	if _, err := os.Stat(objects); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s left behind (%v)", objects, err)
	}
	want := filepath.Join(r.dir, ".git", "objects") + string(filepath.ListSeparator) + quarantine
	if alternates != want {
		t.Errorf("GIT_ALTERNATE_OBJECT_DIRECTORIES %q, want %q", alternates, want)
	}
}

func TestRemergeEnv(t *testing.T) {
	for _, tc := range []struct {
		objects, scratch, alternates string
		want                         []string
	}{
		{"/r/.git/objects", "/dev/shm/s", "", []string{"GIT_OBJECT_DIRECTORY=/dev/shm/s", "GIT_ALTERNATE_OBJECT_DIRECTORIES=/r/.git/objects"}},
		{"/r/.git/objects", "/dev/shm/s", "/q/objects", []string{"GIT_OBJECT_DIRECTORY=/dev/shm/s", "GIT_ALTERNATE_OBJECT_DIRECTORIES=/r/.git/objects:/q/objects"}},
		{"/r:x/.git/objects", "/dev/shm/s", "", nil}, // a colon would split it
		{"/r\"x/.git/objects", "/dev/shm/s", "", nil},
		{".git/objects", "/dev/shm/s", "", nil},
	} {
		got, ok := remergeEnv(tc.objects, tc.scratch, tc.alternates)
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("remergeEnv(%q, %q, %q) = %q, %v; want %q", tc.objects, tc.scratch, tc.alternates, got, ok, tc.want)
		}
	}
}

// With a cache, each git log command is handed only the pending commits
// it prints — the ordinary ones to the first, the merges to the one that
// re-merges — and a command with none is not started: a warm history
// scan with one new commit starts one git log, not two (and, with no
// merge to print, needs no --no-merges).
func TestPatchRunsSplitPending(t *testing.T) {
	if !remergeDiff() {
		t.Skip("git older than 2.36 has no --remerge-diff")
	}
	target := Target{Scope: Scope{Kind: History}, Git: &Repo{}}
	type run struct {
		remerge, noMerges bool
		stdin             string
	}
	tests := []struct {
		name    string
		caching bool
		pending pendingCommits
		want    []run
	}{
		{"no cache: both, reading no input", false, pendingCommits{}, []run{{false, true, ""}, {true, false, ""}}},
		{"one new ordinary commit", true, pendingCommits{ordinary: []string{"a1"}}, []run{{false, false, "a1\n"}}},
		{"only merges", true, pendingCommits{merges: []string{"m1", "m2"}}, []run{{true, false, "m1\nm2\n"}}},
		{"both", true, pendingCommits{ordinary: []string{"a1", "a2"}, merges: []string{"m1"}}, []run{{false, true, "a1\na2\n"}, {true, false, "m1\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []run
			for _, r := range patchRuns(target, tt.caching, tt.pending) {
				if tt.caching != slices.Contains(r.args, "--stdin") {
					t.Errorf("%v: --stdin when caching only", r.args)
				}
				got = append(got, run{slices.Contains(r.args, "--remerge-diff"), slices.Contains(r.args, "--no-merges"), r.stdin})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("runs %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRevListLine(t *testing.T) {
	tests := []struct {
		line, sha string
		parents   []string
	}{
		{"a1\n", "a1", nil},                                        // a root or shallow boundary commit
		{"a1 p1", "a1", []string{"p1"}},                            // an ordinary commit
		{"a1 p1 p2", "a1", []string{"p1", "p2"}},                   // a merge
		{"a1 p1 p2 p3 p4", "a1", []string{"p1", "p2", "p3", "p4"}}, // an octopus merge
		{"  a1 p1  \r", "a1", []string{"p1"}},                      // stray spaces
		{"", "", nil},
	}
	for _, tt := range tests {
		sha, parents := revListLine(tt.line)
		if sha != tt.sha || !slices.Equal(parents, tt.parents) {
			t.Errorf("revListLine(%q) = %q, %q; want %q, %q", tt.line, sha, parents, tt.sha, tt.parents)
		}
	}
}
