package leaks

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The shape of a rule's expression that lets fastMatcher find its matches
// from literal occurrences instead of stepping through every byte.
//
// Most of gitleaks' rules are either a token with a fixed prefix
// (\b(ghp_[0-9a-zA-Z]{36})..., a "unique token" rule) or an identifier
// near an assignment ((?i)[\w.-]{0,50}?(?:twitter)(?:[ \t\w.-]{0,20})...,
// a "semi-generic" rule). Both are, once parsed:
//
//	[\b] [C{0,B}] L REST
//
// an optional word boundary, an optional bounded run of one character
// class C, then an element L every match of which starts with one of a
// few literals, then anything. Every match then starts at most B bytes
// (of C) before an occurrence of one of those literals. shapeOf derives
// the literals, C and B from the parsed expression, and refuses any
// expression that does not have this shape, or that could look before
// the start of a match other than through the leading \b (which is
// checked by hand), or whose literals or class reach beyond ASCII (save
// for the two non-ASCII letters case folding equates with k and s, which
// make a text holding them go to the regular expression).

// fastShape is what fastMatcher needs to know of an expression.
type fastShape struct {
	// boundary: the expression starts with \b.
	boundary bool
	// maxPrefix is B; prefix[c] tells whether the ASCII byte c is in C.
	maxPrefix int
	prefix    [256]bool
	// literals, in lower case: every match of L starts with one of them,
	// compared with the text's ASCII letters lowered (a superset of the
	// places L matches, which is all the search needs).
	literals []string
	// fold: the expression matches U+212A or U+017F where the literals
	// or C have k or s; a text holding either goes to the expression.
	fold bool
	// rest is ^(?:L REST); body is ^(?:C{0,B} L REST) (the expression
	// without its leading \b). Compiled on first use (compile): a scan
	// needs those of the rules whose keywords occur, and compiling all
	// would double the detector's start-up.
	restSyn, bodySyn *syntax.Regexp
	// need rules out positions where rest cannot match; nil when the
	// expression has no needle (needleOf).
	need       *needle
	once       sync.Once
	rest, body *regexp.Regexp
}

// compile compiles rest and body; false if either does not compile
// (shapeOf parsed both, so not expected): the rule's expression then
// finds the matches.
func (sh *fastShape) compile() bool {
	sh.once.Do(func() {
		// Printing a parsed expression is slow (case folding of its
		// classes): also left to first use.
		rest, err1 := regexp.Compile(`^(?:` + sh.restSyn.String() + `)`)
		body, err2 := regexp.Compile(`^(?:` + sh.bodySyn.String() + `)`)
		if err1 == nil && err2 == nil {
			sh.rest, sh.body = rest, body
		}
	})
	return sh.rest != nil
}

// minLiteral is the length below which literals are refused: shorter ones
// occur too often to save anything.
const minLiteral = 2

// maxLiterals bounds the literal set (a class in L multiplies it).
const maxLiterals = 64

// shapeOf returns the shape of an expression; false when it has none.
func shapeOf(pattern string) (*fastShape, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	var elems []*syntax.Regexp
	if re.Op == syntax.OpConcat {
		elems = re.Sub
	} else {
		elems = []*syntax.Regexp{re}
	}
	sh := &fastShape{fold: foldsAnywhere(re)}
	if len(elems) > 0 && elems[0].Op == syntax.OpWordBoundary {
		sh.boundary = true
		elems = elems[1:]
	}
	if len(elems) == 0 {
		return nil, false
	}
	// The prefix: one bounded repetition of a class, or several in a row
	// of the same ASCII class (some rules have [\w.-]{0,50}? twice), which
	// match what one repetition of their summed bound matches.
	var prefix []*syntax.Regexp
	for len(elems) > 0 {
		p := elems[0]
		optionalRun := p.Op == syntax.OpRepeat && p.Min == 0 && p.Max > 0
		if !optionalRun && p.Op != syntax.OpQuest {
			break
		}
		var class [256]bool
		if p.Sub[0].Op != syntax.OpCharClass || !asciiClass(p.Sub[0], &class) || (prefix != nil && class != sh.prefix) {
			return nil, false
		}
		sh.prefix = class
		if p.Op == syntax.OpRepeat {
			sh.maxPrefix += p.Max
		} else {
			sh.maxPrefix++
		}
		prefix = append(prefix, p)
		elems = elems[1:]
	}
	if len(elems) == 0 || emptyWidth(elems[0]) {
		return nil, false
	}
	restRe := &syntax.Regexp{Op: syntax.OpConcat, Sub: elems}
	if len(elems) == 1 {
		restRe = elems[0]
	}
	lits, _, ok := literalPrefixes(restRe)
	if !ok || len(lits) == 0 {
		return nil, false
	}
	seen := map[string]bool{}
	for _, l := range lits {
		l = strings.ToLower(l)
		if len(l) < minLiteral {
			return nil, false
		}
		if !seen[l] {
			seen[l] = true
			sh.literals = append(sh.literals, l)
		}
	}
	body := restRe
	if prefix != nil {
		body = &syntax.Regexp{Op: syntax.OpConcat, Sub: append(prefix, elems...)}
	}
	sh.restSyn, sh.bodySyn = restRe, body
	sh.need = needleOf(elems)
	return sh, true
}

