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

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/iampolicy"
)

// FileError is a problem at a line of a snapshot file.
type FileError struct {
	File string
	Err  *doctree.Error
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
	var te *doctree.Error
	if errors.As(err, &te) {
		return &FileError{File: file, Err: te}
	}
	return &FileError{File: file, Err: &doctree.Error{Msg: err.Error()}}
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
	root, err := doctree.ParseJSON(data)
	if err != nil {
		return nil, fileErr(file, err)
	}
	return DecodeTree(file, data, root)
}

// DecodeTree is Decode for a snapshot whose text data the caller has
// already parsed into root (doctree.ParseJSON), so that a large snapshot is
// not parsed twice.
func DecodeTree(file string, data []byte, root *doctree.Node) (*Snapshot, error) {
	snap, problems, err := DecodeTreeLenient(file, data, root)
	if err == nil && len(problems) > 0 {
		return nil, problems[0]
	}
	return snap, err
}

// DecodeTreeLenient is DecodeTree, lenient about dates: a date field that
// is not an RFC 3339 date is a problem (a *FileError with its line) and is
// read as absent; the rest of the snapshot is kept. err is for snapshots
// that cannot be read at all.
func DecodeTreeLenient(file string, data []byte, root *doctree.Node) (snap *Snapshot, problems []error, err error) {
	if root.Kind != doctree.Object {
		return nil, nil, fileErr(file, root.Errorf("an inventory snapshot must be an object, found %s", root.Describe()))
	}
	schema, _ := root.Get("schema").Str()
	if schema != Schema {
		at := root.Get("schema")
		if at == nil {
			at = root
			return nil, nil, fileErr(file, at.Errorf("not a secretgate inventory snapshot: no \"schema\": %q", Schema))
		}
		return nil, nil, fileErr(file, at.Errorf("unsupported inventory schema %s (this secretgate reads %q; write the file with the same version of secretgate)", doctree.Quote(schema), Schema))
	}
	badDates, err := validate(root)
	if err != nil {
		return nil, nil, fileErr(file, err)
	}
	absent := map[*doctree.Node]bool{}
	for _, bad := range badDates {
		absent[bad.node] = true
		problems = append(problems, fileErr(file, bad.err))
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i].(*FileError).Err, problems[j].(*FileError).Err //nolint:errorlint // problems holds the *FileError values built above, unwrapped
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
	var s Snapshot
	if err := fromTree(data, root, &s, absent); err != nil {
		return nil, nil, fileErr(file, err)
	}
	s.file, s.root = file, root
	return &s, problems, nil
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
	node *doctree.Node
	err  error
}

// validate checks what encoding/json cannot check with positions: required
// fields and RFC 3339 dates. Bad dates are returned, not an error: the
// rest of the snapshot is still read.
func validate(root *doctree.Node) ([]badDate, error) {
	var bad []badDate
	date := func(n *doctree.Node, what string) {
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
		if list.Kind != doctree.Array {
			return nil, list.Errorf("%s must be a list, found %s", sec.key, list.Describe())
		}
		for i, e := range list.Elems {
			if e.Kind != doctree.Object {
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

func checkDate(n *doctree.Node, what string) error {
	if n.IsNull() {
		return nil
	}
	s, ok := n.Str()
	if !ok {
		return n.Errorf("%s must be an RFC 3339 date string, found %s", what, n.Describe())
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return n.Errorf("%s must be an RFC 3339 date such as 2026-01-31T12:00:00Z, found %s", what, doctree.Quote(s))
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
