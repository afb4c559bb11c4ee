package leaks

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseScope(t *testing.T) {
	tests := []struct {
		name    string
		staged  bool
		diff    string
		history bool
		want    Scope
		wantErr string
	}{
		{name: "default is the working tree", want: Scope{Kind: WorkingTree}},
		{name: "staged", staged: true, want: Scope{Kind: Staged}},
		{name: "history", history: true, want: Scope{Kind: History}},
		{name: "range", diff: "origin/main..HEAD", want: Scope{Kind: Range, Base: "origin/main", Head: "HEAD"}},
		{name: "three dots mean the same", diff: "origin/main...feature", want: Scope{Kind: Range, Base: "origin/main", Head: "feature"}},
		{name: "empty head is HEAD", diff: "abc123..", want: Scope{Kind: Range, Base: "abc123", Head: "HEAD"}},
		{name: "empty base", diff: "..HEAD", wantErr: "BASE is empty"},
		{name: "no range", diff: "main", wantErr: "want BASE..HEAD"},
		{name: "option as revision", diff: "--output=x..HEAD", wantErr: "is not a revision"},
		{name: "exclusive", staged: true, history: true, wantErr: "mutually exclusive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseScope(tc.staged, tc.diff, tc.history)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestResolveErrors covers the git scopes that cannot be scanned: outside
// a repository, a range end the clone does not have, a shallow clone. Each
// message says what to do.
func TestResolveErrors(t *testing.T) {
	ctx := context.Background()
	plain := t.TempDir()

	r := newRepo(t)
	r.write("a.txt", "one\n")
	first := r.commit("one", "A")
	for i := 2; i <= 3; i++ {
		r.write("a.txt", fmt.Sprintf("%d\n", i))
		r.commit(fmt.Sprint(i), "A")
	}
	// A shallow clone of the last commit only.
	shallow := filepath.Join(t.TempDir(), "shallow")
	runGit(t, t.TempDir(), nil, "clone", "-q", "--depth", "1", "file://"+r.dir, shallow)

	tests := []struct {
		name  string
		dir   string
		scope Scope
		want  []string
	}{
		{"staged outside git", plain, Scope{Kind: Staged}, []string{"--staged needs a git repository", "drop --staged"}},
		{"diff outside git", plain, Scope{Kind: Range, Base: "main", Head: "HEAD"}, []string{"--diff needs a git repository", "actions/checkout"}},
		{"history outside git", plain, Scope{Kind: History}, []string{"--history needs a git repository"}},
		{"unknown base", r.dir, Scope{Kind: Range, Base: "origin/main", Head: "HEAD"}, []string{`BASE "origin/main" is not a commit`, "git fetch origin origin/main"}},
		{"unknown head", r.dir, Scope{Kind: Range, Base: "main", Head: "feature"}, []string{`HEAD "feature" is not a commit`}},
		{"shallow clone lacks base", shallow, Scope{Kind: Range, Base: first, Head: "HEAD"}, []string{"not in this shallow clone", "fetch-depth: 0", "git fetch origin " + first}},
		{"history of a shallow clone", shallow, Scope{Kind: History}, []string{"shallow clone", "fetch-depth: 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(ctx, tc.dir, tc.scope)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}

	t.Run("working tree outside git is fine", func(t *testing.T) {
		tg, err := Resolve(ctx, plain, Scope{})
		if err != nil || tg.Git != nil {
			t.Fatalf("%+v, %v", tg, err)
		}
	})
	t.Run("range is pinned to commit ids", func(t *testing.T) {
		tg, err := Resolve(ctx, r.dir, Scope{Kind: Range, Base: "main~2", Head: "main"})
		if err != nil {
			t.Fatal(err)
		}
		if tg.Git.Base != first || len(tg.Git.Head) != 40 {
			t.Fatalf("base %s head %s", tg.Git.Base, tg.Git.Head)
		}
	})
	t.Run("shallow clone with both ends and their link is fine", func(t *testing.T) {
		deeper := filepath.Join(t.TempDir(), "deeper")
		runGit(t, t.TempDir(), nil, "clone", "-q", "--depth", "2", "file://"+r.dir, deeper)
		if _, err := Resolve(ctx, deeper, Scope{Kind: Range, Base: "HEAD~1", Head: "HEAD"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestResolveSubdirectory(t *testing.T) {
	r := newRepo(t)
	r.write("svc/app.env", "x=1\n")
	r.commit("init", "A")
	tg, err := Resolve(context.Background(), filepath.Join(r.dir, "svc"), Scope{Kind: Staged})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Git.Prefix != "svc/" {
		t.Fatalf("prefix %q", tg.Git.Prefix)
	}
	top, _ := filepath.EvalSymlinks(r.dir)
	got, _ := filepath.EvalSymlinks(tg.Git.Top)
	if got != top {
		t.Fatalf("top %q, want %q", got, top)
	}
}

// The object directory is the one git reads: the repository's from a
// subdirectory and from a linked work tree (its common directory).
func TestResolveObjects(t *testing.T) {
	r := newRepo(t)
	r.write("svc/app.env", "x=1\n")
	r.commit("init", "A")
	linked := filepath.Join(t.TempDir(), "linked")
	r.git("worktree", "add", "-q", linked)
	want, _ := filepath.EvalSymlinks(filepath.Join(r.dir, ".git", "objects"))
	for _, dir := range []string{r.dir, filepath.Join(r.dir, "svc"), linked} {
		tg, err := Resolve(context.Background(), dir, Scope{Kind: History})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := filepath.EvalSymlinks(tg.Git.Objects)
		if got != want || !filepath.IsAbs(tg.Git.Objects) {
			t.Errorf("%s: objects %q, want %q", dir, tg.Git.Objects, want)
		}
	}
}
