// Package snippet makes the parse errors of a file the repository commits
// safe to print. A parser's message may quote the file (a line, a value, a
// name), and the file may not be what its name says: a symbolic link to a
// process's environment, a credentials file, a binary. So a file that is
// not text is named and never quoted (IsText), and in a text file's
// messages every word taken from the file that could be a secret is
// redacted the way leaks are (Redact, with leaks.Redact).
package snippet

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secretgate/secretgate/internal/leaks"
)

// IsText reports whether b is UTF-8 text without control characters other
// than tab, line feed and carriage return.
func IsText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// Redact redacts, in msg, each word that also occurs in src and looks like
// it could be a secret: at least eight characters, one of them a digit or
// a capital letter. A format's own words (keywords, token names, lower-case
// names) stay readable.
func Redact(msg string, src []byte) string {
	isSep := func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("()[]{}<>,;:\"'`=", r)
	}
	var b strings.Builder
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		if isSep(r) {
			b.WriteRune(r)
			i += size
			continue
		}
		j := i
		for j < len(msg) {
			r, size := utf8.DecodeRuneInString(msg[j:])
			if isSep(r) {
				break
			}
			j += size
		}
		word := msg[i:j]
		if secretLike(word) && bytes.Contains(src, []byte(word)) {
			word = leaks.Redact(word)
		}
		b.WriteString(word)
		i = j
	}
	return b.String()
}

// secretLike reports whether a word could be a secret worth redacting.
func secretLike(word string) bool {
	return utf8.RuneCountInString(word) >= 8 && strings.ContainsFunc(word, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsUpper(r)
	})
}
