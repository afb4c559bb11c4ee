package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// ParseJSON parses one JSON document into a tree whose nodes carry lines
// and columns. It is strict: a second value or trailing garbage after the
// document is an error, as are comments (see StripComments). A leading
// UTF-8 byte order mark is ignored. Errors are *Error values naming the
// line and column of the offending byte and encoding/json's reason.
func ParseJSON(data []byte) (*Node, error) {
	base := 0
	if bytes.HasPrefix(data, bom) {
		base = len(bom)
	}
	idx := newLineIndex(data)
	body := data[base:]
	if !json.Valid(body) {
		// json.Valid says no; Unmarshal's scanner says where and why,
		// with an offset that counts every byte read (the culprit is the
		// last one). Decoder.Token's offsets are not reliable for this.
		var raw json.RawMessage
		err := json.Unmarshal(body, &raw)
		return nil, syntaxError(err, idx, base, len(data))
	}
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(body)), data: body, base: base, idx: idx}
	p.dec.UseNumber()
	tok, off, err := p.next()
	if err != nil {
		return nil, err
	}
	return p.value(tok, off, 0)
}

var bom = []byte{0xEF, 0xBB, 0xBF}

type jsonParser struct {
	dec  *json.Decoder
	data []byte
	base int
	idx  lineIndex
}

// next returns the next token and the offset where it starts: the
// decoder's offset is the end of the previous token, before any white
// space, comma or colon.
func (p *jsonParser) next() (json.Token, int, error) {
	off := int(p.dec.InputOffset())
	tok, err := p.dec.Token()
	if err != nil {
		// The input was validated, so this is a bug or a limit of the
		// decoder; report it at the current position rather than panic.
		if errors.Is(err, io.EOF) {
			err = errors.New("unexpected end of JSON input")
		}
		line, col := p.idx.pos(p.base + off)
		return nil, 0, &Error{Line: line, Col: col, Msg: err.Error()}
	}
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return tok, off, nil
}

func (p *jsonParser) value(tok json.Token, off, depth int) (*Node, error) {
	line, col := p.idx.pos(p.base + off)
	n := &Node{Line: line, Col: col}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			return nil, &Error{Line: line, Col: col, Msg: "document nests deeper than the limit of 500 levels"}
		}
		switch t {
		case '{':
			n.Kind = Object
			for {
				kt, koff, err := p.next()
				if err != nil {
					return nil, err
				}
				if d, ok := kt.(json.Delim); ok && d == '}' {
					return n, nil
				}
				key, _ := kt.(string)
				kl, kc := p.idx.pos(p.base + koff)
				vt, voff, err := p.next()
				if err != nil {
					return nil, err
				}
				v, err := p.value(vt, voff, depth+1)
				if err != nil {
					return nil, err
				}
				n.Members = append(n.Members, Member{Key: key, Line: kl, Col: kc, Value: v})
			}
		case '[':
			n.Kind = Array
			n.Elems = []*Node{}
			for {
				et, eoff, err := p.next()
				if err != nil {
					return nil, err
				}
				if d, ok := et.(json.Delim); ok && d == ']' {
					return n, nil
				}
				v, err := p.value(et, eoff, depth+1)
				if err != nil {
					return nil, err
				}
				n.Elems = append(n.Elems, v)
			}
		}
		return nil, &Error{Line: line, Col: col, Msg: "unexpected " + t.String()}
	case string:
		n.Kind, n.Text = String, t
	case json.Number:
		n.Kind, n.Text = Number, string(t)
	case bool:
		n.Kind = Bool
		if t {
			n.Text = "true"
		} else {
			n.Text = "false"
		}
	case nil:
		n.Kind = Null
	}
	return n, nil
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
