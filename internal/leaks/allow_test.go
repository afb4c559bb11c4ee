package leaks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	glconfig "github.com/zricethezav/gitleaks/v8/config"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// With DistrustAddedAllow, a range's scan reports matches on the lines it
// adds even behind gitleaks:allow — in text and in text git calls binary —
// while history and an ordinary scan honour the marker; the cache of the
// one mode never answers for the other.
func TestDistrustAddedAllow(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	base := r.commit("base", "A")
	r.write("app.env", "aws_access_key_id = "+leakstest.AWSKey(t)+" # gitleaks:allow\n")
	r.write("data/nul.txt", "a\x00b\naws_access_key_id = "+leakstest.AWSKey(t)+" # gitleaks:allow\n")
	r.commit("keys, allowed inline", "Mallory")

	cacheDir := t.TempDir()
	rng := Scope{Kind: Range, Base: base, Head: "HEAD"}
	tests := []struct {
		name     string
		scope    Scope
		distrust bool
		want     []string
	}{
		{"a range honours the marker by default", rng, false, nil},
		{"a distrusting range does not", rng, true, []string{"app.env:1", "data/nul.txt:2"}},
		{"the cache of the first run does not answer for it", rng, true, []string{"app.env:1", "data/nul.txt:2"}},
		{"history honours the marker", Scope{Kind: History}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := scanErr(t, r.dir, tt.scope, func(s *Scanner) {
				s.CacheDir = cacheDir
				s.DistrustAddedAllow = tt.distrust
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := awsWhere(res); !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
	if got := disarmAllow("x # gitleaks:allow"); got != "x # gitleaks-allow" || len(got) != len("x # gitleaks:allow") {
		t.Errorf("disarmAllow = %q", got)
	}
}

// A range reads more than history (the printable text of binary changes):
// a commit history cached as clean is scanned again in a range.
func TestRangeCacheIsNotHistorys(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	base := r.commit("base", "A")
	r.write("model.dat", "\x00\x01"+noise(16<<10)+"aws_access_key_id = "+leakstest.AWSKey(t)+"\n")
	r.commit("a key behind binary noise", "Mallory")
	cacheDir := t.TempDir()
	withCache := func(s *Scanner) { s.CacheDir = cacheDir }
	hist, err := scanErr(t, r.dir, Scope{Kind: History}, withCache)
	if err != nil {
		t.Fatal(err)
	}
	if got := awsWhere(hist); len(got) != 0 {
		t.Fatalf("history found %v; it skips binaries as gitleaks does", got)
	}
	rng, err := scanErr(t, r.dir, Scope{Kind: Range, Base: base, Head: "HEAD"}, withCache)
	if err != nil {
		t.Fatal(err)
	}
	if got := awsWhere(rng); len(got) != 1 || !strings.HasPrefix(got[0], "model.dat:") {
		t.Errorf("range after history over one cache found %v, want the key in model.dat", got)
	}
}

// SkipPath reads the default configuration's global allowlists from the
// configuration translated without its rules: they must be the
// detector's, in the same order (pathMemo keys verdicts by the place).
func TestGlobalAllowlistsAreTheDetectors(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, want := g.globalAllowlists(), g.detector().Config.Allowlists
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%d global allowlists, the detector has %d", len(got), len(want))
	}
	// gitleaks dedupes some lists through maps: compared as sets.
	set := func(a *glconfig.Allowlist) string {
		var parts []string
		for _, re := range a.Paths {
			parts = append(parts, "path "+re.String())
		}
		for _, re := range a.Regexes {
			parts = append(parts, "regex "+re.String())
		}
		for _, w := range a.StopWords {
			parts = append(parts, "stopword "+w)
		}
		for _, c := range a.Commits {
			parts = append(parts, "commit "+c)
		}
		slices.Sort(parts)
		return fmt.Sprint(parts, a.MatchCondition, a.RegexTarget)
	}
	for i := range got {
		if set(got[i]) != set(want[i]) {
			t.Errorf("allowlist %d differs from the detector's:\n%s\n%s", i, set(got[i]), set(want[i]))
		}
	}
}
