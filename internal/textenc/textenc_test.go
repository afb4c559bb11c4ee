package textenc

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in, want string
		enc            Encoding
	}{
		{"plain", "a: 1\n", "a: 1\n", None},
		{"utf-8 mark", "\xEF\xBB\xBFa: 1\n", "a: 1\n", UTF8},
		{"utf-16le", "\xFF\xFEa\x00:\x00 \x00\xe9\x00\n\x00", "a: é\n", UTF16LE},
		{"utf-16be", "\xFE\xFF\x00a\x00:\x00 \x00\xe9\x00\n", "a: é\n", UTF16BE},
		{"utf-16le surrogate pair", "\xFF\xFE\x3d\xd8\x00\xde", "😀", UTF16LE},
		{"utf-32le", "\xFF\xFE\x00\x00a\x00\x00\x00\n\x00\x00\x00", "a\n", UTF32LE},
		{"utf-32be", "\x00\x00\xFE\xFF\x00\x00\x00a\x00\x00\x00\n", "a\n", UTF32BE},
		{"latin-1 stays as it is", "caf\xe9\n", "caf\xe9\n", None},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, enc, err := Decode([]byte(tc.in))
			if err != nil || string(got) != tc.want || enc != tc.enc {
				t.Errorf("Decode = %q, %v, %v; want %q, %v", got, enc, err, tc.want, tc.enc)
			}
			if r, enc := NewReader([]byte(tc.in), strings.NewReader(tc.in)); enc.Wide() {
				var b bytes.Buffer
				if _, err := b.ReadFrom(r); err != nil || b.String() != tc.want {
					t.Errorf("NewReader read %q, %v; want %q", b.String(), err, tc.want)
				}
			} else if r != nil {
				t.Errorf("NewReader gave a reader for %v", enc)
			}
		})
	}
}

// noise is n bytes of what compressed data looks like.
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func TestMostlyText(t *testing.T) {
	text := strings.Repeat("key = value # comment\n", 500)
	tests := []struct {
		name string
		in   []byte
		want bool
	}{
		{"empty", nil, true},
		{"ascii", []byte(text), true},
		{"utf-8", []byte(strings.Repeat("größe: 1 — ok\n", 600)), true},
		{"one NUL", []byte("a\x00" + text), true},
		{"pdf magic", []byte("%PDF-1.7\n" + text), true},
		{"zip magic", []byte("PK\x03\x04" + text), true},
		{"utf-16 with mark", []byte("\xFF\xFEa\x00"), true},
		{"latin-1", []byte(strings.Repeat("caf\xe9 cr\xe8me\n", 500)), true},
		{"noise", noise(16 << 10), false},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), noise(8<<10)...), false},
		{"utf-16 without mark", []byte(strings.Repeat("a\x00", 100)), false},
		{"text after the prefix", append(noise(PrefixBytes), text...), false},
		{"a sequence cut at the prefix's end", append([]byte(strings.Repeat("a", PrefixBytes-1)), "é"...), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MostlyText(tc.in); got != tc.want {
				t.Errorf("MostlyText = %v, want %v", got, tc.want)
			}
		})
	}
}

func BenchmarkMostlyText(b *testing.B) {
	data := []byte(strings.Repeat("key = value # comment\n", 1000))
	b.SetBytes(PrefixBytes)
	for range b.N {
		MostlyText(data)
	}
}
