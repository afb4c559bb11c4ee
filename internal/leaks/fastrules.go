package leaks

import (
	"slices"
	"strings"
	"unsafe"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// Faster matching of gitleaks' rules, with the same findings.
//
// gitleaks runs a rule's regular expression over the whole fragment (about
// 100 kB) whenever one of its keywords occurs in it. Go's engine then steps
// through every byte with many threads, because these rules start with \b
// or a bounded prefix, which leaves it no literal to skip to. On source
// code generic-api-key alone takes some 60% of the regular-expression
// time: its keywords (key, token, api, ...) occur in nearly every
// fragment; a long tail of rules whose keywords occur here and there takes
// most of the rest.
//
// Every match of a rule of the shape fastShape describes starts at most
// B bytes of the class C before an occurrence of one of its literals, and
// what follows the prefix (L REST) does not depend on where the match
// started. So the leftmost match at or after a position is found from the
// literal occurrences k, in order: the first k at which L REST matches
// anchored (one attempt per occurrence) gives the leftmost start, the
// smallest s >= k-B from which only C bytes lead to k (and with a word
// boundary at s for \b rules: a start s < k would reach k with C bytes, so
// any start that matches through a later occurrence is not smaller), and
// the expression without its \b, anchored at s, gives the match's end as
// the leftmost-first engine would. That is exactly FindAllStringIndex's
// successive matches. The literals of all rules are found in one pass of
// an Aho-Corasick automaton, the same pass that finds gitleaks' keywords.
//
// The fast path applies to rules without required rules or skip-report
// that no rule requires (the others stay with gitleaks' detector, without
// decoding), on the first pass and on gitleaks' decoding passes, which
// detectDecoded runs with a copy of gitleaks' decoder (glcodec) when no
// rule left to gitleaks has required rules. The findings are made with a
// copy of gitleaks' detectRule (detect/detect.go), and gitleaks'
// generic-finding filter is applied to all findings of the fragment
// together, as gitleaks does. TestFastMatchersEqualRegexp and
// TestFastRulesMatchGitleaks compare both on real and generated text, for
// every rule.

// foldsToASCII are the UTF-8 encodings of the two non-ASCII characters
// that case-insensitive matching equates with ASCII letters: U+212A KELVIN
// SIGN (k) and U+017F LATIN SMALL LETTER LONG S (s). Text holding one is
// left to the regular expression of a rule that folds case.
var foldsToASCII = []string{"\u212a", "\u017f"}

// fastMatcher finds a rule's matches from the occurrences of its literals.
type fastMatcher struct {
	*fastShape
	id   string
	rule glconfig.Rule
	// keywords are the indices in the engine's automaton of the rule's
	// keywords, lowered as gitleaks looks them up.
	keywords []int
}

// fastEngine runs the fast rules of a configuration; the rest stay with
// gitleaks' detector.
type fastEngine struct {
	cfg      *glconfig.Config
	matchers []*fastMatcher
	// pathOnly are the rules that match a path alone (no expression, no
	// keywords: gitleaks checks them on every fragment).
	pathOnly []glconfig.Rule
	// trie finds gitleaks' keywords (every keyword of the configuration,
	// as gitleaks' prefilter does) and the matchers' literals in one pass.
	trie *ahocorasick.Trie
	// patterns are the automaton's patterns: keyword tells whether one is
	// a keyword of the configuration, owners which matchers it is a
	// literal of.
	patterns []fastPattern
	// restKeywords are the automaton's indices of the keywords of the
	// rules left to gitleaks' detector: it need not run when none occurs.
	restKeywords []int
	// restAlways: a rule left to gitleaks has no keywords and runs on
	// every fragment.
	restAlways bool
	// others are the rules left to gitleaks' detector, which
	// detectDecoded runs by their expressions; decodes is false when one
	// of them has required rules or skip-report (or is required), which
	// detectRuleAt does not handle: fragments to decode then go to
	// gitleaks' detector whole.
	others  []otherRule
	decodes bool

	// paths remembers the global allowlists' path verdicts (nil: not
	// remembered); allowIndex is each global allowlist's place.
	paths      *pathMemo
	allowIndex map[*glconfig.Allowlist]int
}

// otherRule is a rule run by its expression, and the automaton's indices
// of its keywords.
type otherRule struct {
	rule     glconfig.Rule
	keywords []int
}

type fastPattern struct {
	text    string
	keyword bool
	owners  []int
}

// newFastEngine picks the fast rules of cfg and returns the engine and a
// copy of cfg without them (and without their keywords); nil when no rule
// qualifies.
func newFastEngine(cfg glconfig.Config) (*fastEngine, glconfig.Config) {
	e := &fastEngine{}
	index := map[string]int{}
	pattern := func(text string) int {
		if i, ok := index[text]; ok {
			return i
		}
		index[text] = len(e.patterns)
		e.patterns = append(e.patterns, fastPattern{text: text})
		return index[text]
	}
	for k := range cfg.Keywords {
		e.patterns[pattern(k)].keyword = true
	}
	ids := make([]string, 0, len(cfg.Rules))
	for id := range cfg.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	fast := map[string]bool{}
	for _, id := range ids {
		r := cfg.Rules[id]
		if len(r.RequiredRules) > 0 || r.SkipReport || requiredByOther(cfg, id) {
			continue
		}
		if r.Regex == nil {
			if r.Path != nil && len(r.Keywords) == 0 {
				e.pathOnly = append(e.pathOnly, r)
				fast[id] = true
			}
			continue
		}
		if len(r.Keywords) == 0 {
			continue
		}
		sh, ok := shapeOf(r.Regex.String())
		if !ok {
			continue
		}
		m := &fastMatcher{fastShape: sh, id: id, rule: r}
		for _, k := range r.Keywords {
			if i, ok := index[strings.ToLower(k)]; ok && e.patterns[i].keyword {
				m.keywords = append(m.keywords, i)
			}
		}
		for _, l := range sh.literals {
			i := pattern(l)
			e.patterns[i].owners = append(e.patterns[i].owners, len(e.matchers))
		}
		e.matchers = append(e.matchers, m)
		fast[id] = true
	}
	if len(fast) == 0 {
		return nil, cfg
	}
	// The detector of the other rules looks only for their keywords: a
	// rule runs when one of its own occurs, whatever else the automaton
	// looks for.
	rest := cfg
	rest.Rules = make(map[string]glconfig.Rule, len(cfg.Rules))
	rest.Keywords = map[string]struct{}{}
	e.decodes = true
	for _, id := range ids {
		r := cfg.Rules[id]
		if fast[id] {
			continue
		}
		rest.Rules[id] = r
		if len(r.Keywords) == 0 {
			e.restAlways = true
		}
		o := otherRule{rule: r}
		for _, k := range r.Keywords {
			if _, ok := cfg.Keywords[strings.ToLower(k)]; ok {
				rest.Keywords[strings.ToLower(k)] = struct{}{}
			}
			if i, ok := index[strings.ToLower(k)]; ok && e.patterns[i].keyword {
				o.keywords = append(o.keywords, i)
			}
		}
		e.restKeywords = append(e.restKeywords, o.keywords...)
		e.others = append(e.others, o)
		if len(r.RequiredRules) > 0 || r.SkipReport || requiredByOther(cfg, id) {
			e.decodes = false
		}
	}
	texts := make([]string, len(e.patterns))
	for i, p := range e.patterns {
		texts[i] = p.text
	}
	e.trie = ahocorasick.NewTrieBuilder().AddStrings(texts).Build()
	c := cfg
	e.cfg = &c
	e.allowIndex = make(map[*glconfig.Allowlist]int, len(cfg.Allowlists))
	for i, a := range cfg.Allowlists {
		e.allowIndex[a] = i
	}
	return e, rest
}

func requiredByOther(cfg glconfig.Config, id string) bool {
	for _, other := range cfg.Rules {
		for _, req := range other.RequiredRules {
			if req.RuleID == id {
				return true
			}
		}
	}
	return false
}

// scanState is what one pass of the automaton found in a fragment.
type scanState struct {
	present []bool // by pattern: a keyword occurs
	hits    []hit  // literal occurrences
	active  []bool // by matcher: one of its keywords occurs; nil if none
}

type hit struct {
	pos     int
	pattern int
}

// walk runs the automaton over text (lowered), recording keywords when
// keywords is set and literal occurrences when literals is set.
func (e *fastEngine) walk(st *scanState, text string, keywords, literals bool) {
	if len(text) == 0 {
		return
	}
	b := unsafe.Slice(unsafe.StringData(text), len(text)) // read only
	e.trie.Walk(b, func(end, n, pattern int64) bool {
		p := &e.patterns[pattern]
		if keywords && p.keyword {
			st.present[pattern] = true
		}
		if literals && len(p.owners) > 0 {
			st.hits = append(st.hits, hit{pos: int(end - n + 1), pattern: int(pattern)})
		}
		return true
	})
}

// anyPresent reports whether one of the patterns occurs.
func anyPresent(present []bool, idx []int) bool {
	for _, i := range idx {
		if present[i] {
			return true
		}
	}
	return false
}

// matches returns what m.rule.Regex.FindAllStringIndex(text, -1) returns,
// given the sorted start positions of m's literals in text (ASCII letters
// lowered); ok is false when the expression must decide (the text holds a
// character that folds to k or s).
func (m *fastMatcher) matches(text string, occ []int) [][]int {
	folds := m.fold && hasFoldRune(text)
	if len(occ) == 0 && !folds {
		return nil
	}
	if folds || !m.compile() {
		return m.rule.Regex.FindAllStringIndex(text, -1)
	}
	var out [][]int
	pos := 0 // where the next match may start
	for _, k := range occ {
		if k < pos {
			continue
		}
		if m.need != nil && !m.need.allows(text, k) {
			continue
		}
		// The smallest start that reaches k through prefix bytes.
		lo := k
		for lo > pos && k-(lo-1) <= m.maxPrefix && m.prefix[text[lo-1]] {
			lo--
		}
		s := lo
		if m.boundary {
			for s <= k && !wordBoundary(text, s) {
				s++
			}
			if s > k {
				continue
			}
		}
		if m.rest.FindStringIndex(text[k:]) == nil {
			continue
		}
		loc := m.body.FindStringIndex(text[s:])
		if loc == nil {
			// Not reached (the rest matched at k, which s reaches); the
			// expression decides if it ever is.
			return m.rule.Regex.FindAllStringIndex(text, -1)
		}
		out = append(out, []int{s, s + loc[1]})
		pos = max(s+loc[1], s+1)
	}
	return out
}

// findAll is matches with the literal occurrences found by a plain search
// (for tests, and for a single rule).
func (m *fastMatcher) findAll(text, lower string) [][]int {
	var occ []int
	for _, l := range m.literals {
		for i := 0; ; {
			j := strings.Index(lower[i:], l)
			if j < 0 {
				break
			}
			occ = append(occ, i+j)
			i += j + 1
		}
	}
	slices.Sort(occ)
	return m.matches(text, slices.Compact(occ))
}

func hasFoldRune(text string) bool {
	for _, f := range foldsToASCII {
		if strings.Contains(text, f) {
			return true
		}
	}
	return false
}

// wordBoundary is \b at position i of text (ASCII word characters, as Go's
// regexp has them).
func wordBoundary(text string, i int) bool {
	before := i > 0 && isWordByte(text[i-1])
	after := i < len(text) && isWordByte(text[i])
	return before != after
}

func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// asciiLower lower-cases ASCII letters only (one byte for one byte, so
// positions stay the same).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
