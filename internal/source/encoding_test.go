package source

import (
	"strings"
	"testing"
)

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name, in string
		text     string // when read
		errLine  int    // when an input error
		skip     bool   // when skipped
	}{
		{"utf-8", "a: 1\n", "a: 1\n", 0, false},
		{"utf-8 mark dropped", "\xEF\xBB\xBFa: 1\n", "a: 1\n", 0, false},
		{"utf-16le", "\xFF\xFEa\x00:\x00 \x001\x00\n\x00", "a: 1\n", 0, false},
		{"utf-16be", "\xFE\xFF\x00a\x00:\x00 \x001\x00\n", "a: 1\n", 0, false},
		{"utf-32le", "\xFF\xFE\x00\x00a\x00\x00\x00", "a", 0, false},
		{"latin-1 on line 3", "a: 1\nb: 2\nc: caf\xe9\n", "", 3, false},
		{"NUL on line 2", "{\n\x00\"Statement\": []}\n", "", 2, false},
		{"utf-16 without a mark, with a marker", "{\x00\"\x00S\x00t\x00a\x00t\x00e\x00m\x00e\x00n\x00t\x00\"\x00", "", 1, false},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66", "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, out, ok := decodeText("f.json", []byte(tc.in))
			switch {
			case tc.errLine > 0:
				if ok || len(out.errs) != 1 || out.errs[0].Line != tc.errLine || !strings.HasPrefix(out.errs[0].Message, "not UTF-8 text") {
					t.Errorf("got ok=%v errs=%+v, want an input error on line %d", ok, out.errs, tc.errLine)
				}
			case tc.skip:
				if ok || out.skip == nil || len(out.errs) > 0 {
					t.Errorf("got ok=%v %+v, want skipped", ok, out)
				}
			case !ok || string(text) != tc.text:
				t.Errorf("got ok=%v text %q (%+v), want %q", ok, text, out, tc.text)
			}
		})
	}
}
