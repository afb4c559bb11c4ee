package leaks

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

// A fast, exact test for "gitleaks' decoder would decode something here".
//
// gitleaks scans each fragment, then decodes the base64, hex, percent and
// unicode-escaped text in it and scans again, up to MaxDecodeDepth times.
// Finding the encoded text is one regular expression (encodingsPattern)
// over the whole fragment: on source code about 40% of the engine's time,
// although only about one fragment in ten has anything that decodes to
// printable text. When nothing decodes, gitleaks stops after the first
// pass, so a detector with MaxDecodeDepth 0 gives the same findings.
//
// mayDecode decides which detector a fragment needs. It must never say no
// when gitleaks' decoder would find a segment (saying yes wrongly only
// costs time). It finds the same matches as gitleaks' expression, but
// cheaply: no alternative of the expression can match across a line break
// once the text has no "U+" (the one alternative that can, and that uses $,
// which a shorter text would change), so each line can be searched on its
// own; and a line with neither '%' nor '\' can only hold hex and base64
// matches, which lie inside runs of [A-Za-z0-9_/+=-] at least 16 bytes
// long, so only those runs are searched. Each match is then decoded as
// gitleaks does; gitleaks keeps a segment when its decoding is not empty.
// TestEncodingsPatternIsGitleaks pins the expression to gitleaks' own.

// encodingsPattern is gitleaks' (detect/codec) expression, alternative by
// alternative in its order of precedence.
var encodingKinds = []struct {
	name, pattern string
}{
	{"percent", `%[0-9A-Fa-f]{2}(?:.*%[0-9A-Fa-f]{2})?`},
	{"unicode", `(?:(?:U\+[a-fA-F0-9]{4}(?:\s|$))+|(?i)(?:\\{1,2}u[a-fA-F0-9]{4})+)`},
	{"hex", `[0-9A-Fa-f]{32,}`},
	{"base64", `[\w\/+-]{16,}={0,2}`},
}

var encodingsPattern = func() string {
	parts := make([]string, len(encodingKinds))
	for i, k := range encodingKinds {
		parts[i] = fmt.Sprintf("(?P<%s>%s)", k.name, k.pattern)
	}
	return strings.Join(parts, "|")
}()

var encodingsRe = regexp.MustCompile(encodingsPattern)

// runByte marks the bytes hex and base64 matches are made of.
var runByte = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+-=" {
		t[c] = true
	}
	return t
}()

// mayDecode reports whether gitleaks' decoder could find an encoded
// segment in text.
func mayDecode(text string) bool {
	if strings.Contains(text, "U+") {
		return decodesIn(text)
	}
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if len(line) < 3 {
			continue
		}
		if strings.ContainsAny(line, `%\`) {
			if decodesIn(line) {
				return true
			}
			continue
		}
		for i := 0; i < len(line); {
			if !runByte[line[i]] {
				i++
				continue
			}
			j := i
			for j < len(line) && runByte[line[j]] {
				j++
			}
			if j-i >= 16 && decodesIn(line[i:j]) {
				return true
			}
			i = j
		}
	}
	return false
}

// decodesIn reports whether a match of gitleaks' expression in s decodes
// to a non-empty value.
func decodesIn(s string) bool {
	for _, m := range encodingsRe.FindAllStringSubmatchIndex(s, -1) {
		for k := range encodingKinds {
			start, end := m[2+2*k], m[3+2*k]
			if start < 0 {
				continue
			}
			if decodesToSomething(k, s[start:end]) {
				return true
			}
		}
	}
	return false
}

// decodesToSomething tells whether gitleaks' decoder of kind k (an index
// of encodingKinds) returns a non-empty value for v. Unicode decoding
// returns its input when nothing decodes, so never an empty value.
func decodesToSomething(k int, v string) bool {
	switch encodingKinds[k].name {
	case "percent":
		return decodePercentOK(v)
	case "hex":
		return decodeHexOK(v)
	case "base64":
		return decodeBase64OK(v)
	}
	return true
}

// printable is gitleaks' printableASCII: tab to '~'.
func printable(b byte) bool { return '\x08' < b && b < '\x7f' }

func hexNibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodePercentOK follows gitleaks' decodePercent: empty exactly when an
// escape decodes to a byte that is not printable, or the value is empty.
func decodePercentOK(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			n1, ok1 := hexNibble(v[i+1])
			n2, ok2 := hexNibble(v[i+2])
			if ok1 && ok2 {
				if !printable(n1<<4 | n2) {
					return false
				}
				i += 2
			}
		}
	}
	return true
}

// decodeHexOK follows gitleaks' decodeHex.
func decodeHexOK(v string) bool {
	if len(v)%2 != 0 || !strings.ContainsAny(v, "0123456789") {
		return false
	}
	for i := 0; i < len(v); i += 2 {
		n1, ok1 := hexNibble(v[i])
		n2, ok2 := hexNibble(v[i+1])
		if !ok1 || !ok2 || !printable(n1<<4|n2) {
			return false
		}
	}
	return len(v) > 0
}

// decodeBase64OK follows gitleaks' decodeBase64.
func decodeBase64OK(v string) bool {
	if !strings.ContainsAny(v, "0123456789+/-_") {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && allPrintable(b) {
			return len(b) > 0
		}
	}
	return false
}

func allPrintable(b []byte) bool {
	for _, c := range b {
		if !printable(c) {
			return false
		}
	}
	return true
}
