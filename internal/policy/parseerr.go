package policy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/leaks"
)

// parseError is OPA's error for a source that does not parse, made safe to
// print: OPA quotes the offending source line under each error (and some
// messages quote a literal or a name from it), and a policy path may be a
// symlink to /proc/self/environ or a credentials file. So:
//
//   - no error carries the source line (ast.Error.Details is dropped);
//   - a source that is not text (invalid UTF-8, NUL or other control
//     characters) gets one error naming the file and nothing of its
//     contents;
//   - in a text source's messages, every word taken from the source that
//     could be a secret (eight characters or more, with a digit or a
//     capital) is redacted the way leaks are (leaks.Redact).
func parseError(src Source, err error) error {
	if !isText(src.Text) {
		return fmt.Errorf("%s: rego_parse_error: not a Rego text file (invalid UTF-8 or control characters); its contents are not shown", src.Name)
	}
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return errors.New(redactSourceWords(err.Error(), src.Text))
	}
	out := make(ast.Errors, 0, len(errs))
	for _, e := range errs {
		c := *e
		c.Details = nil
		c.Message = redactSourceWords(c.Message, src.Text)
		out = append(out, &c)
	}
	return out
}

// isText reports whether b is UTF-8 text without control characters other
// than tab, line feed and carriage return.
func isText(b []byte) bool {
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

// redactSourceWords redacts, in msg, each word that also occurs in src and
// looks like it could be a secret: at least eight characters, one of them
// a digit or a capital letter. Rego's own words (keywords, token names,
// lower-case refs such as data.lib.x) stay readable.
func redactSourceWords(msg string, src []byte) string {
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
