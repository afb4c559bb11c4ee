package leaks

import (
	"slices"
	"testing"

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
