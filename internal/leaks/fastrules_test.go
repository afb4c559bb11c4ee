package leaks

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// fastPieces are the building blocks of texts that exercise the fast
// rules' corners: keywords in every case, the literals, word characters
// before them, assignment operators, line breaks inside matches, long
// values, and the non-ASCII characters case folding equates with k and s.
var fastPieces = []string{
	"key", "KEY", "Key", "token", "TOKEN", "api", "Api", "API", "aPi", "auth", "access", "credential", "creds",
	"passwd", "password", "passw0rd", "secret", "secretoken", "apikey", "_", ".", "-", "=", ":", ":=", "=>", "?=", ",", "||", ">",
	" ", "  ", "\t", "\n", "\r\n", "\"", "'", "`", ";", "\\n", "\\r", "ey", "eyJ", "eyJhbGciOiJIUzI1NiJ9", "hvs.", "s.", "xs.",
	"abcdefghij", "0123456789", "AbCdEfGhIjKlMnOpQrStUvWx", "Zq8xR2mN7vL4pK9s", "+", "/", "==", "=", "\u212aey", "ſecret", "é", "日本",
	"sk_live_", "x", "1", "a1b2c3d4e5f6g7h8", strings.Repeat("Qw3rTy", 5), strings.Repeat("a", 60), strings.Repeat("Z9", 70),
	// JWT-shaped, vault-token-shaped, and cut short.
	"eyJ" + strings.Repeat("hbGc", 5) + ".eyJ" + strings.Repeat("zdW/", 5) + "." + strings.Repeat("Sf_K", 3),
	"eyJ" + strings.Repeat("hbGc", 5) + ".eyJ" + strings.Repeat("zdW-", 5) + ".",
	"eyJ" + strings.Repeat("hb", 5) + ".ey",
	"s." + strings.Repeat("Ab3", 8), "s." + strings.Repeat("x9", 11),
	"hvs." + strings.Repeat("Ab-3_", 19), "hvs." + strings.Repeat("Ab3", 10),
}

// randomFastText builds one text of n pieces.
func randomFastText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(fastPieces[r.Intn(len(fastPieces))])
	}
	return b.String()
}

// TestFastMatchersEqualRegexp: each fast matcher returns exactly what the
// rule's regular expression's FindAllStringIndex returns, on random texts
// built to hit the corners and on real source text.
func TestFastMatchersEqualRegexp(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := newFastEngine(g.detector().Config)
	if fast == nil || len(fast.matchers) != len(fastRules) {
		t.Fatalf("fast rules in effect: %v; every one of fastRules must match gitleaks' default rule exactly", fast)
	}
	r := rand.New(rand.NewSource(1))
	texts := decoderCorpus(t)
	for range 8000 {
		texts = append(texts, randomFastText(r, 1+r.Intn(60)))
	}
	found := map[string]int{}
	for _, text := range texts {
		lower := asciiLower(text)
		for _, m := range fast.matchers {
			want := m.rule.Regex.FindAllStringIndex(text, -1)
			got := m.findAll(text, lower)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: matches %v, regexp %v, in %q", m.id, got, want, text)
			}
			found[m.id] += len(want)
		}
	}
	// The texts must exercise every rule, not only non-matches.
	for _, m := range fast.matchers {
		if found[m.id] < 50 {
			t.Errorf("%s matched only %d times: the test texts do not exercise it", m.id, found[m.id])
		}
	}
}

// TestFastRulesMatchGitleaks: the detector with the decode filter and the
// fast rules finds what gitleaks' detector finds, on the random texts as
// whole fragments with line numbers.
func TestFastRulesMatchGitleaks(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := rand.New(rand.NewSource(2))
	n := 0
	for range 1500 {
		text := randomFastText(r, 1+r.Intn(200))
		var want, got []string
		for _, f := range g.detector().DetectContext(ctx, detectFragment(text)) {
			want = append(want, fmt.Sprintf("%s:%d:%d:%s", f.RuleID, f.StartLine, f.StartColumn, f.Secret))
		}
		for _, m := range g.Detect(ctx, Fragment{Path: "f.txt", Text: text, StartLine: 1}) {
			got = append(got, fmt.Sprintf("%s:%d:%d:%s", m.RuleID, m.Line, m.Column, m.text().secret))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("findings %v, gitleaks %v, in %q", got, want, text)
		}
		n += len(want)
	}
	if n < 100 {
		t.Errorf("only %d findings in all texts: the test does not exercise the rules", n)
	}
}
