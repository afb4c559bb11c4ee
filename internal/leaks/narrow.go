package leaks

import (
	"strings"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
)

// narrower is implemented by detectors that can build a cheaper detector
// that finds the same in a few known texts (a staged scan knows all its
// text before it scans any).
type narrower interface {
	Narrow(texts []string) Detector
}

var _ narrower = (*Gitleaks)(nil)

// Narrow returns a detector of the default rules that gitleaks would run
// on these texts — those whose keywords occur in a text or in what
// gitleaks' decoder makes of it, those without keywords, and the rules
// these require — so that only their regular expressions are compiled.
// gitleaks runs a rule on a fragment only when one of its keywords occurs
// in the fragment's text at the decoding depth scanned, so the findings
// are the same. With a .gitleaks.toml, whose rules are compiled already,
// it returns g.
func (g *Gitleaks) Narrow(texts []string) Detector {
	if g.ConfigPath != "" {
		return g
	}
	vc, err := defaultViperConfig()
	if err != nil {
		return g
	}
	var keywords []string
	for _, r := range vc.Rules {
		for _, k := range r.Keywords {
			keywords = append(keywords, strings.ToLower(k))
		}
	}
	trie := ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	present := map[string]bool{}
	for _, text := range decodedForms(texts) {
		lower := strings.ToLower(text)
		for _, m := range trie.MatchString(lower) {
			present[m.MatchString()] = true
		}
	}
	byID := map[string]int{}
	for i, r := range vc.Rules {
		byID[r.ID] = i
	}
	keep := map[int]bool{}
	var add func(i int)
	add = func(i int) {
		if keep[i] {
			return
		}
		keep[i] = true
		for _, req := range vc.Rules[i].Required {
			if j, ok := byID[req.ID]; ok {
				add(j)
			}
		}
	}
	for i, r := range vc.Rules {
		needed := len(r.Keywords) == 0
		for _, k := range r.Keywords {
			if present[strings.ToLower(k)] {
				needed = true
				break
			}
		}
		if needed {
			add(i)
		}
	}
	sub := *vc
	sub.Rules = sub.Rules[:0:0]
	for i, r := range vc.Rules {
		if keep[i] {
			sub.Rules = append(sub.Rules, r)
		}
	}
	cfg, err := translate("gitleaks default configuration", &sub)
	if err != nil {
		return g
	}
	n := &Gitleaks{}
	n.detOnce.Do(func() { n.det = newDetector(cfg) })
	return n
}

// decodedForms returns the texts and what gitleaks' decoder makes of each,
// pass by pass up to maxDecodeDepth, as detect.DetectContext scans them.
func decodedForms(texts []string) []string {
	var out []string
	for _, text := range texts {
		out = append(out, text)
		if !mayDecode(text) {
			// gitleaks' decoder would find nothing: the text is its only
			// form (mayDecode never says no when the decoder finds a
			// segment), and the decoder's expression is the dearer test.
			continue
		}
		dec := codec.NewDecoder()
		var segments []*codec.EncodedSegment
		for range maxDecodeDepth {
			text, segments = dec.Decode(text, segments)
			if len(segments) == 0 {
				break
			}
			out = append(out, text)
		}
	}
	return out
}
