package leaks

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/detect"
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

// genMatch writes a random text the expression matches (most of the
// time: assertions are left out), ASCII where a class allows it.
func genMatch(r *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	repeat := func(lo, hi int) int {
		if hi >= 0 && hi <= 200 && r.Intn(4) == 0 {
			return hi - r.Intn(2)*min(hi-lo, 1) // the bound, or one less
		}
		if hi < 0 || hi > lo+4 {
			hi = lo + 4
		}
		return lo + r.Intn(hi-lo+1)
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && c < utf8.RuneSelf && r.Intn(2) == 0 {
				c = unicode.SimpleFold(c)
				for c >= utf8.RuneSelf {
					c = unicode.SimpleFold(c)
				}
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return
		}
		i := 2 * r.Intn(len(re.Rune)/2)
		lo, hi := re.Rune[i], re.Rune[i+1]
		if lo < utf8.RuneSelf && hi >= utf8.RuneSelf {
			hi = utf8.RuneSelf - 1
		}
		if hi-lo > 1000 {
			hi = lo + 1000
		}
		b.WriteRune(lo + rune(r.Intn(int(hi-lo)+1)))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte(byte(' ' + r.Intn(95)))
	case syntax.OpCapture:
		genMatch(r, re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, 3
		case syntax.OpPlus:
			lo, hi = 1, 3
		case syntax.OpQuest:
			lo, hi = 0, 1
		}
		for range repeat(lo, hi) {
			genMatch(r, re.Sub[0], b)
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			genMatch(r, sub, b)
		}
	case syntax.OpAlternate:
		genMatch(r, re.Sub[r.Intn(len(re.Sub))], b)
	}
}

