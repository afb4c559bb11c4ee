package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/secretgate/secretgate/internal/source/iampolicy"
	"github.com/secretgate/secretgate/internal/source/tree"
)

// FileError is a problem at a line of a snapshot file.
type FileError struct {
	File string
	Err  *tree.Error
}

// Error formats as "file:line: reason (column c)".
func (e *FileError) Error() string {
	msg := e.Err.Msg
	if e.Err.Col > 0 {
		msg = fmt.Sprintf("%s (column %d)", msg, e.Err.Col)
	}
	if e.Err.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Err.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}

// Unwrap returns the positioned error.
func (e *FileError) Unwrap() error { return e.Err }

func fileErr(file string, err error) error {
	var te *tree.Error
	if errors.As(err, &te) {
		return &FileError{File: file, Err: te}
	}
	return &FileError{File: file, Err: &tree.Error{Msg: err.Error()}}
}

// Read reads and validates a snapshot file.
func Read(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	return Decode(path, data)
}

// Decode parses and validates a snapshot. file names it in errors (which
// are *FileError values with the line) and in the locations of its facts.
func Decode(file string, data []byte) (*Snapshot, error) {
	root, err := tree.ParseJSON(data)
	if err != nil {
		return nil, fileErr(file, err)
	}
	return DecodeTree(file, data, root)
}

// DecodeTree is Decode for a snapshot whose text data the caller has
// already parsed into root (tree.ParseJSON), so that a large snapshot is
// not parsed twice.
func DecodeTree(file string, data []byte, root *tree.Node) (*Snapshot, error) {
	snap, problems, err := DecodeTreePending(file, data, root, nil)
	if err == nil && len(problems) > 0 {
		return nil, problems[0]
	}
	return snap, err
}

// Pending is a snapshot being decoded into its Go types in the background,
// while the caller parses the same text into a tree: a large snapshot's
// two decodings then take the time of one.
type Pending struct {
	done chan struct{}
	snap Snapshot
	err  error
}

// StartDecode starts decoding data (a snapshot's text) in the background;
// DecodeTreePending uses the result.
func StartDecode(data []byte) *Pending {
	p := &Pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = json.Unmarshal(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), &p.snap)
	}()
	return p
}

// DecodeTreePending is DecodeTree with the Go decoding started earlier by
// StartDecode(data) (p may be nil), and lenient about dates: a date field
// that is not an RFC 3339 date is a problem (a *FileError with its line)
// and is read as absent, the rest of the snapshot is kept. err is for
// snapshots that cannot be read at all.
func DecodeTreePending(file string, data []byte, root *tree.Node, p *Pending) (snap *Snapshot, problems []error, err error) {
	snap, problems, err = decodeTree(file, data, root, p)
	if err != nil {
		return nil, nil, err
	}
	return snap, problems, nil
}

func decodeTree(file string, data []byte, root *tree.Node, p *Pending) (*Snapshot, []error, error) {
	if root.Kind != tree.Object {
		return nil, nil, fileErr(file, root.Errorf("an inventory snapshot must be an object, found %s", root.Describe()))
	}
	schema, _ := root.Get("schema").Str()
	if schema != Schema {
		at := root.Get("schema")
		if at == nil {
			at = root
			return nil, nil, fileErr(file, at.Errorf("not a secretgate inventory snapshot: no \"schema\": %q", Schema))
		}
		return nil, nil, fileErr(file, at.Errorf("unsupported inventory schema %s (this secretgate reads %q; write the file with the same version of secretgate)", tree.Quote(schema), Schema))
	}
	badDates, err := validate(root)
	if err != nil {
		return nil, nil, fileErr(file, err)
	}
	var problems []error
	if len(badDates) > 0 {
		// Read every bad date as absent: the decoding started beforehand
		// (which fails on them) is not used.
		sort.Slice(badDates, func(i, j int) bool {
			a, b := badDates[i].node, badDates[j].node
			return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
		})
		data = append([]byte(nil), data...)
		// From the last to the first, so that blanking one value never
		// moves another.
		for i := len(badDates) - 1; i >= 0; i-- {
			var ok bool
			if data, ok = blankValue(data, badDates[i].node); !ok {
				return nil, nil, fileErr(file, badDates[i].err)
			}
		}
		for _, bad := range badDates {
			problems = append(problems, fileErr(file, bad.err))
		}
		p = nil
	}
	body := bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if p == nil {
		p = &Pending{}
		p.err = json.Unmarshal(body, &p.snap)
	} else {
		<-p.done
	}
	s := p.snap
	if err := p.err; err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			line, col := position(body, int(te.Offset))
			return nil, nil, fileErr(file, &tree.Error{Line: line, Col: col, Msg: fmt.Sprintf("%s must be %s, found %s", te.Field, goKind(te.Type.Kind().String()), te.Value)})
		}
		return nil, nil, fileErr(file, err)
	}
	s.file, s.root = file, root
	return &s, problems, nil
}

