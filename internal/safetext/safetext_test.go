package safetext

import "testing"

func TestVisible(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "prod/bybit/api", "prod/bybit/api"},
		{"newlines", "a\nb\r\nc\rd\u2028e\u2029f", "a|b|c|d|e|f"},
		{"tab", "a\tb", "a b"},
		{"ansi", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"osc title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"del and c1", "a\x7fb\u009bc", `a\x7fb\u009bc`},
		{"bidi overrides", "abc\u202a\u202b\u202c\u202d\u202edef", `abc\u202a\u202b\u202c\u202d\u202edef`},
		{"bidi isolates", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`},
		{"bidi marks", "\u061c\u200e\u200f", `\u061c\u200e\u200f`},
		{"invalid utf-8", "a\xffb", `a\xffb`},
		{"unicode kept", "ünïcødé ✓ 🔑", "ünïcødé ✓ 🔑"},
		{"zero-width kept", "a\u200bb\u200dc", "a\u200bb\u200dc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Visible(tc.in, "|"); got != tc.want {
				t.Errorf("Visible(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHidden(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "config/a.env", "config/a.env"},
		{"zero-width space", "secrets\u200b.env", `secrets\u200b.env`},
		{"non-joiner and joiner", "a\u200cb\u200dc", `a\u200cb\u200dc`},
		{"word joiner", "a\u2060b", `a\u2060b`},
		{"bom", "\ufeffa", `\ufeffa`},
		{"bidi still shown", "a\u202eb", `a\u202eb`},
		{"controls still shown", "a\x1bb\nc", `a\x1bb|c`},
		{"neighbours kept", "a\u200ab\u200fc\u2061d", "a\u200ab\\u200fc\u2061d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Hidden(tc.in, "|"); got != tc.want {
				t.Errorf("Hidden(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer string", 5, "a lo…"},
		{"ünïcødé", 4, "ünï…"},
		{"anything", 0, "anything"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := Clip(tc.in, tc.max)
			if got != tc.want {
				t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if tc.max > 0 && len([]rune(got)) > tc.max {
				t.Errorf("%q is longer than %d runes", got, tc.max)
			}
		})
	}
}

func TestClipBytes(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"short", "42", 40, "42"},
		{"exactly the limit", "abcd", 4, "abcd"},
		{"ascii", "abcdef", 4, "abcd…"},
		{"euro straddles the limit", "abc€", 4, "abc…"},
		{"emoji straddles the limit", "ab😀x", 4, "ab…"},
		{"invalid utf-8 cut at the limit", "\x80\x80\x80\x80\x80\x80", 5, "\x80\x80\x80\x80\x80…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClipBytes(tc.in, tc.limit); got != tc.want {
				t.Errorf("ClipBytes(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
			}
		})
	}
}
