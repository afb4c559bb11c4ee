package leaks

import (
	"slices"
	"strings"

	glconfig "github.com/zricethezav/gitleaks/v8/config"
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
	present := presentKeywords(vc, decodedForms(texts))
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
	var later []deferredStopwords
	if size := textSize(texts); size <= maxDeferStopwordsText {
		later = deferStopwords(&sub)
	}
	cfg, err := translate("gitleaks default configuration", &sub)
	if err != nil {
		return g
	}
	for _, d := range later {
		d.restore(cfg)
	}
	n := &Gitleaks{}
	n.detOnce.Do(func() { n.det = newDetector(cfg) })
	return n
}

// smallText is the size of text up to which presentKeywords looks for each
// keyword in turn; past it, the text is read once (keywordsByPairs). The
// default rules' keywords, one by one / by pairs: 2 KB 0.13 / 0.28 ms,
// 20 KB 1.5 / 0.29 ms, 64 KB 4.9 / 0.78 ms, 210 KB 16.7 / 2.7 ms.
const smallText = 4 << 10

// presentKeywords returns the rules' keywords, lower-cased, that occur in
// one of texts, case-insensitively, as gitleaks matches them.
func presentKeywords(vc *glconfig.ViperConfig, texts []string) map[string]bool {
	seen := map[string]bool{}
	var keywords []string
	for _, r := range vc.Rules {
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			if !seen[k] {
				seen[k] = true
				keywords = append(keywords, k)
			}
		}
	}
	return keywordsIn(keywords, texts, textSize(texts) > smallText)
}

// keywordsIn returns the keywords (lower case) that occur in texts,
// case-insensitively: one keyword after the other, or (byPairs) in one
// pass over the texts.
func keywordsIn(keywords, texts []string, byPairs bool) map[string]bool {
	lowers := make([]string, len(texts))
	for i, text := range texts {
		lowers[i] = strings.ToLower(text)
	}
	if byPairs {
		return keywordsByPairs(keywords, lowers)
	}
	present := map[string]bool{}
	for _, k := range keywords {
		for _, lower := range lowers {
			if strings.Contains(lower, k) {
				present[k] = true
				break
			}
		}
	}
	return present
}

// keywordsByPairs finds the keywords that occur in texts (all lower
// case) in one pass: at each position, the two bytes there say whether a
// keyword can start, and only the keywords starting with them are
// compared. On 210 KB of staged code the default rules' 244 keywords took
// 11 ms through an Aho-Corasick automaton (half of it building the
// automaton), 16 ms one after the other, 2.7 ms so.
func keywordsByPairs(keywords, texts []string) map[string]bool {
	present := map[string]bool{}
	// starting[p] lists the keywords whose first two bytes are p.
	starting := map[uint16][]string{}
	var pairs [1 << 16 / 64]uint64 // a bit per pair that starts a keyword
	for _, k := range keywords {
		if len(k) < 2 {
			for _, text := range texts { // "" or one byte: rare, asked directly
				if strings.Contains(text, k) {
					present[k] = true
					break
				}
			}
			continue
		}
		p := uint16(k[0])<<8 | uint16(k[1])
		pairs[p/64] |= 1 << (p % 64)
		starting[p] = append(starting[p], k)
	}
	left := len(starting)
	for _, text := range texts {
		for i := 0; i+1 < len(text) && left > 0; i++ {
			p := uint16(text[i])<<8 | uint16(text[i+1])
			if pairs[p/64]&(1<<(p%64)) == 0 {
				continue
			}
			// Each keyword found is not compared again.
			ks := starting[p]
			kept := ks[:0]
			for _, k := range ks {
				if strings.HasPrefix(text[i:], k) {
					present[k] = true
				} else {
					kept = append(kept, k)
				}
			}
			if ks = kept; len(ks) == 0 {
				delete(starting, p)
				pairs[p/64] &^= 1 << (p % 64)
				left--
			} else {
				starting[p] = ks
			}
		}
	}
	return present
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

// maxDeferStopwordsText bounds the staged text for which deferStopwords
// is worth it: each candidate match then looks for the stop words one by
// one (some 15 µs for generic-api-key's 1,500) instead of in a trie whose
// construction costs about 4 ms, and candidates grow with the text.
const maxDeferStopwordsText = 256 << 10

func textSize(texts []string) int {
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	return n
}

// deferredStopwords are the stop words of one rule allowlist, kept out of
// gitleaks' translation of the configuration: gitleaks' Allowlist.Validate
// builds an Aho-Corasick trie of them (4 ms for generic-api-key's, the
// largest part of narrowing a staged scan's rules), while a validated
// allowlist that has stop words and no trie looks for each word in turn
// (Allowlist.ContainsStopWord), with the same answer: whether the
// lower-cased secret contains one of the lower-cased words.
type deferredStopwords struct {
	rule  string
	index int
	words []string
}

// deferStopwords takes the stop words out of the rule allowlists of vc
// that have another check (an allowlist of stop words alone would not
// validate without them) and no empty word (which a trie and a search
// may treat differently); vc's rules get copies of their allowlists, so
// the shared default configuration is left as it is.
func deferStopwords(vc *glconfig.ViperConfig) []deferredStopwords {
	var out []deferredStopwords
	for ri := range vc.Rules {
		r := &vc.Rules[ri]
		if r.AllowList != nil {
			continue // the deprecated form is appended by gitleaks; left alone
		}
		cloned := false
		for ai, a := range r.Allowlists {
			if len(a.StopWords) == 0 || len(a.Regexes)+len(a.Paths)+len(a.Commits) == 0 {
				continue
			}
			words := make([]string, 0, len(a.StopWords))
			seen := map[string]bool{}
			for _, w := range a.StopWords {
				w = strings.ToLower(w)
				if w == "" {
					words = nil
					break
				}
				if !seen[w] {
					seen[w] = true
					words = append(words, w)
				}
			}
			if words == nil {
				continue
			}
			if !cloned {
				r.Allowlists = slices.Clone(r.Allowlists)
				cloned = true
			}
			stripped := *a
			stripped.StopWords = nil
			r.Allowlists[ai] = &stripped
			out = append(out, deferredStopwords{rule: r.ID, index: ai, words: words})
		}
	}
	return out
}

// restore gives the translated allowlist its stop words back, after its
// validation: without a trie, gitleaks searches for them one by one.
func (d deferredStopwords) restore(cfg glconfig.Config) {
	r, ok := cfg.Rules[d.rule]
	if !ok || d.index >= len(r.Allowlists) {
		return
	}
	r.Allowlists[d.index].StopWords = d.words
}
