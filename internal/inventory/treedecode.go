package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secretgate/secretgate/internal/doctree"
)

// fromTree fills v (a pointer) from the parsed snapshot n the way
// json.Unmarshal fills it from the snapshot's text data, without parsing
// the text a second time: fields by their json names (an exact match, else
// one that differs in case only), unknown keys ignored, null leaves a
// value as it is (and a slice, map or pointer nil), json.RawMessage gets
// the value's text, time.Time its UnmarshalJSON. A value of the wrong type
// is an error naming the field and its line, as json.Unmarshal reports it.
// Nodes in absent are read as null.
func fromTree(data []byte, n *doctree.Node, v any, absent map[*doctree.Node]bool) error {
	d := &treeDecoder{data: data, absent: absent}
	return d.value(n, reflect.ValueOf(v).Elem())
}

type treeDecoder struct {
	data       []byte
	absent     map[*doctree.Node]bool
	lineStarts []int // offsets of the lines' first bytes, built when needed
	// path names the field being decoded, one element per level, joined
	// only for an error: most fields never need their name spelled out.
	path []string
}

// field names the field being decoded as json.UnmarshalTypeError.Field
// does ("secrets.tags.owner").
func (d *treeDecoder) field() string { return strings.Join(d.path, ".") }

var (
	rawMessageType = reflect.TypeOf(json.RawMessage(nil))
	timeType       = reflect.TypeOf(time.Time{})
)

func (d *treeDecoder) typeError(n *doctree.Node, t reflect.Type, found string) error {
	return &doctree.Error{Line: n.Line, Col: n.Col, Msg: fmt.Sprintf("%s must be %s, found %s", d.field(), goKind(t.Kind().String()), found)}
}

func jsonKind(n *doctree.Node) string {
	switch n.Kind {
	case doctree.Bool:
		return "bool"
	case doctree.Number:
		return "number"
	case doctree.String:
		return "string"
	case doctree.Object:
		return "object"
	case doctree.Array:
		return "array"
	}
	return "null"
}

func (d *treeDecoder) value(n *doctree.Node, v reflect.Value) error {
	if d.absent[n] {
		n = &doctree.Node{Kind: doctree.Null, Line: n.Line, Col: n.Col}
	}
	switch v.Type() {
	case rawMessageType:
		raw, err := d.raw(n)
		if err != nil {
			return err
		}
		v.SetBytes(raw)
		return nil
	case timeType:
		if n.Kind == doctree.Null {
			return nil
		}
		if n.Kind != doctree.String {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		// UnmarshalText reads the text as UnmarshalJSON reads the quoted
		// text for every date validate accepted (no escapes, quotes or
		// invalid UTF-8); the others are absent by then.
		var t time.Time
		if err := t.UnmarshalText([]byte(n.Text)); err != nil {
			return &doctree.Error{Line: n.Line, Col: n.Col, Msg: err.Error()}
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	if n.Kind == doctree.Null {
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(n, v.Elem())
	case reflect.String:
		if n.Kind != doctree.String {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		v.SetString(n.Text)
	case reflect.Bool:
		if n.Kind != doctree.Bool {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		v.SetBool(n.Text == "true")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != doctree.Number {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		i, err := strconv.ParseInt(n.Text, 10, 64)
		if err != nil || v.OverflowInt(i) {
			return d.typeError(n, v.Type(), "number "+n.Text)
		}
		v.SetInt(i)
	case reflect.Slice:
		if n.Kind != doctree.Array {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Elems), len(n.Elems))
		for i, e := range n.Elems {
			if err := d.value(e, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != doctree.Object {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("inventory: cannot decode into %s", v.Type())
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(n.Members)))
		}
		for _, m := range n.Members {
			e := reflect.New(v.Type().Elem()).Elem()
			d.path = append(d.path, m.Key)
			err := d.value(m.Value, e)
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(m.Key).Convert(v.Type().Key()), e)
		}
	case reflect.Struct:
		if n.Kind != doctree.Object {
			return d.typeError(n, v.Type(), jsonKind(n))
		}
		fields := jsonFields(v.Type())
		for _, m := range n.Members {
			f, ok := fields.exact[m.Key]
			if !ok {
				if f, ok = fields.fold[strings.ToLower(m.Key)]; !ok {
					continue
				}
			}
			d.path = append(d.path, f.name)
			err := d.value(m.Value, v.Field(f.index))
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("inventory: cannot decode into %s", v.Type())
	}
	return nil
}

type jsonField struct {
	name  string
	index int
}

type fieldSet struct {
	exact map[string]jsonField
	fold  map[string]jsonField
}

var fieldSets sync.Map // reflect.Type → fieldSet

// jsonFields lists a struct's fields by json name (the snapshot's types have
// no embedded structs).
func jsonFields(t reflect.Type) fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(fieldSet)
	}
	fs := fieldSet{exact: map[string]jsonField{}, fold: map[string]jsonField{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		jf := jsonField{name: name, index: i}
		fs.exact[name] = jf
		if _, dup := fs.fold[strings.ToLower(name)]; !dup {
			fs.fold[strings.ToLower(name)] = jf
		}
	}
	fieldSets.Store(t, fs)
	return fs
}

// raw returns the text of the value n.
func (d *treeDecoder) raw(n *doctree.Node) ([]byte, error) {
	if d.lineStarts == nil {
		d.lineStarts = make([]int, 1, bytes.Count(d.data, []byte{'\n'})+1)
		for off := 0; ; {
			i := bytes.IndexByte(d.data[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			d.lineStarts = append(d.lineStarts, off)
		}
	}
	if n.Line < 1 || n.Line > len(d.lineStarts) {
		return nil, &doctree.Error{Line: n.Line, Col: n.Col, Msg: "inventory: value position out of range"}
	}
	start := d.lineStarts[n.Line-1] + n.Col - 1
	end, ok := skipValue(d.data, start)
	if !ok {
		return nil, &doctree.Error{Line: n.Line, Col: n.Col, Msg: "inventory: value text not found"}
	}
	return d.data[start:end:end], nil // shares data, which is never changed
}

// skipValue returns the offset just after the JSON value that starts at
// start in valid JSON data.
func skipValue(data []byte, start int) (int, bool) {
	if start < 0 || start >= len(data) {
		return 0, false
	}
	depth := 0
	for i := start; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			i++
			for i < len(data) && data[i] != '"' {
				if data[i] == '\\' {
					i++
				}
				i++
			}
			if depth == 0 {
				return i + 1, i < len(data)
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
			if depth < 0 {
				return 0, false
			}
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return i, i > start
			}
		}
	}
	return len(data), depth == 0
}
