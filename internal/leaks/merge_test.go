package leaks

import (
	"slices"
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
	r := newRepo(t)
	r.write("README.md", "hello\n")
	base := r.commit("base", "A")
	r.git("checkout", "-q", "-b", "side")
	r.write("side.env", "aws_access_key_id = "+leakstest.AWSKey(t)+"\n")
	side := r.commit("side", "B")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "main\n")
	r.commit("main moves on", "A")
	r.git("merge", "-q", "--no-ff", "--no-commit", "side")
	r.write("app.env", "aws_access_key_id = "+leakstest.AWSKey(t)+"\n")
	r.git("add", "-A")
	merge := r.commit("merge side", "Mallory")

	cacheDir := t.TempDir()
	for _, sc := range []Scope{{Kind: Range, Base: base, Head: "HEAD"}, {Kind: History}, {Kind: History}} {
		t.Run(sc.String(), func(t *testing.T) {
			res, err := scanErr(t, r.dir, sc, func(s *Scanner) { s.CacheDir = cacheDir })
			if err != nil {
				t.Fatal(err)
			}
			if got := awsWhere(res); !slices.Equal(got, []string{"app.env:1", "side.env:1"}) {
				t.Errorf("findings %v, want [app.env:1 side.env:1]", got)
			}
			want := map[string]string{"app.env": merge, "side.env": side}
			for _, f := range awsFindings(res) {
				if f.Commit != want[f.File] {
					t.Errorf("%s attributed to %s, want %s", f.File, f.Commit, want[f.File])
				}
			}
		})
	}
}
