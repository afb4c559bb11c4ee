package leaks

import (
	"regexp"
	"strings"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// Faster matching of gitleaks' most expensive default rules, with the same
// findings.
//
// gitleaks runs a rule's regular expression over the whole fragment (about
// 100 kB) whenever one of its keywords occurs in it. Go's engine then steps
// through every byte with many threads, because these rules start with \b
// or a bounded prefix, which leaves it no literal to skip to. On source
// code three rules take about three quarters of the regular-expression time
// (generic-api-key, jwt, vault-service-token): their keywords (key, token,
// api, ey, s., ...) occur in nearly every fragment.
//
// Every match of these rules starts at a known distance before a literal:
// jwt at "ey", vault-service-token at "hvs." or "s." (both after \b), and
// generic-api-key at most 50 characters of [\w.-] before one of its
// keywords. So the leftmost match at or after a position is the first
// candidate start, in order, at which the expression matches when anchored
// there. Finding each anchored match at its start gives exactly
// FindAllStringIndex's successive leftmost-first matches, as long as the
// expression looks neither before its start (\b is checked by hand) nor at
// a text end other than the fragment's.
//
// The fast path applies only to the exact expressions below (a gitleaks
// upgrade that changes one leaves that rule to gitleaks), only to text
// gitleaks would not decode (decoding passes stay with gitleaks), and only
// to rules without path conditions, required rules or skip-report. The
// findings of these rules are made with a copy of gitleaks' detectRule
// (detect/detect.go), and gitleaks' generic-finding filter is applied to
// all findings of the fragment together, as gitleaks does.
// TestFastRulesMatchGitleaks compares both on real and generated text.

// fastRule is a rule whose matches start near a literal.
type fastRule struct {
	id      string
	pattern string // the rule's expression, exactly as gitleaks' default configuration has it
	// literals a match starts with (boundary rules), or one of which it
	// holds at most maxPrefix bytes after its start (prefix rules); lower
	// case when fold is set.
	literals []string
	// boundary: the expression is \b followed by the rest; matches start
	// at a literal with a word boundary before it.
	boundary bool
	// maxPrefix: matches start at most this many bytes before a literal,
	// all of them prefixClass bytes.
	maxPrefix   int
	prefixClass func(byte) bool
	fold        bool
}

var fastRules = []fastRule{
	{
		id:       "jwt",
		pattern:  `\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9\/\\_-]{17,}\.(?:[a-zA-Z0-9\/\\_-]{10,}={0,2})?)(?:[\x60'"\s;]|\\[nr]|$)`,
		literals: []string{"ey"},
		boundary: true,
	},
	{
		id:       "vault-service-token",
		pattern:  `\b((?:hvs\.[\w-]{90,120}|s\.(?i:[a-z0-9]{24})))(?:[\x60'"\s;]|\\[nr]|$)`,
		literals: []string{"hvs.", "s."},
		boundary: true,
	},
	{
		id:      "generic-api-key",
		pattern: `(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`,
		// The keywords of the expression, each cut to a prefix every
		// spelling shares (passw(?:or)?d: "passw").
		literals:    []string{"access", "auth", "api", "credential", "creds", "key", "passw", "secret", "token"},
		maxPrefix:   50,
		prefixClass: func(c byte) bool { return isWordByte(c) || c == '.' || c == '-' },
		fold:        true,
	},
}

func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// foldsToASCII are the UTF-8 encodings of the two non-ASCII characters
// that case-insensitive matching equates with ASCII letters: U+212A KELVIN
// SIGN (k) and U+017F LATIN SMALL LETTER LONG S (s). Text holding one is
// left to the regular expression.
var foldsToASCII = []string{"\u212a", "\u017f"}

// fastMatcher finds a fast rule's matches.
type fastMatcher struct {
	fastRule
	rule     glconfig.Rule
	anchored *regexp.Regexp // ^(?:rest)
}

// fastEngine runs the fast rules of a configuration; the rest stay with
// gitleaks' detector.
type fastEngine struct {
	cfg      *glconfig.Config
	matchers []*fastMatcher
	// prefilter is gitleaks' keyword prefilter, over every keyword of the
	// configuration as gitleaks builds it.
	prefilter *ahocorasick.Trie
}

// newFastEngine picks the fast rules of cfg and returns the engine and a
// copy of cfg without them (with the same keywords, so that gitleaks'
// prefilter is the same); nil when no rule qualifies.
func newFastEngine(cfg glconfig.Config) (*fastEngine, glconfig.Config) {
	e := &fastEngine{}
	for _, fr := range fastRules {
		r, ok := cfg.Rules[fr.id]
		if !ok || r.Regex == nil || r.Regex.String() != fr.pattern || r.Path != nil ||
			len(r.RequiredRules) > 0 || r.SkipReport || len(r.Keywords) == 0 || requiredByOther(cfg, fr.id) {
			continue
		}
		body := fr.pattern
		if fr.boundary {
			body = strings.TrimPrefix(body, `\b`)
		}
		e.matchers = append(e.matchers, &fastMatcher{fastRule: fr, rule: r, anchored: regexp.MustCompile(`^(?:` + body + `)`)})
	}
	if len(e.matchers) == 0 {
		return nil, cfg
	}
	rest := cfg
	rest.Rules = make(map[string]glconfig.Rule, len(cfg.Rules))
	for id, r := range cfg.Rules {
		rest.Rules[id] = r
	}
	for _, m := range e.matchers {
		delete(rest.Rules, m.id)
	}
	keywords := make([]string, 0, len(cfg.Keywords))
	for k := range cfg.Keywords {
		keywords = append(keywords, k)
	}
	e.prefilter = ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	c := cfg
	e.cfg = &c
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

// findAll returns what m.rule.Regex.FindAllStringIndex(text, -1) returns.
// lower is text with ASCII letters in lower case (for folding rules).
func (m *fastMatcher) findAll(text, lower string) [][]int {
	if m.fold {
		for _, f := range foldsToASCII {
			if strings.Contains(text, f) {
				return m.rule.Regex.FindAllStringIndex(text, -1)
			}
		}
	}
	hay := text
	if m.fold {
		hay = lower
	}
	var out [][]int
	pos := 0 // where the next match may start
	for pos <= len(text) {
		m0, m1, ok := m.next(text, hay, pos)
		if !ok {
			break
		}
		out = append(out, []int{m0, m1})
		if m1 > pos {
			pos = m1
		} else {
			pos++ // not reached: these expressions never match empty
		}
	}
	return out
}

// next returns the leftmost match starting at or after pos.
func (m *fastMatcher) next(text, hay string, pos int) (int, int, bool) {
	// Candidate starts, in increasing order: for each literal occurrence
	// at k (in order of k), the starts in [k-maxPrefix, k] not yet tried.
	tried := pos // every start below tried has failed
	from := pos
	for {
		k := m.nextLiteral(hay, from)
		if k < 0 {
			return 0, 0, false
		}
		lo := k
		if m.maxPrefix > 0 {
			lo = k
			for lo > 0 && k-(lo-1) <= m.maxPrefix && m.prefixClass(text[lo-1]) {
				lo--
			}
		}
		lo = max(lo, tried)
		for s := lo; s <= k; s++ {
			if m.boundary && s > 0 && isWordByte(text[s-1]) {
				continue // \b: the literal starts with a word character
			}
			if loc := m.anchored.FindStringIndex(text[s:]); loc != nil {
				return s, s + loc[1], true
			}
		}
		tried = max(tried, k+1)
		from = k + 1
	}
}

// nextLiteral is the smallest position at or after from where one of the
// literals occurs in hay; -1 if none.
func (m *fastMatcher) nextLiteral(hay string, from int) int {
	best := -1
	for _, lit := range m.literals {
		if from > len(hay) {
			break
		}
		if i := strings.Index(hay[from:], lit); i >= 0 && (best < 0 || from+i < best) {
			best = from + i
		}
	}
	return best
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
