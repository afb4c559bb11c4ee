package safetext

import (
	"io"
	"strings"
	"sync"
)

// GitHub's runner reads workflow commands from every line a step writes to
// standard output or standard error: "::name …::value" at the start of a
// line (after any leading white space, which it trims) and the older
// "##[name …]value" anywhere in a line. Repository text that reaches a log
// line could otherwise add annotations, mask values or stop command
// processing ("::stop-commands::", which would silence secretgate's own
// annotations). Inert and Writer make such text inert while keeping it
// readable:
//
//   - the second colon of "::" at the start of a line (after white space,
//     or after any non-ASCII byte, which may be white space to the runner)
//     becomes \u003a, so the line starts ":\u003a";
//   - the "[" of "##[" becomes \u005b ("##\u005b").
//
// The escapes are JSON's own: in a JSON document "##[" can only be inside a
// string, where "##\u005b" decodes to the same value, and no line can start
// with "::" (it starts with white space, a quote or a bracket). So one
// Writer serves every output, text or JSON, and a JSON document stays valid
// and means the same.

// Escapes that replace the character completing a command marker.
const (
	colonEscape   = `\u003a`
	bracketEscape = `\u005b`
)

// Inert returns s with every workflow command it could start made inert
// (see above), line by line.
func Inert(s string) string {
	if !strings.Contains(s, "::") && !strings.Contains(s, "##[") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	st := cmdState{lineStart: true}
	for i := 0; i < len(s); i++ {
		if esc, ok := st.next(s[i]); ok {
			b.WriteString(esc)
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// cmdState is the little a streaming filter must remember across writes to
// recognise the start of a workflow command: whether only white space (or
// non-ASCII bytes) came since the last line break, whether the byte before
// was such a line's first colon, and how many '#' came just before.
type cmdState struct {
	lineStart bool // only leading bytes since the last line break
	colon     bool // the previous byte was a line's first ':'
	hashes    int  // '#' bytes just before, at most 2
}

// next returns what to write instead of byte c, and true, when c would
// complete a command marker.
func (st *cmdState) next(c byte) (string, bool) {
	out, replaced := "", false
	switch {
	case c == '\n' || c == '\r':
		*st = cmdState{lineStart: true}
	case c == ':':
		switch {
		case st.colon:
			out, replaced = colonEscape, true
			*st = cmdState{}
		case st.lineStart:
			*st = cmdState{colon: true}
		default:
			*st = cmdState{}
		}
	case c == '[' && st.hashes >= 2:
		out, replaced = bracketEscape, true
		*st = cmdState{}
	case c == '#':
		*st = cmdState{hashes: min(st.hashes+1, 2)}
	case c == ' ' || c == '\t' || c == '\v' || c == '\f' || c >= 0x80:
		*st = cmdState{lineStart: st.lineStart}
	default:
		*st = cmdState{}
	}
	return out, replaced
}

// Writer passes output to an underlying writer with every workflow command
// made inert (Inert, across writes: a marker split between two writes is
// still caught). secretgate's standard output and standard error go
// through one, as do the reports; secretgate's own, escaped, workflow
// commands are written through Commands.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
	st cmdState
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, st: cmdState{lineStart: true}}
}

// Underlying returns the writer x writes to (to tell a terminal, say).
func (x *Writer) Underlying() io.Writer { return x.w }

// Write writes p, made inert. It returns len(p) when everything was
// written (the escapes make the output longer than p).
func (x *Writer) Write(p []byte) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var b []byte
	start := 0
	for i, c := range p {
		out, replaced := x.st.next(c)
		if !replaced {
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(p)+8)
		}
		b = append(b, p[start:i]...)
		b = append(b, out...)
		start = i + 1
	}
	if b == nil {
		if _, err := x.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	b = append(b, p[start:]...)
	if _, err := x.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// commandWriter writes secretgate's own workflow commands unchanged, in
// turn with the Writer's other output; a command ends its line.
type commandWriter struct{ x *Writer }

func (c commandWriter) Write(p []byte) (int, error) {
	c.x.mu.Lock()
	defer c.x.mu.Unlock()
	n, err := c.x.w.Write(p)
	if n > 0 {
		if last := p[n-1]; last == '\n' || last == '\r' {
			c.x.st = cmdState{lineStart: true}
		} else {
			c.x.st = cmdState{}
		}
	}
	return n, err
}

// Commands returns the writer for secretgate's own workflow commands
// (annotations, ::add-mask::, ::warning::), whose values their writer has
// escaped already: w's underlying writer when w is a Writer, else w.
// A wrapper around a Writer that says what it wraps (Underlying, as the
// progress display's line-clearing writer does) is seen through.
func Commands(w io.Writer) io.Writer {
	for u := w; u != nil; {
		if x, ok := u.(*Writer); ok {
			return commandWriter{x}
		}
		in, ok := u.(interface{ Underlying() io.Writer })
		if !ok {
			break
		}
		u = in.Underlying()
	}
	return w
}
