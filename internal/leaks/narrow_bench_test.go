package leaks

import (
	"fmt"
	"maps"
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

// TestKeywordsInBothWays: looking for each keyword in turn finds what the
// Aho-Corasick automaton finds, on the default rules' keywords.
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
	}
	for i, texts := range tests {
		one := keywordsIn(keywords, texts, false)
		auto := keywordsIn(keywords, texts, true)
		if !maps.Equal(one, auto) {
			t.Errorf("texts %d: one by one %v, automaton %v", i, one, auto)
		}
	}
	if len(keywordsIn(keywords, tests[3], false)) < 3 {
		t.Error("the texts with keywords found fewer than three: the test proves nothing")
	}
}
