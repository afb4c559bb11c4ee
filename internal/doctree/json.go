package doctree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ParseJSON parses one JSON document into a tree whose nodes carry lines
// and columns. It is strict: a second value or trailing garbage after the
// document is an error, as are comments (see StripComments). A leading
// UTF-8 byte order mark is ignored. Errors are *Error values naming the
// line and column of the offending byte and encoding/json's reason.
//
// The tree is built by a single pass that checks the syntax and counts
// lines as it goes; that is several times faster than walking
// json.Decoder.Token, whose offsets also are not reliable for errors. It
// accepts exactly what json.Valid accepts (FuzzParseJSON holds the two
// together). For rejected input, encoding/json is the judge of what is
// wrong: its scanner says where and why, in its own words.
func ParseJSON(data []byte) (*Node, error) {
	base := 0
	if bytes.HasPrefix(data, bom) {
		base = len(bom)
	}
	b := &jsonBuilder{data: data, pos: base, line: 1}
	n, err := b.value(0)
	if err == nil {
		b.space()
		if b.pos != len(data) {
			err = b.errorf("unexpected data after the document")
		}
	}
	if err == nil {
		return n, nil
	}
	if body := data[base:]; !json.Valid(body) {
		var raw json.RawMessage
		err := json.Unmarshal(body, &raw)
		return nil, syntaxError(err, newLineIndex(data), base, len(data))
	}
	return nil, err // valid JSON beyond the builder's limits (MaxDepth)
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// jsonBuilder builds a tree from JSON text, checking its syntax: any input
// it accepts, json.Valid accepts.
type jsonBuilder struct {
	data      []byte
	pos       int
	line      int
	lineStart int
	// members and elems are scratch stacks: an object's members (an
	// array's elements) collect on top while it is read and are then
	// copied into a slice of their exact length, instead of each object
	// growing its own slice one member at a time.
	members []Member
	elems   []*Node
}

func (b *jsonBuilder) errorf(format string, args ...any) error {
	return &Error{Line: b.line, Col: b.pos - b.lineStart + 1, Msg: fmt.Sprintf(format, args...)}
}

func (b *jsonBuilder) space() {
	for b.pos < len(b.data) {
		switch b.data[b.pos] {
		case ' ', '\t', '\r':
			b.pos++
		case '\n':
			b.pos++
			b.line++
			b.lineStart = b.pos
		default:
			return
		}
	}
}

// peek returns the next significant byte, 0 at the end.
func (b *jsonBuilder) peek() byte {
	b.space()
	if b.pos < len(b.data) {
		return b.data[b.pos]
	}
	return 0
}

func (b *jsonBuilder) expect(c byte) error {
	if b.peek() != c {
		return b.errorf("expected %q", c)
	}
	b.pos++
	return nil
}

func (b *jsonBuilder) value(depth int) (*Node, error) {
	c := b.peek()
	n := &Node{Line: b.line, Col: b.pos - b.lineStart + 1}
	switch {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			return nil, b.errorf("document nests deeper than the limit of %d levels", MaxDepth)
		}
		b.pos++
		if c == '{' {
			n.Kind = Object
			if b.peek() == '}' {
				b.pos++
				return n, nil
			}
			base := len(b.members)
			defer func() { b.members = b.members[:base] }()
			for {
				if b.peek() != '"' {
					return nil, b.errorf("expected an object key")
				}
				m := Member{Line: b.line, Col: b.pos - b.lineStart + 1}
				key, err := b.str()
				if err != nil {
					return nil, err
				}
				m.Key = key
				if err := b.expect(':'); err != nil {
					return nil, err
				}
				if m.Value, err = b.value(depth + 1); err != nil {
					return nil, err
				}
				b.members = append(b.members, m)
				if b.peek() == ',' {
					b.pos++
					continue
				}
				n.Members = append([]Member(nil), b.members[base:]...)
				return n, b.expect('}')
			}
		}
		n.Kind = Array
		n.Elems = []*Node{}
		if b.peek() == ']' {
			b.pos++
			return n, nil
		}
		base := len(b.elems)
		defer func() { b.elems = b.elems[:base] }()
		for {
			v, err := b.value(depth + 1)
			if err != nil {
				return nil, err
			}
			b.elems = append(b.elems, v)
			if b.peek() == ',' {
				b.pos++
				continue
			}
			n.Elems = append(n.Elems, b.elems[base:]...)
			return n, b.expect(']')
		}
	case c == '"':
		s, err := b.str()
		n.Kind, n.Text = String, s
		return n, err
	case c == 't' && bytes.HasPrefix(b.data[b.pos:], []byte("true")):
		b.pos += 4
		n.Kind, n.Text = Bool, "true"
	case c == 'f' && bytes.HasPrefix(b.data[b.pos:], []byte("false")):
		b.pos += 5
		n.Kind, n.Text = Bool, "false"
	case c == 'n' && bytes.HasPrefix(b.data[b.pos:], []byte("null")):
		b.pos += 4
		n.Kind = Null
	case c == '-' || (c >= '0' && c <= '9'):
		start := b.pos
		if !b.number() {
			return nil, b.errorf("invalid number")
		}
		n.Kind, n.Text = Number, string(b.data[start:b.pos])
	default:
		return nil, b.errorf("unexpected character")
	}
	return n, nil
}

