// Package safetext makes untrusted text harmless to show: in a terminal, a
// CI log, a workflow command, SARIF or Markdown. Every output of secretgate
// that carries text from a repository (file names, messages, resources)
// passes through Visible; Markdown adds Hidden on top.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Visible makes every character of s harmless to display: control
// characters (ANSI escape sequences among them), C1 controls, invalid
// UTF-8 and the bidirectional controls that can reorder what a reader sees
// ("Trojan Source": U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)
// become visible escapes such as \x1b or \u202e; a tab becomes a space.
// Line breaks (CR, LF, CRLF, U+2028, U+2029) become newline, so each caller
// decides what a line break is in its medium.
func Visible(s, newline string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\r':
			if strings.HasPrefix(s[i+1:], "\n") {
				size++
			}
			b.WriteString(newline)
		case r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteString(newline)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0, IsBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// IsBidiControl reports whether r is a bidirectional formatting character:
// the Arabic letter mark, the LRM/RLM marks, the embeddings and overrides
// U+202A–U+202E and the isolates U+2066–U+2069.
func IsBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// IsZeroWidth reports whether r is an invisible joiner or space that can
// hide inside a name without a trace: U+200B–U+200D (zero-width space,
// non-joiner, joiner), U+2060 (word joiner) and U+FEFF (zero-width
// no-break space, the byte order mark).
func IsZeroWidth(r rune) bool {
	return (r >= '\u200b' && r <= '\u200d') || r == '\u2060' || r == '\ufeff'
}

// Hidden is Visible that also shows the zero-width characters (IsZeroWidth)
// as \uNNNN escapes, for media that render text for a reader — Markdown
// comments and job summaries — where a file name like "secrets\u200b.env"
// would otherwise look exactly like "secrets.env". Terminals, logs and
// SARIF keep them (Visible): they show no rendered name to be fooled by,
// and emoji sequences joined by U+200D stay intact there.
func Hidden(s, newline string) string {
	s = Visible(s, newline)
	if !strings.ContainsFunc(s, IsZeroWidth) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if IsZeroWidth(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Clip shortens s to at most max runes, marking the cut with an ellipsis
// (which counts as one of the max). A max of zero or less leaves s whole.
func Clip(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// ClipBytes shortens s to at most limit bytes, cutting only between
// characters (never inside a multi-byte UTF-8 sequence) and marking the cut
// with an ellipsis, which comes on top of the limit. Bytes of invalid UTF-8
// count as one character each. Clip counts characters instead; ClipBytes
// is for limits in bytes (error messages, untrusted input echoed back).
func ClipBytes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// A lone continuation byte run (invalid UTF-8) would walk back past
	// the limit's character: keep at most 3 steps, the longest sequence.
	if limit-cut > utf8.UTFMax-1 {
		cut = limit
	}
	return s[:cut] + "…"
}
