package leaks

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
)

// BenchmarkNarrow: a pre-commit run's detector for ten small staged
// files (the default rules narrowed to the keywords present).
func BenchmarkNarrow(b *testing.B) {
	g, err := LoadGitleaks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, 10)
	for i := range texts {
		texts[i] = fmt.Sprintf("package main\n\nfunc f%d() string { return \"hello world %d\" }\n", i, i)
	}
	_, _ = defaultViperConfig()
	b.ResetTimer()
	for range b.N {
		if g.Narrow(texts) == nil {
			b.Fatal("no detector")
		}
	}
}

// TestKeywordsInBothWays: reading the texts once, by pairs of bytes,
// finds what looking for each keyword in turn finds, on the default rules'
// keywords and on random keywords sharing first bytes (a keyword that is
// another's prefix, both at one place; a keyword at a text's very end;
// multi-byte characters).
func TestKeywordsInBothWays(t *testing.T) {
	vc, err := defaultViperConfig()
	if err != nil {
		t.Fatal(err)
	}
	var keywords []string
	seen := map[string]bool{}
	for _, r := range vc.Rules {
		for _, k := range r.Keywords {
			if k = strings.ToLower(k); !seen[k] {
				seen[k] = true
				keywords = append(keywords, k)
			}
		}
	}
	tests := [][]string{
		nil,
		{""},
		{"package main\n\nfunc main() {}\n"},
		{"AKIA in upper case", "ghp_ and GLPAT- mixed", "xoxb-slack token\nsk_live_"},
		{strings.Repeat("no keyword here ", 1000)},
		{"overlapping: akiaakia xoxbxoxp", "https://hooks.slack.com/services/"},
		{"ends with a keyword: akia", "ak"},
	}
	for i, texts := range tests {
		one := keywordsIn(keywords, texts, false)
		pairs := keywordsIn(keywords, texts, true)
		if !maps.Equal(one, pairs) {
			t.Errorf("texts %d: one by one %v, by pairs %v", i, one, pairs)
		}
	}
	if len(keywordsIn(keywords, tests[3], false)) < 3 {
		t.Error("the texts with keywords found fewer than three: the test proves nothing")
	}

	// Random keywords over a small alphabet, so that they share first
	// bytes and prefixes, and random texts over the same alphabet.
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abk_é-"
	word := func(max int) string {
		var b strings.Builder
		for range 1 + r.IntN(max) {
			b.WriteString(string([]rune(alphabet)[r.IntN(len([]rune(alphabet)))]))
		}
		return b.String()
	}
	found := 0
	for range 2000 {
		keys := []string{"", "a"}
		for range 1 + r.IntN(12) {
			keys = append(keys, word(5))
		}
		texts := []string{word(40), word(3)}
		one := keywordsIn(keys, texts, false)
		pairs := keywordsIn(keys, texts, true)
		if !maps.Equal(one, pairs) {
			t.Fatalf("keywords %q in %q: one by one %v, by pairs %v", keys, texts, one, pairs)
		}
		found += len(one)
	}
	if found < 2000 {
		t.Errorf("random cases found %d keywords in all: the test proves little", found)
	}
}