// literalPrefixes returns strings one of which every match of re starts
// with; exact when they are the whole of every match. ok is false when
// there are none (re may match empty or start otherwise) or too many.
func literalPrefixes(re *syntax.Regexp) (lits []string, exact, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if s == "" || !isASCII(s) {
			return nil, false, false
		}
		return []string{s}, true, true
	case syntax.OpCharClass:
		var set [256]bool
		if !asciiClass(re, &set) {
			return nil, false, false
		}
		for c := range 128 {
			if set[c] {
				lits = append(lits, string(rune(c)))
			}
		}
		if len(lits) == 0 || len(lits) > 8 {
			return nil, false, false
		}
		return lits, true, true
	case syntax.OpCapture:
		return literalPrefixes(re.Sub[0])
	case syntax.OpPlus:
		lits, _, ok = literalPrefixes(re.Sub[0])
		return lits, false, ok
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false, false
		}
		lits, _, ok = literalPrefixes(re.Sub[0])
		return lits, false, ok
	case syntax.OpAlternate:
		exact = true
		for _, sub := range re.Sub {
			l, e, ok := literalPrefixes(sub)
			if !ok {
				return nil, false, false
			}
			lits = append(lits, l...)
			exact = exact && e
		}
		return lits, exact, len(lits) <= maxLiterals
	case syntax.OpConcat:
		if len(re.Sub) == 0 || emptyWidth(re.Sub[0]) {
			return nil, false, false
		}
		lits, exact, ok = literalPrefixes(re.Sub[0])
		if !ok {
			return nil, false, false
		}
		// Lengthen short literals with what follows while they are the
		// whole of what they match: a match of A B, A exact, starts
		// with a of A followed by a prefix b of B.
		i := 1
		for ; exact && i < len(re.Sub) && shortest(lits) < 4; i++ {
			next, e, ok := literalPrefixes(re.Sub[i])
			if !ok || len(lits)*len(next) > maxLiterals {
				return lits, false, true
			}
			cross := make([]string, 0, len(lits)*len(next))
			for _, a := range lits {
				for _, b := range next {
					cross = append(cross, a+b)
				}
			}
			lits, exact = cross, e
		}
		return lits, exact && i == len(re.Sub), true
	}
	return nil, false, false
}

func shortest(lits []string) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// emptyWidth reports whether re is an assertion (it matches no text).
func emptyWidth(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return false
}

// asciiClass sets in set the ASCII bytes of a character class; false when
// the class holds other non-ASCII characters than the two that fold to k
// and s.
func asciiClass(re *syntax.Regexp, set *[256]bool) bool {
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
			set[r] = true
		}
		if hi >= utf8.RuneSelf {
			lo = max(lo, utf8.RuneSelf)
			if lo != hi || (lo != '\u017f' && lo != '\u212a') {
				return false
			}
		}
	}
	return true
}

