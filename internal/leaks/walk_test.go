package leaks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// The walk outside git lists every regular file once, and neither .git
// directories (at any depth) nor symbolic links.
func TestWalkFilesLeavesOutGitDirs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{".git/config", "sub/.git/HEAD", "sub/x.txt", "y.txt", "deep/a/b/c.txt"} {
		writeFile(t, dir, f, "text\n")
	}
	if err := os.Symlink("y.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	files, err := walkFiles(context.Background(), dir, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		if f.err != nil || f.info == nil {
			t.Errorf("%s: %v", f.rel, f.err)
		}
		got = append(got, f.rel)
	}
	slices.Sort(got)
	if want := []string{"deep/a/b/c.txt", "sub/x.txt", "y.txt"}; !slices.Equal(got, want) {
		t.Errorf("walked %v, want %v", got, want)
	}
}

// A directory the walk cannot read is reported as skipped, with why, and
// the rest of the tree is scanned: it is not left out unseen.
func TestWalkUnreadableDirectoryIsReported(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	writeFile(t, dir, "b/secret.env", "nothing to see\n")
	defer func(old func(string) ([]os.DirEntry, error)) { readDir = old }(readDir)
	readDir = func(name string) ([]os.DirEntry, error) {
		if filepath.Base(name) == "b" {
			return nil, errors.New("permission denied")
		}
		return os.ReadDir(name)
	}
	res, err := scanErr(t, dir, Scope{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(awsFindings(res)) != 1 {
		t.Errorf("findings %v, want the key in a/", where(res.Findings))
	}
	i := slices.IndexFunc(res.Skipped, func(s Skip) bool { return s.Path == "b" })
	if i < 0 || !strings.Contains(res.Skipped[i].Reason, "cannot be read") || !strings.Contains(res.Skipped[i].Reason, "permission denied") {
		t.Errorf("skipped %v, want b as unreadable", res.Skipped)
	}
}

// A warm history scan with nothing new neither stores an entry nor
// rewrites the cache file: the summary it read is the one it would save.
func TestCacheUnchangedHistoryNotRewritten(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*"+cacheSuffix))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	before, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	res := cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
	after, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if res.Cache.Summarized == 0 || res.Cache.Stored != 0 || !os.SameFile(before, after) || before.Size() != after.Size() {
		t.Errorf("cache %+v; file replaced: %v; want the summary used and the file left as it was", res.Cache, !os.SameFile(before, after))
	}
}
