package leaks

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// A warm history scan takes the commits the last complete scan reached
// from a summary, lists only those the current tips add, and reports what
// a scan without a cache does. A summary whose tips are no longer all
// reachable (a branch deleted, history rewritten) is not used.
func TestCacheHistorySummary(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	history := Scope{Kind: History}
	same := func(step string, want int) {
		t.Helper()
		res := cachedScan(t, r.dir, history, cacheDir)
		uncached := cachedScan(t, r.dir, history, "")
		if !reflect.DeepEqual(withoutCacheStats(res), withoutCacheStats(uncached)) {
			t.Errorf("%s: result differs from an uncached scan:\n%+v\n%+v", step, withoutCacheStats(res), *uncached)
		}
		if res.Cache.Summarized != want {
			t.Errorf("%s: cache %+v, want %d commits from the summary", step, res.Cache, want)
		}
	}
	same("cold", 0)
	commits := cachedScan(t, r.dir, history, "").Commits
	same("warm", commits)

	// New commits on a new branch and on main: listed, the rest summarized.
	r.git("checkout", "-q", "-b", "side")
	r.write("side.env", "k="+leakstest.AWSKey(t)+"\n")
	r.commit("side leak", "Side")
	r.git("checkout", "-q", "main")
	r.write("src/more.go", "package src\n")
	r.commit("more", "Dev")
	same("new commits", commits)
	commits += 2

	// The summary's tips are the branches' heads, however many commits
	// were added since: one more on main, then another.
	for i := range 2 {
		if tips := summaryTips(t, r.dir, cacheDir); len(tips) != 2 || !slices.Contains(tips, strings.TrimSpace(r.git("rev-parse", "main"))) {
			t.Errorf("summary tips %v, want main's and side's heads", tips)
		}
		r.write(fmt.Sprintf("src/again%d.go", i), "package src\n")
		r.commit("again", "Dev")
		same("one more", commits)
		commits++
	}

	// The side branch deleted: its tip is unreachable, the summary unused.
	r.git("branch", "-q", "-D", "side")
	same("branch deleted", 0)
	same("after the branch deleted", commits-1)
	if tips := summaryTips(t, r.dir, cacheDir); len(tips) != 1 {
		t.Errorf("summary tips %v after the side branch was deleted, want main's head", tips)
	}

	// main rewritten: likewise.
	r.git("commit", "-q", "--amend", "-m", "more, amended")
	same("amended", 0)

	// A tag on an old commit adds nothing to list.
	r.git("tag", "-a", "-m", "old", "v0", "HEAD~5")
	same("tagged", commits-1)
}

// summaryTips are the tips of the history summary in cacheDir.
func summaryTips(t *testing.T, dir, cacheDir string) []string {
	t.Helper()
	target, err := Resolve(context.Background(), dir, Scope{Kind: History})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*"+cacheSuffix))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	entries, _, err := readEntries(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var sum historySummary
	if err := sum.decode(entries[historyKey(target, (&Scanner{}).maxBytes())]); err != nil {
		t.Fatalf("no history summary: %v", err)
	}
	return sum.Tips
}

// A summary that holds matches is not used when the run needs their raw
// text.
func TestCacheHistorySummaryUnused(t *testing.T) {
	r := cacheRepo(t)
	cacheDir := t.TempDir()
	cachedScan(t, r.dir, Scope{Kind: History}, cacheDir)
	live := memValues{values: map[string][]string{"prod/app/aws": {"AKIAIOSFODNN7EXAMPLE"}}}
	res, err := scanErr(t, r.dir, Scope{Kind: History}, func(s *Scanner) { s.CacheDir, s.Live = cacheDir, live })
	if err != nil {
		t.Fatal(err)
	}
	if res.Cache.Summarized != 0 || res.Cache.Misses != 1 {
		t.Errorf("with live values: cache %+v, want no summary and the commit with the key scanned again", res.Cache)
	}

}

func TestHistorySummaryRoundTrip(t *testing.T) {
	sum := historySummary{Tips: []string{strings.Repeat("a", 40), strings.Repeat("b", 40)}, Listed: 5001, Seen: 4990, Files: 7, Bytes: 1 << 33,
		Skips: [][2]string{{"logo.png", "binary file"}},
		Found: []summaryMatch{{SHA: strings.Repeat("c", 40), Author: "Dev", cachedCommitMatch: cachedCommitMatch{Path: "k.env",
			cachedMatch: cachedMatch{RuleID: "aws-access-token", Description: "AWS", Line: 3, Column: 1, Entropy: 3.5, Redacted: "AKIA…"}}}}}
	p := sum.encode()
	var got historySummary
	if err := got.decode(p); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sum, got, cmp.AllowUnexported(cachedCommitMatch{}, summaryMatch{})); diff != "" {
		t.Errorf("decode(encode(s)) differs (-want +got):\n%s", diff)
	}
	for n := range len(p) {
		if err := got.decode(p[:n]); err == nil {
			t.Errorf("the first %d of %d bytes decoded", n, len(p))
		}
	}
	if err := got.decode(historySummary{}.encode()); err == nil {
		t.Error("a summary without tips decoded")
	}
}