// foldsAnywhere reports whether re can match U+212A or U+017F: a case-
// folding literal or a class holding one.
func foldsAnywhere(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return true
		}
		for _, r := range re.Rune {
			if r == '\u017f' || r == '\u212a' {
				return true
			}
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for _, f := range []rune{'\u017f', '\u212a'} {
				if re.Rune[i] <= f && f <= re.Rune[i+1] {
					return true
				}
			}
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	}
	for _, sub := range re.Sub {
		if foldsAnywhere(sub) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// needle is a necessary condition of rest matching at a position k: a
// byte of set occurs among the bytes lo to hi after k (both included).
// Most "semi-generic" rules need an assignment a few characters after
// their keyword ((?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|…)): in
// text that names tokens and keys without assigning them, which is most
// text holding the keywords, the needle rules the position out before
// Go's regular expression engine steps through it.
type needle struct {
	lo, hi int
	set    [256]bool
}

// maxNeedleSet bounds the bytes of a needle's set: a larger one would
// rule out too few positions to pay for the look.
const maxNeedleSet = 32

// needleOf derives the needle of a concatenation of elements, the first
// of them L: the first element after L that must match a character, of
// few first bytes, preceded by elements of bounded width. nil when there
// is none.
func needleOf(elems []*syntax.Regexp) *needle {
	lo, hi := 0, 0
	for i, e := range elems {
		if i > 0 && minWidth(e) > 0 {
			var set [256]bool
			if firstBytes(e, &set) && countSet(&set) <= maxNeedleSet {
				return &needle{lo: lo, hi: hi, set: set}
			}
		}
		w := maxWidth(e)
		if w < 0 {
			return nil
		}
		lo += minWidth(e)
		hi += w
	}
	return nil
}

// allows reports whether text may match at k as far as the needle can
// tell (false: it cannot).
func (n *needle) allows(text string, k int) bool {
	from, to := k+n.lo, min(len(text), k+n.hi+1)
	for i := from; i < to; i++ {
		if n.set[text[i]] {
			return true
		}
	}
	return false
}

func countSet(set *[256]bool) int {
	n := 0
	for _, in := range set {
		if in {
			n++
		}
	}
	return n
}

// minWidth is the fewest bytes a match of re spans.
func minWidth(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) // each rune takes a byte at least
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minWidth(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minWidth(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n += minWidth(sub)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range re.Sub {
			if w := minWidth(sub); n < 0 || w < n {
				n = w
			}
		}
		return max(n, 0)
	}
	return 0 // assertions, ?, *, the empty match
}

// maxWidth is the most bytes a match of re spans in a text without
// U+017F and U+212A (fastMatcher.matches hands a text holding either to
// the expression when it can match them); -1 when unbounded.
func maxWidth(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			w := utf8.RuneLen(r) // an ASCII letter folds to ASCII but for k and s
			if w < 0 || r >= utf8.RuneSelf && re.Flags&syntax.FoldCase != 0 {
				w = utf8.UTFMax // a surrogate never matches; a folding one may widen
			}
			n += w
		}
		return n
	case syntax.OpCharClass:
		top := rune(0)
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo == hi && (lo == '\u017f' || lo == '\u212a') {
				continue
			}
			top = max(top, hi)
		}
		if w := utf8.RuneLen(top); w > 0 {
			return w
		}
		return utf8.UTFMax // a surrogate: the class reaches past it
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture, syntax.OpQuest:
		return maxWidth(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpRepeat:
		w := maxWidth(re.Sub[0])
		if re.Max < 0 || w < 0 {
			return -1
		}
		return re.Max * w
	case syntax.OpConcat, syntax.OpAlternate:
		n := 0
		for _, sub := range re.Sub {
			w := maxWidth(sub)
			if w < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				n += w
			} else {
				n = max(n, w)
			}
		}
		return n
	}
	return 0 // assertions, the empty match
}

// firstBytes adds to set the bytes a match of re can start with; false
// when re can start with a character beyond ASCII (other than the two
// that fold to k and s, for which a text goes to the expression, see
// fastShape.fold) or match empty.
func firstBytes(re *syntax.Regexp, set *[256]bool) bool {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 || re.Rune[0] >= utf8.RuneSelf {
			return false
		}
		r := re.Rune[0]
		set[r] = true
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				if f < utf8.RuneSelf {
					set[f] = true
				}
			}
		}
		return true
	case syntax.OpCharClass:
		return asciiClass(re, set)
	case syntax.OpCapture, syntax.OpPlus:
		return firstBytes(re.Sub[0], set)
	case syntax.OpRepeat:
		return re.Min > 0 && firstBytes(re.Sub[0], set)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !firstBytes(sub, set) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		// The first element that must match a character, and the
		// optional ones before it.
		for _, sub := range re.Sub {
			if emptyWidth(sub) {
				continue
			}
			if minWidth(sub) > 0 {
				return firstBytes(sub, set)
			}
			switch sub.Op {
			case syntax.OpQuest, syntax.OpStar:
				if !firstBytes(sub.Sub[0], set) {
					return false
				}
			case syntax.OpRepeat:
				if sub.Max == 0 {
					continue
				}
				if !firstBytes(sub.Sub[0], set) {
					return false
				}
			default:
				return false
			}
		}
		return false
	}
	return false
}
