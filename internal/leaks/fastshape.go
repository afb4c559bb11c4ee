package leaks

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
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
	once             sync.Once
	rest, body       *regexp.Regexp
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
