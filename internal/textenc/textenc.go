// Package textenc tells text from binary data by a bounded prefix and
// decodes Unicode text that carries a byte-order mark (UTF-8, UTF-16 and
// UTF-32, little- and big-endian) to UTF-8.
//
// Both the policy reader and the leak scanner use it, so that a file is
// text to one exactly when it is text to the other: an attacker who can
// make a policy or a key look like binary to a scanner hides it, and the
// tools AWS offers read UTF-16 with a byte-order mark as text.
package textenc

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// Encoding is the Unicode encoding a byte-order mark announces.
type Encoding int

// Encodings told apart by their byte-order mark.
const (
	None Encoding = iota // no byte-order mark
	UTF8
	UTF16LE
	UTF16BE
	UTF32LE
	UTF32BE
)

// String names the encoding as people write it.
func (e Encoding) String() string {
	switch e {
	case UTF8:
		return "UTF-8"
	case UTF16LE:
		return "UTF-16LE"
	case UTF16BE:
		return "UTF-16BE"
	case UTF32LE:
		return "UTF-32LE"
	case UTF32BE:
		return "UTF-32BE"
	}
	return "no byte-order mark"
}

// BOM returns the encoding data's byte-order mark announces and the
// mark's length. UTF-32LE's mark begins with UTF-16LE's, so it is tried
// first.
func BOM(data []byte) (Encoding, int) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}):
		return UTF32LE, 4
	case bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}):
		return UTF32BE, 4
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8, 3
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return UTF16LE, 2
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return UTF16BE, 2
	}
	return None, 0
}

// Wide reports whether e is UTF-16 or UTF-32: text that has to be decoded
// before a byte-wise reader (a regular expression, a YAML parser) sees it.
func (e Encoding) Wide() bool { return e >= UTF16LE }

// decoder returns the decoder of a wide encoding; it expects the
// byte-order mark and drops it.
func (e Encoding) decoder() *encoding.Decoder {
	switch e {
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case UTF32LE:
		return utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM).NewDecoder()
	case UTF32BE:
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM).NewDecoder()
	}
	return nil
}

// Decode returns data as UTF-8 without a byte-order mark, and the encoding
// its mark announced. Data without a mark is returned as it is (None):
// whether it is UTF-8 is the caller's question. Invalid sequences in wide
// text become U+FFFD, as in every decoder: the text around them is kept.
func Decode(data []byte) ([]byte, Encoding, error) {
	enc, n := BOM(data)
	switch {
	case enc == None:
		return data, None, nil
	case !enc.Wide():
		return data[n:], enc, nil
	}
	out, err := enc.decoder().Bytes(data)
	if err != nil {
		return nil, enc, fmt.Errorf("decode %s text: %w", enc, err)
	}
	return out, enc, nil
}

// NewReader returns r as UTF-8 when its first bytes, head (at least 4 of
// them unless r is shorter, and not yet read from r), carry the mark of a
// wide encoding; otherwise nil.
func NewReader(head []byte, r io.Reader) (io.Reader, Encoding) {
	enc, _ := BOM(head)
	if !enc.Wide() {
		return nil, enc
	}
	return transform.NewReader(r, enc.decoder()), enc
}

// PrefixBytes is how much of a file MostlyText looks at: a bounded prefix,
// so that telling text from binary costs the same for any file size.
const PrefixBytes = 8 << 10

// MostlyText reports whether the first PrefixBytes of data are text: at
// least 90% of them printable ASCII, tab, line feed, carriage return, form
// feed, part of a valid UTF-8 sequence or, outside one, a byte Latin-1
// prints (0xA0-0xFF: text in a legacy encoding is text). Random bytes, as
// in compressed data, score about 76%. One NUL byte or a binary format's
// magic number in front of text does not make it binary; images,
// compressed data and executables are far below the mark. Text with a
// wide byte-order mark counts as text too.
func MostlyText(data []byte) bool {
	if enc, _ := BOM(data); enc.Wide() {
		return true
	}
	p := data[:min(len(data), PrefixBytes)]
	if len(p) == 0 {
		return true
	}
	text := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c >= 0x20 && c < 0x7F, c == '\t', c == '\n', c == '\r', c == '\f':
			text++
			i++
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size <= 1 {
				if !utf8.FullRune(p[i:]) && i+utf8.UTFMax > len(p) {
					text += len(p) - i // a sequence cut by the prefix's end
					i = len(p)
					break
				}
				if c >= 0xA0 {
					text++ // a Latin-1 letter or sign
				}
				i++
				break
			}
			text += size
			i += size
		}
	}
	return text*10 >= len(p)*9
}
