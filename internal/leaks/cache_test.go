package leaks

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// cachedScan scans dir in scope with a cache in cacheDir ("" for none).
func cachedScan(t *testing.T, dir string, scope Scope, cacheDir string) *Result {
	t.Helper()
	res, err := scanErr(t, dir, scope, func(s *Scanner) { s.CacheDir = cacheDir })
	if err != nil {
		t.Fatalf("scan %s: %v", scope, err)
	}
	return res
}

// withoutCacheStats is a result as a report would show it.
func withoutCacheStats(r *Result) Result {
	c := *r
	c.Cache = CacheStats{}
	return c
}

// cacheRepo is a repository with clean files and commits, one leaked key
// in a commit and in the working tree, and a binary file.
func cacheRepo(t *testing.T) *repo {
	r := newRepo(t)
	for i := range 20 {
		r.write(fmt.Sprintf("src/file%02d.go", i), fmt.Sprintf("package src\n\n// token handling %d\nconst n%d = %d\n", i, i, i))
		r.commit(fmt.Sprintf("commit %d", i), "Dev")
	}
	r.write("config/prod/app.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	r.write("logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
	r.commit("leak", "Leaker")
	return r
}

func TestCacheWorkingTree(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	uncached := cachedScan(t, r.dir, Scope{}, "")
	first := cachedScan(t, r.dir, Scope{}, cacheDir)
	second := cachedScan(t, r.dir, Scope{}, cacheDir)

	tests := []struct {
		name         string
		res          *Result
		hits, misses int
		stored       int
	}{
		// 20 clean Go files and app.env with its finding, redacted
		// (logo.png is left out by gitleaks' path allowlist).
		{"first", first, 0, 21, 21},
		{"second", second, 21, 0, 0},
	}
	for _, tt := range tests {
		c := tt.res.Cache
		if c.Hits != tt.hits || c.Misses != tt.misses || c.Stored != tt.stored || c.Err != "" {
			t.Errorf("%s scan: cache %+v, want %d hits, %d misses, %d stored", tt.name, c, tt.hits, tt.misses, tt.stored)
		}
		if !reflect.DeepEqual(withoutCacheStats(tt.res), withoutCacheStats(uncached)) {
			t.Errorf("%s scan: result differs from an uncached scan:\n%+v\n%+v", tt.name, withoutCacheStats(tt.res), *uncached)
		}
	}
	if got := where(awsFindings(second)); len(got) != 1 {
		t.Fatalf("findings %v", got)
	}

	// A changed file is scanned again; a new leak in it is found.
	r.write("src/file03.go", "package src\n\nconst key = \""+leakstest.AWSKey(t)+"\"\n")
	third := cachedScan(t, r.dir, Scope{}, cacheDir)
	if third.Cache.Hits != 20 || third.Cache.Misses != 1 {
		t.Errorf("after a change: cache %+v, want 20 hits and 1 miss", third.Cache)
	}
	if got := where(awsFindings(third)); len(got) != 2 || got[1] != "src/file03.go:3 aws-access-token" {
		t.Errorf("after a change: findings %v", got)
	}
}

// The cache keeps findings redacted: no cache file holds more of a key
// than a report does, and with live values to compare (which need the raw
// text) a file or commit with findings is scanned again.
func TestCacheKeepsNoSecret(t *testing.T) {
	r := newRepo(t)
	key := leakstest.AWSKey(t)
	r.write("config/app.env", "aws_access_key_id="+key+"\n")
	r.write("clean.txt", "nothing\n")
	r.commit("key", "Dev")
	cacheDir := t.TempDir()
	for _, scope := range []Scope{{}, {Kind: History}} {
		cachedScan(t, r.dir, scope, cacheDir)
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), key[4:]) || strings.Contains(string(b), key[:8]) {
			t.Errorf("%s holds the key", f)
		}
	}
	live := memValues{values: map[string][]string{"prod/app/aws": {key}}}
	res, err := scanErr(t, r.dir, Scope{}, func(s *Scanner) { s.CacheDir = cacheDir; s.Live = live })
	if err != nil {
		t.Fatal(err)
	}
	if res.Cache.Hits != 1 || res.Cache.Misses != 1 || len(res.Findings) != 1 || res.Findings[0].LiveSecret != "prod/app/aws" {
		t.Errorf("with live values: cache %+v, findings %+v; want the file with the key scanned again and matched", res.Cache, res.Findings)
	}
	// So is the commit that added it, calling OnMatch while the commits
	// are listed.
	var matched atomic.Bool
	res, err = scanErr(t, r.dir, Scope{Kind: History}, func(s *Scanner) {
		s.CacheDir, s.Live = cacheDir, live
		s.OnMatch = func() { matched.Store(true) }
		s.Progress = totalCounter{func() {
			if !matched.Load() {
				t.Error("OnMatch not called before the commits were scanned")
			}
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cache.Hits != 0 || res.Cache.Misses != 1 || len(res.Findings) != 1 || res.Findings[0].LiveSecret != "prod/app/aws" || res.Findings[0].Commit == "" {
		t.Errorf("history with live values: cache %+v, findings %+v; want the commit with the key scanned again and matched", res.Cache, res.Findings)
	}
	// Likewise with references, which are compared with the raw text.
	refs := []NameReference{{File: "config/app.env", Line: 1, Name: key, Describe: "credential name"}}
	res, err = scanErr(t, r.dir, Scope{}, func(s *Scanner) { s.CacheDir = cacheDir; s.References = refs })
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := scanErr(t, r.dir, Scope{}, func(s *Scanner) { s.References = refs })
	if err != nil {
		t.Fatal(err)
	}
	if res.Cache.Misses != 1 || !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
		t.Errorf("with references: cache %+v, findings %+v; want the file scanned again, as without the cache: %+v", res.Cache, res.Findings, uncached.Findings)
	}
}

func TestCacheHistory(t *testing.T) {
	for _, scope := range []Scope{{Kind: History}, {Kind: Range, Base: "HEAD~15", Head: "HEAD"}} {
		t.Run(scope.String(), func(t *testing.T) {
			r := cacheRepo(t)
			cacheDir := t.TempDir()
			uncached := cachedScan(t, r.dir, scope, "")
			first := cachedScan(t, r.dir, scope, cacheDir)
			second := cachedScan(t, r.dir, scope, cacheDir)
			commits := first.Cache.Misses
			if first.Cache.Hits != 0 || first.Cache.Stored != commits {
				t.Errorf("first scan: cache %+v, want every commit stored, the leaking one with its match", first.Cache)
			}
			if second.Cache.Hits != commits || second.Cache.Misses != 0 || second.Cache.Stored != 0 {
				t.Errorf("second scan: cache %+v, want %d hits and no miss", second.Cache, commits)
			}
			for name, res := range map[string]*Result{"first": first, "second": second} {
				if !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
					t.Errorf("%s scan: result differs from an uncached scan:\n%+v\n%+v", name, withoutCacheStats(res), *uncached)
				}
			}
			if len(awsFindings(second)) != 1 || len(second.Skipped) != 1 {
				t.Errorf("second scan: findings %v, skipped %v", where(second.Findings), second.Skipped)
			}

			// A new commit is scanned; the others come from the cache.
			r.write("late.env", "k="+leakstest.AWSKey(t)+"\n")
			r.commit("late leak", "Late")
			third := cachedScan(t, r.dir, scope, cacheDir)
			if third.Cache.Misses != 1 || len(awsFindings(third)) != 2 {
				t.Errorf("after a commit: cache %+v, findings %v", third.Cache, where(third.Findings))
			}
		})
	}
}

func TestCacheInvalidatedByRuleChange(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	cachedScan(t, r.dir, Scope{}, cacheDir)
	if res := cachedScan(t, r.dir, Scope{}, cacheDir); res.Cache.Hits != 21 {
		t.Fatalf("second scan: cache %+v", res.Cache)
	}
	// A rule of one's own that matches what the cache holds as clean.
	r.write(ConfigFile, `
[extend]
useDefault = true

[[rules]]
id = "token-handling"
regex = '''token handling \d+'''
keywords = ["token"]
`)
	res := cachedScan(t, r.dir, Scope{}, cacheDir)
	if res.Cache.Hits != 0 {
		t.Errorf("after changing .gitleaks.toml: %d cache hits, want 0", res.Cache.Hits)
	}
	n := 0
	for _, f := range res.Findings {
		if f.RuleID == "token-handling" {
			n++
		}
	}
	if n != 20 {
		t.Errorf("the new rule found %d, want 20: %v", n, where(res.Findings))
	}
}

func TestCacheCorruptOrUnwritable(t *testing.T) {
	r := cacheRepo(t)
	want := withoutCacheStats(cachedScan(t, r.dir, Scope{}, ""))
	cacheDir := t.TempDir()
	cachedScan(t, r.dir, Scope{}, cacheDir)
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*"+cacheSuffix))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		corrupt func(t *testing.T, path string)
	}{
		{"flipped byte", func(t *testing.T, p string) {
			b := append([]byte(nil), data...)
			b[len(b)/2] ^= 0xff
			write(t, p, b)
		}},
		{"truncated", func(t *testing.T, p string) { write(t, p, data[:len(data)-5]) }},
		{"empty", func(t *testing.T, p string) { write(t, p, nil) }},
		{"other format", func(t *testing.T, p string) { write(t, p, []byte("{\"not\": \"a cache\"}")) }},
		{"a directory", func(t *testing.T, p string) {
			os.Remove(p)
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.corrupt(t, files[0])
			res := cachedScan(t, r.dir, Scope{}, cacheDir)
			if res.Cache.Hits != 0 {
				t.Errorf("cache hits %d from a corrupt cache", res.Cache.Hits)
			}
			if got := withoutCacheStats(res); !reflect.DeepEqual(got, want) {
				t.Errorf("result differs:\n%+v\n%+v", got, want)
			}
			os.RemoveAll(files[0])
			write(t, files[0], data) // the next case starts from a good file
		})
	}

	// A cache directory that cannot be created does not stop the scan.
	blocker := filepath.Join(t.TempDir(), "file")
	write(t, blocker, []byte("x"))
	res := cachedScan(t, r.dir, Scope{}, filepath.Join(blocker, "cache"))
	if res.Cache.Err == "" || !reflect.DeepEqual(withoutCacheStats(res), want) {
		t.Errorf("unwritable cache: %+v", res.Cache)
	}
}

