package leaks

import (
	"math/rand"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The needle (needleOf) must be a necessary condition: wherever the
// anchored rest of an expression matches, the needle allows the position.
// These tests generate texts from the expressions themselves — with
// multi-byte characters, invalid UTF-8 and the two runes that fold to k
// and s around them — and check every position where rest matches: for
// random expressions of every syntax a rule can hold, and for gitleaks'
// rules.

// genText appends to b a string that matches re (assertions aside).
func genText(r *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && r.Intn(2) == 0 {
				orbit := []rune{c}
				for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
					orbit = append(orbit, f)
				}
				c = orbit[r.Intn(len(orbit))]
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return
		}
		i := r.Intn(len(re.Rune)/2) * 2
		lo, hi := re.Rune[i], re.Rune[i+1]
		var c rune
		switch r.Intn(3) {
		case 0:
			c = lo
		case 1:
			c = hi
		default:
			c = lo + rune(r.Int63n(int64(hi-lo+1)))
		}
		b.WriteRune(c)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		cs := []rune{'a', '=', 'é', '€', '𝄞', '\u212a', '\u017f', 0xFFFD}
		c := cs[r.Intn(len(cs))]
		if c == 0xFFFD && r.Intn(2) == 0 {
			b.WriteByte(0xff)
			return
		}
		b.WriteRune(c)
	case syntax.OpCapture:
		genText(r, re.Sub[0], b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			genText(r, s, b)
		}
	case syntax.OpAlternate:
		genText(r, re.Sub[r.Intn(len(re.Sub))], b)
	case syntax.OpQuest:
		if r.Intn(2) == 0 {
			genText(r, re.Sub[0], b)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		mn, mx := 0, 3
		if re.Op == syntax.OpPlus {
			mn = 1
		}
		if re.Op == syntax.OpRepeat {
			mn, mx = re.Min, re.Max
			if mx < 0 {
				mx = mn + 3
			}
		}
		n := mn
		switch r.Intn(3) {
		case 0:
			n = mx
		case 1:
			n = mn + r.Intn(mx-mn+1)
		}
		for range n {
			genText(r, re.Sub[0], b)
		}
	}
}

var needleAtoms = []string{
	"a", "k", "s", "K", "S", "é", "€", "𝄞", "ſ", "\\x{212A}", "=", ":", ",", "_",
	"[a-z]", "[^a-z]", "[=:>]", "[\\s'\"]", "[\\w.-]", "\\pL", "\\p{Greek}", "[é€]", "[^\\x00-\\x{10FFFF}]",
	".", "(?s:.)", "\\d", "[ſk]", "[\\x{212A}s]", "[\\x{100}-\\x{17F}]", "\\x{FFFD}",
	"\\b", "\\B", "^", "$", "(?m:^)", "(?m:$)", "(?:)",
}

func randomExpr(r *rand.Rand, depth int) string {
	if depth <= 0 || r.Intn(3) == 0 {
		return needleAtoms[r.Intn(len(needleAtoms))]
	}
	switch r.Intn(9) {
	case 0:
		return "(?:" + randomExpr(r, depth-1) + "|" + randomExpr(r, depth-1) + ")"
	case 1:
		return "(?:" + randomExpr(r, depth-1) + "|)"
	case 2:
		return "(" + randomExpr(r, depth-1) + ")"
	case 3:
		return "(?:" + randomExpr(r, depth-1) + ")?"
	case 4:
		return "(?:" + randomExpr(r, depth-1) + ")*"
	case 5:
		m := r.Intn(3)
		return "(?:" + randomExpr(r, depth-1) + "){" + strconv.Itoa(m) + "," + strconv.Itoa(m+r.Intn(4)) + "}"
	case 6:
		return "(?:" + randomExpr(r, depth-1) + "){" + strconv.Itoa(r.Intn(3)) + ",}"
	case 7:
		return "(?i:" + randomExpr(r, depth-1) + ")"
	default:
		return randomExpr(r, depth-1) + randomExpr(r, depth-1)
	}
}

var needleLiterals = []string{"key", "token", "(?:ab|abc)", "(?i:secret)", "(?:gh[su]|ghp)", "(?i:ks)", "(?:api|apikey)"}

func checkNeedle(t *testing.T, r *rand.Rand, pat string, n int) (checked int) {
	sh, ok := shapeOf(pat)
	if !ok || sh.need == nil || !sh.compile() {
		return 0
	}
	noise := []string{"", "x", " ", "=", "é", "€", "𝄞", "\xff", "ab", "k", "\n"}
	for range n {
		var b strings.Builder
		for range r.Intn(3) {
			b.WriteString(noise[r.Intn(len(noise))])
		}
		k0 := b.Len()
		genText(r, sh.restSyn, &b)
		for range r.Intn(3) {
			b.WriteString(noise[r.Intn(len(noise))])
		}
		text := b.String()
		if sh.fold && hasFoldRune(text) {
			continue
		}
		for k := 0; k <= len(text); k++ {
			if sh.rest.FindStringIndex(text[k:]) != nil {
				checked++
				if !sh.need.allows(text, k) {
					t.Errorf("the needle (bytes %d to %d) rules out a match of %q at %d in %q (the generated match starts at %d)", sh.need.lo, sh.need.hi, sh.rest, k, text, k0)
					return
				}
			}
		}
	}
	return
}

func TestNeedleRandomExpressions(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	patterns, checked := 0, 0
	for i := 0; i < 20000 && !t.Failed(); i++ {
		pat := ""
		if r.Intn(2) == 0 {
			pat += "\\b"
		}
		if r.Intn(2) == 0 {
			pat += "[\\w.-]{0,5}"
		}
		pat += needleLiterals[r.Intn(len(needleLiterals))]
		for range 1 + r.Intn(4) {
			pat += randomExpr(r, 3)
		}
		if _, err := syntax.Parse(pat, syntax.Perl); err != nil {
			continue
		}
		if _, err := regexp.Compile(pat); err != nil {
			continue
		}
		c := checkNeedle(t, r, pat, 20)
		if c > 0 {
			patterns++
			checked += c
		}
	}
	if patterns < 1000 || checked < 10000 {
		t.Errorf("%d expressions with a needle, %d matching positions: too few to tell", patterns, checked)
	}
}

func TestNeedleGitleaksRules(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := newFastEngine(g.detector().Config)
	r := rand.New(rand.NewSource(2))
	total := 0
	for _, m := range fast.matchers {
		if m.need == nil {
			continue
		}
		total += checkNeedle(t, r, m.rule.Regex.String(), 500)
	}
	if total < 10000 {
		t.Errorf("%d matching positions: too few to tell", total)
	}
}
