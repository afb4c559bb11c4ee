package cli

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTruncationKeepsUTF8 proves shortError and printable cut untrusted or
// foreign text on a character boundary: the result is valid UTF-8 whatever
// multi-byte character straddles the cap.
func TestTruncationKeepsUTF8(t *testing.T) {
	tests := []struct {
		name string
		cut  func(string) string
		in   string
		want string
	}{
		{"printable short", printable, "42", "42"},
		{"printable exactly 40", printable, strings.Repeat("a", 40), strings.Repeat("a", 40)},
		{"printable ascii", printable, strings.Repeat("a", 45), strings.Repeat("a", 40) + "…"},
		{"printable euro straddles byte 40", printable, strings.Repeat("a", 39) + "€€", strings.Repeat("a", 39) + "…"},
		{"printable emoji straddles byte 40", printable, strings.Repeat("a", 38) + "😀x", strings.Repeat("a", 38) + "…"},
		{"printable invalid utf-8 kept as is", printable, "\xff", "\xff"},
		{"shortError euro straddles byte 300", func(s string) string { return shortError(errors.New(s)) },
			strings.Repeat("a", 299) + "€", strings.Repeat("a", 299) + "…"},
		{"shortError one line", func(s string) string { return shortError(errors.New(s)) }, "a\n  b\tc", "a b c"},
		{"shortError ascii", func(s string) string { return shortError(errors.New(s)) },
			strings.Repeat("é", 200), strings.Repeat("é", 150) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cut(tc.in)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if utf8.ValidString(tc.in) && !utf8.ValidString(got) {
				t.Errorf("%q is not valid UTF-8", got)
			}
		})
	}
}
