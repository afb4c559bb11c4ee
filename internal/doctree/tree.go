// Package doctree is a small document model shared by secretgate's repository
// parsers: JSON and YAML files become the same tree of nodes, and every node
// remembers the line and column it was written on. Parsers of IAM policies,
// CloudFormation templates, Terraform plans and inventory snapshots walk
// these trees, so every fact they produce can point back to its source.
package doctree

import (
	"fmt"
	"strings"
)

// Kind is the JSON type of a node.
type Kind uint8

// Node kinds. YAML scalars map onto them by their resolved tag; timestamps
// and binary scalars become strings.
const (
	Null Kind = iota
	Bool
	Number
	String
	Object
	Array
)

var kindNames = [...]string{"null", "boolean", "number", "string", "object", "array"}

// String names the kind the way error messages say it ("a string").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Node is one value of a document.
type Node struct {
	Kind Kind
	// Line and Col are 1-based; Col counts bytes. Both are 0 for nodes
	// made up by a program rather than read from a file.
	Line int
	Col  int
	// Text is a string's value, a number's literal as written, or "true"
	// or "false" for a boolean.
	Text string
	// Members of an object, in document order. A key may repeat; Get
	// returns the last, as encoding/json does.
	Members []Member
	// Elems of an array.
	Elems []*Node
}

// Member is one key of an object with the position of the key.
type Member struct {
	Key   string
	Line  int
	Col   int
	Value *Node
}

// Get returns the value of key in an object, or nil when n is not an
// object or has no such key.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for i := len(n.Members) - 1; i >= 0; i-- {
		if n.Members[i].Key == key {
			return n.Members[i].Value
		}
	}
	return nil
}

// Member returns the member named key with its key position.
func (n *Node) Member(key string) (Member, bool) {
	if n == nil || n.Kind != Object {
		return Member{}, false
	}
	for i := len(n.Members) - 1; i >= 0; i-- {
		if n.Members[i].Key == key {
			return n.Members[i], true
		}
	}
	return Member{}, false
}

// Path follows object keys from n; it returns nil as soon as one is
// missing.
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
		if n == nil {
			return nil
		}
	}
	return n
}

// Str returns the text of a string node and whether n is one.
func (n *Node) Str() (string, bool) {
	if n == nil || n.Kind != String {
		return "", false
	}
	return n.Text, true
}

// Scalar returns the text of a string, number or boolean node, and whether
// n is one of those.
func (n *Node) Scalar() (string, bool) {
	if n == nil {
		return "", false
	}
	switch n.Kind {
	case String, Number, Bool:
		return n.Text, true
	}
	return "", false
}

// IsNull reports whether n is absent or an explicit null.
func (n *Node) IsNull() bool { return n == nil || n.Kind == Null }

// Describe names a node's kind for error messages: "a string",
// "an object", "null".
func (n *Node) Describe() string {
	if n == nil || n.Kind == Null {
		return "null"
	}
	switch n.Kind {
	case Object, Array:
		return "an " + n.Kind.String()
	}
	return "a " + n.Kind.String()
}

// Errorf returns an *Error at n's position.
func (n *Node) Errorf(format string, args ...any) error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Col
	}
	return e
}

// Walk calls fn for n and every node below it, depth first in document
// order.
func (n *Node) Walk(fn func(*Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, m := range n.Members {
		m.Value.Walk(fn)
	}
	for _, e := range n.Elems {
		e.Walk(fn)
	}
}

// SetPos moves n and every node below it (keys included) to line and col.
// Parsers use it for documents embedded as strings, whose inner positions
// do not point into the file.
func (n *Node) SetPos(line, col int) {
	if n == nil {
		return
	}
	n.Line, n.Col = line, col
	for i := range n.Members {
		n.Members[i].Line, n.Members[i].Col = line, col
		n.Members[i].Value.SetPos(line, col)
	}
	for _, e := range n.Elems {
		e.SetPos(line, col)
	}
}

// Error is a problem at a position of a document. Line is 0 when the
// position is unknown.
type Error struct {
	Line int
	Col  int
	Msg  string
}

// Error formats as "line 7, column 3: reason".
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// lineIndex maps byte offsets to 1-based lines and columns.
type lineIndex []int // offsets of every '\n'

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// pos returns the line and column of byte offset off.
func (idx lineIndex) pos(off int) (line, col int) {
	// Binary search for the number of newlines before off.
	lo, hi := 0, len(idx)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if idx[mid] < off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	start := 0
	if lo > 0 {
		start = idx[lo-1] + 1
	}
	return lo + 1, off - start + 1
}

// MaxDepth is the deepest nesting of arrays and objects the parsers accept.
// Real policies and templates nest a dozen levels; the limit keeps hostile
// input from exhausting the stack.
const MaxDepth = 500

// Quote shortens s for an error message.
func Quote(s string) string {
	const max = 60
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", strings.ToValidUTF8(s, "?"))
}