func TestCacheConcurrentRuns(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cachedScan(t, r.dir, Scope{}, cacheDir)
		}()
	}
	wg.Wait()
	res := cachedScan(t, r.dir, Scope{}, cacheDir)
	if res.Cache.Hits != 21 || res.Cache.Err != "" {
		t.Errorf("after concurrent runs: cache %+v, want 21 hits", res.Cache)
	}
	if left, _ := filepath.Glob(filepath.Join(cacheDir, ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestCacheBounded(t *testing.T) {
	dir := t.TempDir()
	c := openCache(dir, "rules", 10)
	for i := range 25 {
		c.store(newCacheKey(fmt.Sprint(i)), nil)
	}
	c.save()
	m, _, err := readEntries(c.path)
	if err != nil || len(m) != 10 {
		t.Fatalf("%d entries (%v), want 10", len(m), err)
	}
	// Other rule sets' files beyond the newest few are removed.
	for i := range cacheKeepFiles + 3 {
		o := openCache(dir, fmt.Sprintf("old%d", i), 10)
		o.store(newCacheKey("x"), nil)
		o.save()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"+cacheSuffix))
	if len(files) != cacheKeepFiles {
		t.Errorf("%d cache files, want %d: %v", len(files), cacheKeepFiles, files)
	}
}

func TestBlobIDIsGits(t *testing.T) {
	r := newRepo(t)
	content := "hello\x00world\n"
	r.write("f.bin", content)
	if got, want := blobID([]byte(content)), r.git("hash-object", "f.bin"); got != want {
		t.Errorf("blob id %s, git hash-object %s", got, want)
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The rule set's id must not change between processes: gitleaks builds
// some lists from maps. A child process computes it again.
func TestRulesetIDStable(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("LEAKS_RULESET_ID_OUT"); out != "" {
		write(t, out, []byte(g.RulesetID()))
		return
	}
	for i := range 3 {
		out := filepath.Join(t.TempDir(), "id")
		cmd := exec.Command(os.Args[0], "-test.run=^TestRulesetIDStable$")
		cmd.Env = append(os.Environ(), "LEAKS_RULESET_ID_OUT="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, b)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != g.RulesetID() {
			t.Fatalf("run %d: rule set id %s, in this process %s", i, got, g.RulesetID())
		}
	}
}

// Files above wholeFileLimit are hashed as a stream and scanned from a
// second read; they are cached the same way, with their findings.
func TestCacheLargeFiles(t *testing.T) {
	dir := t.TempDir()
	line := "// a line of ordinary source text, nothing to find here at all\n"
	big := strings.Repeat(line, wholeFileLimit/len(line)+10)
	writeFile(t, dir, "big.go", big)
	writeFile(t, dir, "big-leak.go", big+"const k = \""+leakstest.AWSKey(t)+"\"\n")
	cacheDir := t.TempDir()
	first := cachedScan(t, dir, Scope{}, cacheDir)
	second := cachedScan(t, dir, Scope{}, cacheDir)
	if first.Cache.Stored != 2 || second.Cache.Hits != 2 || second.Cache.Misses != 0 {
		t.Errorf("cache %+v then %+v, want both large files stored, then hit", first.Cache, second.Cache)
	}
	for _, res := range []*Result{first, second} {
		if got := where(awsFindings(res)); len(got) != 1 || res.Files != 2 {
			t.Errorf("findings %v, files %d", got, res.Files)
		}
	}
	if !reflect.DeepEqual(withoutCacheStats(first), withoutCacheStats(second)) {
		t.Errorf("results differ:\n%+v\n%+v", withoutCacheStats(first), withoutCacheStats(second))
	}
}

// stampedScan scans the working tree with the cache, on a clock a minute
// ahead so that the files the test has just written count as settled.
func stampedScan(t *testing.T, dir, cacheDir string) *Result {
	t.Helper()
	res, err := scanErr(t, dir, Scope{}, func(s *Scanner) {
		s.CacheDir = cacheDir
		s.now = func() time.Time { return time.Now().Add(time.Minute) }
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A file whose stat stamp is unchanged is taken from the cache without
// being read; one whose stamp changed (a write, a replacement with
// another inode) is read, hashed and, when its content changed, scanned.
func TestCacheStamps(t *testing.T) {
	for _, git := range []bool{true, false} {
		t.Run(fmt.Sprintf("git=%v", git), func(t *testing.T) {
			r := cacheRepo(t)
			if !git {
				if err := os.RemoveAll(filepath.Join(r.dir, ".git")); err != nil {
					t.Fatal(err)
				}
			}
			cacheDir := t.TempDir()
			uncached := cachedScan(t, r.dir, Scope{}, "")
			first := stampedScan(t, r.dir, cacheDir)
			second := stampedScan(t, r.dir, cacheDir)
			if first.Cache.Stamped != 0 || second.Cache.Stamped != 21 || second.Cache.Hits != 21 || second.Cache.Misses != 0 {
				t.Errorf("cache %+v then %+v; want every one of the 21 files taken by its stamp the second time", first.Cache, second.Cache)
			}
			for _, res := range []*Result{first, second} {
				if !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
					t.Errorf("result differs from an uncached scan:\n%+v\n%+v", withoutCacheStats(res), *uncached)
				}
			}

			// A new leak written in place (same inode) and one in a file
			// replaced by a rename (new inode, times set back).
			r.write("src/file03.go", "package src\n\nconst key = \""+leakstest.AWSKey(t)+"\"\n")
			old, err := os.Lstat(filepath.Join(r.dir, "src/file05.go"))
			if err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(r.dir, "tmp")
			if err := os.WriteFile(tmp, []byte("package src\n\nconst key = \""+leakstest.AWSKey(t)+"\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(tmp, old.ModTime(), old.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(r.dir, "src/file05.go")); err != nil {
				t.Fatal(err)
			}
			third := stampedScan(t, r.dir, cacheDir)
			if third.Cache.Stamped != 19 || third.Cache.Misses != 2 {
				t.Errorf("after two changes: cache %+v, want 19 files by stamp and 2 misses", third.Cache)
			}
			if got := where(awsFindings(third)); len(got) != 3 || got[1] != "src/file03.go:3 aws-access-token" || got[2] != "src/file05.go:3 aws-access-token" {
				t.Errorf("after two changes: findings %v", got)
			}
		})
	}
}

// Files written within racyWindow of the scan are read and hashed every
// time: a write in the same tick of the file system's clock would leave
// their stamp as it was.
func TestCacheStampsRacy(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	cachedScan(t, r.dir, Scope{}, cacheDir)
	// Written again just now, whatever the first scan took (seconds under
	// the race detector on a busy machine): their times are within
	// racyWindow of the second scan's start.
	touch := time.Now()
	err := filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			return os.Chtimes(p, touch, touch)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	second := cachedScan(t, r.dir, Scope{}, cacheDir)
	if second.Cache.Stamped != 0 || second.Cache.Hits != 21 {
		t.Errorf("cache %+v: files just written must be hashed, not taken by their stamp", second.Cache)
	}
	now := time.Now()
	for _, tt := range []struct {
		age     time.Duration
		settled bool
	}{{0, false}, {time.Second, false}, {racyWindow - time.Millisecond, false}, {racyWindow + time.Millisecond, true}, {time.Hour, true}} {
		at := now.Add(-tt.age).UnixNano()
		if got := (fileStamp{mtime: at, ctime: at}).settled(now); got != tt.settled {
			t.Errorf("times %v old: settled %v, want %v", tt.age, got, tt.settled)
		}
		// Either time too young is enough.
		if got := (fileStamp{mtime: now.Add(-time.Hour).UnixNano(), ctime: at}).settled(now); got != tt.settled {
			t.Errorf("change time %v old: settled %v, want %v", tt.age, got, tt.settled)
		}
	}
}

// Directories gitleaks' allowlists exclude stay excluded when their
// verdict comes from the cache.
func TestCacheDirVerdicts(t *testing.T) {
	dir := t.TempDir()
	key := leakstest.AWSKey(t)
	for rel, content := range map[string]string{
		"node_modules/lib/index.js": "const k = \"" + key + "\"\n",
		"src/app.js":                "const k = \"" + key + "\"\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cacheDir := t.TempDir()
	for i := range 2 {
		res := stampedScan(t, dir, cacheDir)
		if got := where(awsFindings(res)); len(got) != 1 || got[0] != "src/app.js:1 aws-access-token" {
			t.Errorf("scan %d: findings %v, want only src/app.js's", i+1, got)
		}
	}
	g, err := LoadGitleaks(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := openCache(cacheDir, g.RulesetID(), 0)
	for rel, skipped := range map[string]bool{"node_modules": true, "src": false} {
		p, ok := c.get(dirKey(rel))
		if !ok || (len(p) == 1) != skipped {
			t.Errorf("%s: cached verdict %v (present %v), want skipped=%v", rel, p, ok, skipped)
		}
	}
}

// A binary file's verdict is cached too: it is reported skipped as on
// the first scan, without being read again.
func TestCacheBinaryVerdict(t *testing.T) {
	dir := t.TempDir()
	elf := append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 4096)...)
	if err := os.WriteFile(filepath.Join(dir, "tool.dat"), elf, 0o644); err != nil {
		t.Fatal(err)
	}
	// Above wholeFileLimit: hashed as it streams, its first chunk read
	// to decide.
	big := append(append([]byte(nil), elf...), make([]byte, wholeFileLimit)...)
	if err := os.WriteFile(filepath.Join(dir, "big.dat"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	uncached := cachedScan(t, dir, Scope{}, "")
	if len(uncached.Skipped) != 2 || uncached.Skipped[0] != (Skip{Path: "big.dat", Reason: binarySkip}) || uncached.Skipped[1] != (Skip{Path: "tool.dat", Reason: binarySkip}) {
		t.Fatalf("skipped %+v, want big.dat and tool.dat as binary", uncached.Skipped)
	}
	cacheDir := t.TempDir()
	first := stampedScan(t, dir, cacheDir)
	second := stampedScan(t, dir, cacheDir)
	if first.Cache.Stored != 3 || second.Cache.Stamped != 3 || second.Cache.Misses != 0 {
		t.Errorf("cache %+v then %+v; want the three files stored, then taken by their stamps", first.Cache, second.Cache)
	}
	for _, res := range []*Result{first, second} {
		if !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
			t.Errorf("result differs from an uncached scan:\n%+v\n%+v", withoutCacheStats(res), *uncached)
		}
	}
}

// A second scan with a few files changed scans them with a detector of
// only the rules their keywords call for: gitleaks' whole rule set is
// never compiled, and the findings are those of a full scan.
func TestCacheNarrowsChangedFiles(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	stampedScan(t, r.dir, cacheDir)
	r.write("src/file03.go", "package src\n\nconst key = \""+leakstest.AWSKey(t)+"\"\n")
	r.write("src/new.go", "package src\n\n// the token is read from the environment\n")
	uncached := cachedScan(t, r.dir, Scope{}, "")

	ctx := context.Background()
	target, err := Resolve(ctx, r.dir, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGitleaks(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &Scanner{Detector: g, CacheDir: cacheDir, now: func() time.Time { return time.Now().Add(time.Minute) }}
	res, err := s.Scan(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cache.Misses != 2 || !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
		t.Errorf("cache %+v, result %+v; want the 2 changed files scanned, as without the cache: %+v", res.Cache, withoutCacheStats(res), *uncached)
	}
	if g.det != nil {
		t.Error("the whole rule set was compiled for two changed files")
	}
}

// A history or range scan with a cache scans the commits it does not know
// (the new ones) with a detector of only the
// rules their keywords call for, as long as their added text is small:
// gitleaks' whole rule set is not compiled, and the findings are those of
// a scan without a cache. Past narrowMaxBytes the whole detector scans
// them, with the same findings.
func TestCacheNarrowsNewCommits(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxBytes int64
		full     bool
	}{
		{"narrowed", narrowMaxBytes, false},
		{"too much text", 1, true},
	} {
		for _, scope := range []Scope{{Kind: History}, {Kind: Range, Base: "HEAD~15", Head: "HEAD"}} {
			t.Run(tc.name+"/"+scope.String(), func(t *testing.T) {
				r := cacheRepo(t)
				cacheDir := t.TempDir()
				cachedScan(t, r.dir, scope, cacheDir)
				r.write("late.env", "k="+leakstest.AWSKey(t)+"\n")
				r.commit("late leak", "Late")
				r.write("src/late.go", "package src\n\n// the token is read from the environment\n")
				r.commit("late clean", "Late")
				uncached := cachedScan(t, r.dir, scope, "")

				defer func(old int64) { narrowMaxBytes = old }(narrowMaxBytes)
				narrowMaxBytes = tc.maxBytes
				ctx := context.Background()
				target, err := Resolve(ctx, r.dir, scope)
				if err != nil {
					t.Fatal(err)
				}
				g, err := LoadGitleaks(r.dir)
				if err != nil {
					t.Fatal(err)
				}
				s := &Scanner{Detector: g, CacheDir: cacheDir}
				res, err := s.Scan(ctx, target)
				if err != nil {
					t.Fatal(err)
				}
				if res.Cache.Misses != 2 || !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
					t.Errorf("cache %+v, result %+v; want the 2 new commits scanned, as without the cache: %+v", res.Cache, withoutCacheStats(res), *uncached)
				}
				if len(awsFindings(res)) != 2 {
					t.Errorf("findings %v, want both keys", where(res.Findings))
				}
				if full := g.det != nil; full != tc.full {
					t.Errorf("whole rule set compiled: %v, want %v", full, tc.full)
				}
			})
		}
	}
}

// With a cache, the commits are listed by git rev-list as it walks the
// history: when it fails, so does the scan (with what git said), and
// nothing is stored.
func TestCacheHistoryListFails(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	writeFile(t, r.dir, ".git/refs/heads/broken", "1234567890123456789012345678901234567890\n")
	_, err := scanErr(t, r.dir, Scope{Kind: History}, func(s *Scanner) { s.CacheDir = cacheDir })
	if err == nil || !strings.Contains(err.Error(), "list the commits: git rev-list: ") || !strings.Contains(err.Error(), "bad object refs/heads/broken") {
		t.Fatalf("error %v, want git rev-list's", err)
	}
	if entries, _ := os.ReadDir(cacheDir); len(entries) != 0 {
		t.Errorf("cache written after a failed scan: %v", entries)
	}
}

// Saving merges in what another run saved since this one loaded the
// file, and reads the file again only then: a run alone parses its cache
// file once.
func TestCacheSaveMergesOnlyAChangedFile(t *testing.T) {
	parses := 0
	defer func(old func()) { parsedCacheFile = old }(parsedCacheFile)
	parsedCacheFile = func() { parses++ }

	dir := t.TempDir()
	seed := openCache(dir, "rules", 0)
	seed.store(newCacheKey("old"), []byte("o"))
	seed.save()

	a, b := openCache(dir, "rules", 0), openCache(dir, "rules", 0)
	a.store(newCacheKey("a"), []byte("a"))
	a.save()
	parses = 0
	b.store(newCacheKey("b"), []byte("b"))
	b.save()
	if parses != 1 {
		t.Errorf("the file another run rewrote was parsed %d times on save, want 1", parses)
	}
	m, _, err := readEntries(b.path)
	if err != nil || len(m) != 3 || string(m[newCacheKey("a")]) != "a" || string(m[newCacheKey("b")]) != "b" || string(m[newCacheKey("old")]) != "o" {
		t.Fatalf("entries %v (%v), want old, a and b", m, err)
	}

	// A scan alone: the file is parsed when loaded, not again on save.
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
	r.write("late.go", "package late\n")
	r.commit("late", "Late")
	parses = 0
	res := cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
	if res.Cache.Stored != 1 || parses != 1 {
		t.Errorf("cache %+v, file parsed %d times; want the new commit stored and one parse", res.Cache, parses)
	}
	again := cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
	if again.Cache.Misses != 0 || again.Cache.Hits != res.Cache.Hits+1 {
		t.Errorf("next scan: cache %+v, want the new commit's entry kept", again.Cache)
	}
}

// totalCounter calls onTotal when the scan says how many commits it will
// scan: after listing them, before scanning a patch.
type totalCounter struct{ onTotal func() }

func (c totalCounter) SetTotal(int) { c.onTotal() }
func (c totalCounter) Add(int)      {}

// A run that lists a commit in which the last run matched something (its
// matches come from the cache) calls OnMatch while listing the commits,
// before a patch is scanned, so that the policies compile meanwhile; a run
// that lists no such commit and matches nothing never calls it.
func TestCacheOnMatchBeforeScanning(t *testing.T) {
	for _, leak := range []bool{true, false} {
		t.Run(fmt.Sprintf("leak=%v", leak), func(t *testing.T) {
			var r *repo
			if leak {
				r = cacheRepo(t)
			} else {
				r = newRepo(t)
				for i := range 3 {
					r.write(fmt.Sprintf("src/file%d.go", i), "package src\n")
					r.commit(fmt.Sprintf("commit %d", i), "Dev")
				}
			}
			cacheDir := t.TempDir()
			cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
			r.write("late.go", "package late\n")
			r.commit("late", "Late")

			var mu sync.Mutex
			matched, early := false, false
			res, err := scanErr(t, r.dir, Scope{Kind: History}, func(s *Scanner) {
				s.CacheDir = cacheDir
				s.OnMatch = func() { mu.Lock(); matched = true; mu.Unlock() }
				s.Progress = totalCounter{func() { mu.Lock(); early = matched; mu.Unlock() }}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(awsFindings(res)); (got == 1) != leak {
				t.Fatalf("findings %v", where(res.Findings))
			}
			if early != leak || matched != leak {
				t.Errorf("OnMatch called: %v, before scanning: %v; want both %v", matched, early, leak)
			}
		})
	}
}

// TestCacheFileReadCheaply: a cache file's entries are read into a map made
// at its size, their payloads sharing the file's bytes: reading 10,000
// entries allocates a few dozen times, not once per entry and again at
// every growth of the map (most of a warm scan's reading of the cache).
func TestCacheFileReadCheaply(t *testing.T) {
	dir := t.TempDir()
	c := openCache(dir, "rules", 0)
	for i := range 10000 {
		c.store(newCacheKey(fmt.Sprint(i)), []byte(fmt.Sprintf(`[{"rule":"r%d"}]`, i)))
	}
	c.save()
	m, _, err := readEntries(c.path)
	if err != nil || len(m) != 10000 {
		t.Fatalf("%d entries (%v), want 10000", len(m), err)
	}
	if p := m[newCacheKey("42")]; string(p) != `[{"rule":"r42"}]` {
		t.Fatalf("payload %q", p)
	}
	allocs := testing.AllocsPerRun(3, func() {
		if _, _, err := readCacheFile(c.path); err != nil {
			t.Fatal(err)
		}
	})
	// A few dozen (the file, the map's buckets); one per entry would be
	// 10,000. AllocsPerRun counts every goroutine's allocations, so the
	// bound leaves room for others running meanwhile.
	if allocs > 200 {
		t.Errorf("reading 10,000 entries: %.0f allocations, want at most 200", allocs)
	}
}

// TestCacheSaveRereadsOnlyAReplacedFile: saving merges in what another run
// saved meanwhile, which it did by replacing the file (a new inode); the
// file this run read, unchanged, is not read again. A file rewritten in
// place with its size and time kept (which no run does) is therefore
// taken for the one read, and its entries are not merged.
func TestCacheSaveRereadsOnlyAReplacedFile(t *testing.T) {
	seed := func(key, payload string) string {
		dir := t.TempDir()
		c := openCache(dir, "rules", 0)
		c.store(newCacheKey(key), []byte(payload))
		c.save()
		return c.path
	}
	t.Run("replaced: merged", func(t *testing.T) {
		dir := filepath.Dir(seed("first", "1"))
		c := openCache(dir, "rules", 0)
		another := openCache(dir, "rules", 0)
		another.store(newCacheKey("another run"), []byte("3"))
		another.save()
		c.store(newCacheKey("mine"), []byte("4"))
		c.save()
		m, _, err := readEntries(c.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"first", "another run", "mine"} {
			if _, ok := m[newCacheKey(k)]; !ok {
				t.Errorf("entry %q lost", k)
			}
		}
	})
	t.Run("read and unchanged: not read again", func(t *testing.T) {
		path := seed("first", "1")
		other, err := os.ReadFile(seed("other", "2")) // as large
		if err != nil {
			t.Fatal(err)
		}
		c := openCache(filepath.Dir(path), "rules", 0)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(other)) != info.Size() {
			t.Fatalf("test files of %d and %d bytes", len(other), info.Size())
		}
		// Rewritten in place (the same inode), the size and time kept.
		if err := os.WriteFile(path, other, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
		c.store(newCacheKey("mine"), []byte("5"))
		c.save()
		m, _, err := readEntries(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"first", "mine"} {
			if _, ok := m[newCacheKey(k)]; !ok {
				t.Errorf("entry %q lost", k)
			}
		}
		if _, ok := m[newCacheKey("other")]; ok {
			t.Error("the file was read again although it is the one read at the start")
		}
	})
}

// countingSkipper counts the path matches the detector makes.
type countingSkipper struct {
	*Gitleaks
	mu    sync.Mutex
	paths []string
}

func (c *countingSkipper) SkipPath(rel string) bool {
	c.mu.Lock()
	c.paths = append(c.paths, rel)
	c.mu.Unlock()
	return c.Gitleaks.SkipPath(rel)
}

// A file the allowlists' paths exclude has no result in the cache; its
// verdict is cached instead, so that the next scan neither matches its
// path again nor compiles the allowlists to do so. The findings stay
// those of an uncached scan.
func TestCacheFileVerdicts(t *testing.T) {
	dir := t.TempDir()
	key := leakstest.AWSKey(t)
	for rel, content := range map[string]string{
		"go.sum":       "example.com/x v1.0.0 h1:" + key + "\n",
		"img/logo.svg": "<svg><!-- " + key + " --></svg>\n",
		"main.go":      "package main\n\nconst k = \"" + key + "\"\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	uncached := cachedScan(t, dir, Scope{}, "")
	cacheDir := t.TempDir()
	var seen [][]string
	for range 2 {
		var cs *countingSkipper
		res, err := scanErr(t, dir, Scope{}, func(s *Scanner) {
			cs = &countingSkipper{Gitleaks: s.Detector.(*Gitleaks)}
			s.Detector = cs
			s.CacheDir = cacheDir
			s.now = func() time.Time { return time.Now().Add(time.Minute) }
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := where(res.Findings), where(uncached.Findings); !reflect.DeepEqual(got, want) {
			t.Errorf("findings %v, want %v", got, want)
		}
		sort.Strings(cs.paths)
		seen = append(seen, cs.paths)
	}
	if !slices.Contains(seen[0], "go.sum") || !slices.Contains(seen[0], "img/logo.svg") {
		t.Errorf("first scan matched %v, want go.sum and img/logo.svg among them", seen[0])
	}
	if slices.Contains(seen[1], "go.sum") || slices.Contains(seen[1], "img/logo.svg") {
		t.Errorf("second scan matched the paths of excluded files again: %v", seen[1])
	}
}

// TestStampKey: a stamp's key is newCacheKey's of its parts (so the
// entries of earlier scans are found), made without allocating: it is
// made for every file of every scan of a tree.
func TestStampKey(t *testing.T) {
	root, rel := "/home/dev/src/project", "internal/some/deep/path/file_test.go"
	for _, st := range []fileStamp{
		{},
		{size: 1234, mtime: 1764921600123456789, ctime: 1764921600987654321, ino: 98765432, dev: 2049},
		{size: -1, mtime: -5, ctime: 1 << 62, ino: 1<<64 - 1, dev: 1 << 63},
	} {
		want := newCacheKey("stamp", root, rel,
			strconv.FormatInt(st.size, 10), strconv.FormatInt(st.mtime, 10), strconv.FormatInt(st.ctime, 10),
			strconv.FormatUint(st.ino, 10), strconv.FormatUint(st.dev, 10))
		if got := stampKey(root, rel, st); got != want {
			t.Errorf("stampKey(%+v) = %x, want %x", st, got, want)
		}
	}
	st := fileStamp{size: 1234, mtime: 1764921600123456789, ctime: 1764921600987654321, ino: 98765432, dev: 2049}
	if n := testing.AllocsPerRun(100, func() { stampKey(root, rel, st) }); n != 0 {
		t.Errorf("stampKey allocates %.0f times, want 0", n)
	}
}

// TestCacheSaveListsEntries: saving a warm scan's cache (tens of thousands
// of entries read, most of them used again) lists the keys to write
// instead of copying every entry into a map of its own: the bytes it
// allocates are those of the key list and the file's buffer, well under
// what such a map takes.
func TestCacheSaveListsEntries(t *testing.T) {
	dir := t.TempDir()
	seed := openCache(dir, "rules", 0)
	for i := range 20000 {
		seed.store(newCacheKey(fmt.Sprint(i)), nil)
	}
	seed.save()
	// The least of a few rounds: TotalAlloc counts what any goroutine of
	// the test binary allocates meanwhile, never less than save's own.
	least := uint64(math.MaxUint64)
	var c *cache
	for range 5 {
		c = openCache(dir, "rules", 0)
		for i := range 10000 {
			c.get(newCacheKey(fmt.Sprint(i))) // used again
		}
		c.store(newCacheKey("new"), nil)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c.save()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	m, _, err := readEntries(c.path)
	if err != nil || len(m) != 20001 {
		t.Fatalf("%d entries saved (%v), want 20001", len(m), err)
	}
	// 20,001 keys of 16 bytes and a file of 17 bytes each, plus a
	// little; a map of them would add over a megabyte. The race
	// detector's instrumentation adds about a sixth.
	limit := uint64(1 << 20)
	if raceDetector {
		limit = 3 << 19
	}
	if n := least; n > limit {
		t.Errorf("saving 20,001 entries allocated %d bytes, want under %d", n, limit)
	}
}

// readEntries reads a cache file's entries into a map.
func readEntries(path string) (map[cacheKey][]byte, os.FileInfo, error) {
	e, info, err := readCacheFile(path)
	if err != nil {
		return nil, info, err
	}
	m := make(map[cacheKey][]byte, e.len())
	for i := range e.len() {
		m[e.key(i)] = e.payload(i)
	}
	return m, info, nil
}

// A cache file's records are found by binary search; a body whose keys
// are out of order or repeated is no cache file.
func TestCacheEntriesIndex(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r"+cacheSuffix)
	want := map[cacheKey][]byte{}
	var keys []cacheKey
	for i := range 1000 {
		k := newCacheKey(strconv.Itoa(i))
		keys = append(keys, k)
		if i%3 != 0 {
			want[k] = []byte(strings.Repeat("p", i%7))
		} else {
			want[k] = nil
		}
	}
	var recs []cacheRecord
	for _, k := range keys {
		recs = append(recs, cacheRecord{key: k})
	}
	if err := writeCacheFile(path, recs, func(r cacheRecord) []byte { return want[r.key] }, len(recs)); err != nil {
		t.Fatal(err)
	}
	e, _, err := readCacheFile(path)
	if err != nil || e.len() != len(want) {
		t.Fatalf("%d entries (%v), want %d", e.len(), err, len(want))
	}
	for k, p := range want {
		if got, ok := e.get(k); !ok || !bytes.Equal(got, p) {
			t.Fatalf("entry %x: %q, %v; want %q", k, got, ok, p)
		}
	}
	if _, ok := e.get(newCacheKey("absent")); ok {
		t.Error("an absent key was found")
	}
	var empty *cacheEntries
	if _, ok := empty.get(keys[0]); ok || empty.len() != 0 {
		t.Error("an empty index found an entry")
	}

	record := func(k cacheKey) []byte { return append(append([]byte{}, k[:]...), 0) }
	a, b := newCacheKey("a"), newCacheKey("b")
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	for name, body := range map[string][]byte{
		"out of order": append(record(b), record(a)...),
		"repeated":     append(record(a), record(a)...),
		"cut short":    record(a)[:10],
	} {
		if _, ok := indexRecords(body); ok {
			t.Errorf("%s: indexed", name)
		}
	}
	if e, ok := indexRecords(append(record(a), record(b)...)); !ok || e.len() != 2 {
		t.Error("two records in order not indexed")
	}
}