// position returns the line and column of the value that ends at offset
// off (encoding/json reports the offset after the offending value).
func position(data []byte, off int) (int, int) {
	off = min(max(off-1, 0), len(data))
	// Walk back to the start of the offending value for the column.
	line := bytes.Count(data[:off], []byte("\n")) + 1
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, off - start + 1
}

func goKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "a number"
	case k == "bool":
		return "true or false"
	case k == "string":
		return "a string"
	case k == "slice":
		return "a list"
	case k == "map", k == "struct":
		return "an object"
	}
	return "a " + k
}

// badDate is a date field that is not an RFC 3339 date.
type badDate struct {
	node *tree.Node
	err  error
}

// validate checks what encoding/json cannot check with positions: required
// fields and RFC 3339 dates. Bad dates are returned, not an error: the
// rest of the snapshot is still read.
func validate(root *tree.Node) ([]badDate, error) {
	var bad []badDate
	date := func(n *tree.Node, what string) {
		if err := checkDate(n, what); err != nil {
			bad = append(bad, badDate{n, err})
		}
	}
	date(root.Get("generated_at"), "generated_at")
	sections := []struct {
		key      string
		required []string
		dates    []string
	}{
		{"secrets", []string{"name"}, []string{"created_date", "last_rotated_date", "last_changed_date", "last_accessed_date", "next_rotation_date", "deleted_date"}},
		{"roles", []string{"name"}, []string{"create_date", "last_used_date"}},
		{"policies", []string{"arn"}, nil},
		{"oidc_providers", []string{"arn"}, nil},
	}
	for _, sec := range sections {
		list := root.Get(sec.key)
		if list.IsNull() {
			continue
		}
		if list.Kind != tree.Array {
			return nil, list.Errorf("%s must be a list, found %s", sec.key, list.Describe())
		}
		for i, e := range list.Elems {
			if e.Kind != tree.Object {
				return nil, e.Errorf("%s[%d] must be an object, found %s", sec.key, i, e.Describe())
			}
			for _, f := range sec.required {
				if s, _ := e.Get(f).Str(); s == "" {
					return nil, e.Errorf("%s[%d] has no %s", sec.key, i, f)
				}
			}
			for _, f := range sec.dates {
				date(e.Get(f), sec.key+"."+f)
			}
		}
	}
	return bad, nil
}

// blankValue replaces the scalar value n of data (a string, number or
// boolean, found by its line and column) with null, padded with spaces to
// its length when it is longer, so that it decodes as absent. It reports
// false for values it cannot blank (objects, arrays).
func blankValue(data []byte, n *tree.Node) ([]byte, bool) {
	if n == nil || n.Line < 1 || n.Col < 1 || n.Kind == tree.Object || n.Kind == tree.Array {
		return data, false
	}
	start := 0
	for line := 1; line < n.Line; line++ {
		i := bytes.IndexByte(data[start:], '\n')
		if i < 0 {
			return data, false
		}
		start += i + 1
	}
	start += n.Col - 1
	if start >= len(data) {
		return data, false
	}
	end := start
	if data[start] == '"' {
		end++
		for end < len(data) && data[end] != '"' {
			if data[end] == '\\' {
				end++
			}
			end++
		}
		end++ // the closing quote
	} else {
		for end < len(data) && bytes.IndexByte([]byte(",]} \t\r\n"), data[end]) < 0 {
			end++
		}
	}
	if end > len(data) {
		return data, false
	}
	if end-start < len("null") {
		return append(append(append([]byte(nil), data[:start]...), "null"...), data[end:]...), true
	}
	copy(data[start:end], "null")
	for i := start + len("null"); i < end; i++ {
		data[i] = ' '
	}
	return data, true
}

func checkDate(n *tree.Node, what string) error {
	if n.IsNull() {
		return nil
	}
	s, ok := n.Str()
	if !ok {
		return n.Errorf("%s must be an RFC 3339 date string, found %s", what, n.Describe())
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return n.Errorf("%s must be an RFC 3339 date such as 2026-01-31T12:00:00Z, found %s", what, tree.Quote(s))
	}
	return nil
}

// DocumentFromIAM turns a policy document as the IAM API returns it
// (URL-encoded JSON) or as the CLI prints it (JSON) into the compact JSON
// a snapshot stores. It checks that the document normalises, so a
// snapshot never holds a document the checker cannot read.
func DocumentFromIAM(text string) (json.RawMessage, error) {
	js, err := iampolicy.DecodeText(text)
	if err != nil {
		return nil, err
	}
	if _, err := iampolicy.ParseDocument(js); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(js)); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	return buf.Bytes(), nil
}

// SummarizeVersions summarises SecretVersionsToStages (version id to
// staging labels) without looking at any value.
func SummarizeVersions(stages map[string][]string) *Versions {
	v := &Versions{}
	for _, labels := range stages {
		if len(labels) == 0 {
			continue
		}
		v.Count++
		for _, l := range labels {
			switch l {
			case "AWSCURRENT":
				v.HasCurrent = true
			case "AWSPREVIOUS":
				v.HasPrevious = true
			case "AWSPENDING":
				v.HasPending = true
			}
		}
	}
	return v
}