// ruleTexts are texts holding near-matches and matches of every rule of
// the engine, among the fastPieces and in edited forms (cut, a byte
// changed, doubled), so that every rule's matcher meets its own matches.
func ruleTexts(t *testing.T, e *fastEngine, r *rand.Rand, perRule int) []string {
	t.Helper()
	var texts []string
	for _, m := range e.matchers {
		re, err := syntax.Parse(m.rule.Regex.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		for range perRule {
			// Mostly with a separator on each side, for the rules that
			// want a word boundary or a delimiter there.
			sep := func() string { return []string{" ", "\n", "\"", "=", ""}[r.Intn(5)] }
			var b strings.Builder
			b.WriteString(randomFastText(r, r.Intn(4)))
			b.WriteString(sep())
			genMatch(r, re, &b)
			if r.Intn(3) == 0 {
				b.WriteString(sep())
				genMatch(r, re, &b)
			}
			b.WriteString(sep())
			b.WriteString(randomFastText(r, r.Intn(4)))
			text := b.String()
			switch r.Intn(4) {
			case 0:
				text = text[:r.Intn(len(text)+1)]
			case 1:
				if len(text) > 0 {
					i := r.Intn(len(text))
					text = text[:i] + fastPieces[r.Intn(len(fastPieces))] + text[i+1:]
				}
			}
			texts = append(texts, text)
		}
	}
	return texts
}

// TestFastMatchersEqualRegexp: each fast matcher returns exactly what the
// rule's regular expression's FindAllStringIndex returns, on texts made
// of every rule's matches, on random texts built to hit the corners and
// on real source text.
func TestFastMatchersEqualRegexp(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := newFastEngine(g.detector().Config)
	if fast == nil || len(fast.matchers) < 200 {
		t.Fatalf("fast rules in effect: %v; want most of gitleaks' default rules", fast)
	}
	ids := map[string]bool{}
	for _, m := range fast.matchers {
		ids[m.id] = true
		if !m.compile() {
			t.Errorf("%s: the expressions derived from %q do not compile: %v, %v", m.id, m.rule.Regex, m.restSyn, m.bodySyn)
		}
	}
	for _, id := range []string{"generic-api-key", "jwt", "vault-service-token", "aws-access-token", "github-pat", "hashicorp-tf-password"} {
		if !ids[id] {
			t.Errorf("%s is not a fast rule", id)
		}
	}
	r := rand.New(rand.NewSource(1))
	// Every matcher meets every text: a sample of the real source text
	// (each rule's expression over all of it would take minutes).
	var texts []string
	for i, text := range decoderCorpus(t) {
		if i%6 == 0 {
			texts = append(texts, text)
		}
	}
	for range 1500 {
		texts = append(texts, randomFastText(r, 1+r.Intn(60)))
	}
	texts = append(texts, ruleTexts(t, fast, r, 20)...)
	// Each text meets the matchers one of whose literals it holds (the
	// others find nothing by construction) and, to check that
	// construction, ten others picked at random.
	found := map[string]int{}
	for _, text := range texts {
		lower := asciiLower(text)
		for _, m := range fast.matchers {
			holds := slices.ContainsFunc(m.literals, func(l string) bool { return strings.Contains(lower, l) })
			if !holds && r.Intn(len(fast.matchers)) >= 10 {
				continue
			}
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
		if found[m.id] < 2 {
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
	fast, _ := newFastEngine(g.detector().Config)
	// Texts of the corner pieces, and fragments of several lines each
	// holding matches of several rules; at paths that rules with a path
	// condition (and the path-only rule) take or refuse.
	var texts []string
	for range 1200 {
		texts = append(texts, randomFastText(r, 1+r.Intn(200)))
	}
	rules := ruleTexts(t, fast, r, 4)
	r.Shuffle(len(rules), func(i, j int) { rules[i], rules[j] = rules[j], rules[i] })
	for i := 0; i < len(rules); i += 8 {
		texts = append(texts, strings.Join(rules[i:min(i+8, len(rules))], "\n"))
	}
	// Matches gitleaks finds only by decoding: rule texts encoded in
	// base64, hex and percent escapes (twice, for the second pass), in
	// lines of code.
	encodings := []func(string) string{
		func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		func(s string) string { return hex.EncodeToString([]byte(s)) },
		func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
			return b.String()
		},
	}
	encoded := map[int]bool{} // texts whose first line is encoded
	for i, text := range rules {
		enc := encodings[i%len(encodings)](text)
		if i%5 == 0 {
			enc = encodings[(i+1)%len(encodings)](enc)
		}
		encoded[len(texts)] = true
		texts = append(texts, "value := \""+enc+"\" // "+randomFastText(r, 3)+"\n"+rules[(i+1)%len(rules)])
	}
	// Real source text, with what it has to decode.
	for i, text := range decoderCorpus(t) {
		if i%10 == 0 {
			texts = append(texts, text)
		}
	}
	paths := []string{"f.txt", "main.tf", "cert.p12", "deploy/values.yaml", "nuget.config", "index.php", "img/logo.png"}
	n, decoded := 0, 0
	for ti, text := range texts {
		path := paths[r.Intn(len(paths))]
		var want, got []string
		for _, f := range g.detector().DetectContext(ctx, detect.Fragment{Raw: text, FilePath: path, StartLine: 1}) {
			want = append(want, fmt.Sprintf("%s:%d:%d:%s", f.RuleID, f.StartLine, f.StartColumn, f.Secret))
			if encoded[ti] && f.StartLine == 1 {
				decoded++
			}
		}
		for _, m := range g.Detect(ctx, Fragment{Path: path, Text: text, StartLine: 1}) {
			got = append(got, fmt.Sprintf("%s:%d:%d:%s", m.RuleID, m.Line, m.Column, m.text().secret))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("findings %v, gitleaks %v, in %q at %s", got, want, text, path)
		}
		n += len(want)
	}
	if n < 1000 || decoded < 100 {
		t.Errorf("only %d findings in all texts, %d in encoded text: the test does not exercise the rules", n, decoded)
	}
}

// A needle rules out only positions the expression cannot match at: for
// the semi-generic rules (the keyword, up to 20 of [ \t\w.-], up to 3 of
// [\s'"], then the assignment) at every distance on both sides of the
// window's edge, with the assignment's every first byte, and in upper
// case; most rules have one.
func TestNeedleAtWindowEdges(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := newFastEngine(g.detector().Config)
	var generic *fastMatcher
	withNeedle := 0
	for _, m := range fast.matchers {
		if m.need != nil {
			withNeedle++
		}
		if m.id == "generic-api-key" {
			generic = m
		}
	}
	if generic == nil || generic.need == nil {
		t.Fatal("generic-api-key has no needle")
	}
	if withNeedle < len(fast.matchers)/2 {
		t.Errorf("%d of %d fast rules have a needle; want most", withNeedle, len(fast.matchers))
	}
	ops := []string{"=", ">", ":=", "::=", "||", ":", "=>", "?=", ","}
	fills := []string{" ", "a", "_", ".", "-", "\t"}
	found := 0
	for _, m := range fast.matchers {
		if m.need == nil || !m.compile() {
			continue
		}
		for _, kw := range m.literals {
			for n := range 23 { // both edges: right after the keyword, and 20 past it
				for q := 0; q <= 4; q++ {
					for i, op := range ops {
						for _, upper := range []bool{false, true} {
							word := kw
							if upper {
								word = strings.ToUpper(kw)
							}
							text := "x " + word + strings.Repeat(fills[(n+i)%len(fills)], n) + strings.Repeat("'", q) + op + "'Zq8xR2mN7vL4pK9sQw3r'\n"
							want := m.rule.Regex.FindAllStringIndex(text, -1)
							got := m.findAll(text, asciiLower(text))
							if fmt.Sprint(got) != fmt.Sprint(want) {
								t.Fatalf("%s: matches %v, regexp %v, in %q", m.id, got, want, text)
							}
							found += len(want)
						}
					}
				}
			}
		}
	}
	if found == 0 {
		t.Error("no text matched: the test does not reach the window's edge")
	}
}
