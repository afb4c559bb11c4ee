package leaks

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis ends every redacted secret.
const Ellipsis = "…"

// Redact returns what may be shown of a secret: at most its first four
// characters, and at most a quarter of it, followed by "…". "AKIA" plus
// sixteen characters becomes "AKIA…"; an eight-character password "pa…";
// anything under four characters just "…". The kept prefix stops at the
// first character that is not printable, so that no control sequence
// survives either. An empty secret (a rule that matches a path) stays
// empty.
func Redact(secret string) string {
	if secret == "" {
		return ""
	}
	keep := min(4, utf8.RuneCountInString(secret)/4)
	var b strings.Builder
	for _, r := range secret {
		if keep == 0 || r == utf8.RuneError || !unicode.IsPrint(r) {
			break
		}
		b.WriteRune(r)
		keep--
	}
	b.WriteString(Ellipsis)
	return b.String()
}