// number reads the number at pos: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// as JSON spells it, and reports whether there was one.
func (b *jsonBuilder) number() bool {
	d := b.data
	i := b.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i > start
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	b.pos = i
	return true
}

// str reads the string literal at pos. Strings without escapes are
// copied as they are; the others are decoded by encoding/json, so escapes
// (surrogate pairs included) mean exactly what they mean there.
func (b *jsonBuilder) str() (string, error) {
	start := b.pos + 1
	i := start
	ascii := true
	for i < len(b.data) && b.data[i] != '"' && b.data[i] != '\\' {
		switch c := b.data[i]; {
		case c < 0x20:
			b.pos = i
			return "", b.errorf("control character in string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
		i++
	}
	// Invalid UTF-8 takes the slow path too: encoding/json replaces it
	// with U+FFFD, and so must we.
	if i < len(b.data) && b.data[i] == '"' && (ascii || utf8.Valid(b.data[start:i])) {
		b.pos = i + 1
		return string(b.data[start:i]), nil
	}
	for i < len(b.data) && b.data[i] != '"' {
		if b.data[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(b.data) {
		return "", b.errorf("unterminated string")
	}
	var s string
	if err := json.Unmarshal(b.data[b.pos:i+1], &s); err != nil {
		return "", b.errorf("%v", err)
	}
	b.pos = i + 1
	return s, nil
}

// syntaxError turns encoding/json's error into an *Error with a position.
func syntaxError(err error, idx lineIndex, base, size int) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := base + int(se.Offset) - 1
		if off >= size {
			off = size - 1
		}
		if off < 0 {
			off = 0
		}
		line, col := idx.pos(off)
		return &Error{Line: line, Col: col, Msg: se.Error()}
	}
	if err == nil {
		err = errors.New("invalid JSON")
	}
	line, _ := idx.pos(max(size-1, 0))
	return &Error{Line: line, Msg: err.Error()}
}

// StripComments returns a copy of data in which JavaScript-style comments
// and trailing commas before a closing bracket are blanked out, keeping
// every newline so positions stay valid; changed is false when there was
// nothing to strip. Editor settings and tsconfig files are written this
// way; secretgate uses it to recognise such files as not its own instead
// of reporting them as malformed.
func StripComments(data []byte) (out []byte, changed bool) {
	out = append([]byte(nil), data...)
	inStr := false
	lastSig := -1 // index of the last significant byte outside comments
	for i := 0; i < len(out); i++ {
		c := out[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
				lastSig = i
			}
			continue
		}
		switch {
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
			changed = true
			continue
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			out[i], out[i+1] = ' ', ' '
			i += 2
			for ; i < len(out); i++ {
				if out[i] == '*' && i+1 < len(out) && out[i+1] == '/' {
					out[i], out[i+1] = ' ', ' '
					i++
					break
				}
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			changed = true
			continue
		case c == '}' || c == ']':
			if lastSig >= 0 && out[lastSig] == ',' {
				out[lastSig] = ' '
				changed = true
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		}
		lastSig = i
	}
	if !utf8.Valid(out) {
		// Blanking never splits a rune, but be certain.
		return data, false
	}
	return out, changed
}
