package doctree

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pos is a node's kind and position, for compact comparisons.
type pos struct {
	Kind      Kind
	Line, Col int
	Text      string
}

func positions(n *Node) []pos {
	var out []pos
	n.Walk(func(n *Node) { out = append(out, pos{n.Kind, n.Line, n.Col, n.Text}) })
	return out
}

func TestParseJSONPositions(t *testing.T) {
	src := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"n\": 12.5e3, \"b\": false, \"z\": null}\n  ]\n}\n"
	n, err := ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []pos{
		{Object, 1, 1, ""},
		{String, 2, 14, "2012-10-17"},
		{Array, 3, 16, ""},
		{Object, 4, 5, ""},
		{String, 4, 16, "Allow"},
		{Number, 4, 30, "12.5e3"},
		{Bool, 4, 43, "false"},
		{Null, 4, 55, ""},
	}
	if diff := cmp.Diff(want, positions(n)); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
	m, ok := n.Member("Statement")
	if !ok || m.Line != 3 || m.Col != 3 {
		t.Errorf("Statement key at %d:%d, want 3:3", m.Line, m.Col)
	}
	if got := n.Path("Statement"); got == nil || got.Kind != Array {
		t.Errorf("Path(Statement) = %v", got)
	}
}

func TestParseJSONDuplicateKeyLastWins(t *testing.T) {
	n, err := ParseJSON([]byte(`{"a": 1, "a": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Get("a").Text; got != "2" {
		t.Errorf("Get(a) = %s, want 2 (as encoding/json)", got)
	}
	if len(n.Members) != 2 {
		t.Errorf("members = %d, want both kept", len(n.Members))
	}
}

func TestParseJSONByteOrderMark(t *testing.T) {
	n, err := ParseJSON([]byte("\xEF\xBB\xBF{\n\"a\": \"b\"}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Get("a"); got.Line != 2 {
		t.Errorf("line = %d, want 2", got.Line)
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"missing comma", "{\n  \"Effect\": \"Allow\"\n  \"Action\": \"s3:*\"\n}", 3, 3, "invalid character '\"' after object key:value pair"},
		{"brace after key", "{\n\"Version\": \"2012-10-17\",\n\"Statement\" }", 3, 13, "invalid character '}' after object key"},
		{"trailing comma", "{\n  \"a\": 1,\n}\n", 3, 1, "invalid character '}' looking for beginning of object key string"},
		{"truncated", "{\n  \"a\": [1, 2", 2, 12, "unexpected end of JSON input"},
		{"empty", "", 1, 1, "unexpected end of JSON input"},
		{"second value", "{} {}", 1, 4, "invalid character '{' after top-level value"},
		{"bad literal", "{\"a\": tru}", 1, 10, "invalid character '}' in literal true (expecting 'e')"},
		{"comment", "{\n // no\n}", 2, 2, "invalid character '/' looking for beginning of object key string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tt.src))
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if diff := cmp.Diff(&Error{Line: tt.line, Col: tt.col, Msg: tt.msg}, te); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseJSONDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if _, err := ParseJSON([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nests deeper") {
		t.Errorf("err = %v, want depth error", err)
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := ParseJSON([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
}

func TestParseYAML(t *testing.T) {
	src := `base: &base
  Effect: Allow
  Resource: "*"
statements:
  - <<: *base
    Action: s3:GetObject
  - <<: *base
    Effect: Deny
    Action: [s3:DeleteObject]
scalars:
  date: 2010-09-09
  yes: yes
  bool: True
  int: 0x1F
  float: 1.5
  null: ~
  quoted: "true"
---
second: doc
`
	docs, err := ParseYAML([]byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("docs = %d, want 2", len(docs))
	}
	st := docs[0].Get("statements")
	first := st.Elems[0]
	if got := []string{first.Get("Effect").Text, first.Get("Resource").Text, first.Get("Action").Text}; !cmp.Equal(got, []string{"Allow", "*", "s3:GetObject"}) {
		t.Errorf("merged statement = %v", got)
	}
	if got := st.Elems[1].Get("Effect").Text; got != "Deny" {
		t.Errorf("explicit key must win over merge key: Effect = %s", got)
	}
	// Merged members keep the lines where they were written.
	if got := first.Get("Effect").Line; got != 2 {
		t.Errorf("merged Effect line = %d, want 2", got)
	}
	sc := docs[0].Get("scalars")
	want := map[string]pos{
		"date":   {String, 11, 9, "2010-09-09"},
		"yes":    {String, 12, 8, "yes"},
		"bool":   {Bool, 13, 9, "true"},
		"int":    {Number, 14, 8, "0x1F"},
		"float":  {Number, 15, 10, "1.5"},
		"null":   {Null, 16, 9, ""},
		"quoted": {String, 17, 11, "true"},
	}
	for k, w := range want {
		n := sc.Get(k)
		if got := (pos{n.Kind, n.Line, n.Col, n.Text}); got != w {
			t.Errorf("%s = %+v, want %+v", k, got, w)
		}
	}
	if got, _ := docs[1].Get("second").Str(); got != "doc" {
		t.Errorf("second document = %q", got)
	}
}

func TestParseYAMLTags(t *testing.T) {
	var seen []string
	tag := func(tag string, n *Node) *Node {
		seen = append(seen, tag+"="+n.Kind.String())
		return &Node{Kind: Object, Line: n.Line, Col: n.Col, Members: []Member{{Key: strings.TrimPrefix(tag, "!"), Value: n}}}
	}
	docs, err := ParseYAML([]byte("a: !Ref X\nb: !Join [\"-\", [a, b]]\nc: !!str 12\n"), tag)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"!Ref=string", "!Join=array"}, seen); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got := docs[0].Path("a", "Ref").Text; got != "X" {
		t.Errorf("a.Ref = %q", got)
	}
	if got := docs[0].Get("c"); got.Kind != String || got.Text != "12" {
		t.Errorf("!!str 12 = %v %q, want string", got.Kind, got.Text)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"bad indentation", "Resources:\n  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: a\n     Tags: []\n", 6, "did not find expected key"},
		{"dedented list item", "a:\n  - b\n  c: 1\n", 3, "did not find expected '-' indicator"},
		{"unclosed flow", "a: [1,\n", 2, "did not find expected node content"},
		{"mapping in scalar", "a: b: c\n", 1, "mapping values are not allowed in this context"},
		{"tab indentation", "a:\n\tb: 1\n", 2, "found character that cannot start any token"},
		{"unknown anchor", "x: *nope\n", 1, "unknown anchor 'nope' referenced"},
		{"unterminated quote", "key: 'open\n", 2, "found unexpected end of stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tt.src), nil)
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if te.Line != tt.line || te.Msg != tt.msg {
				t.Errorf("got line %d %q, want line %d %q", te.Line, te.Msg, tt.line, tt.msg)
			}
		})
	}
}

func TestParseYAMLAliasBomb(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n") //nolint:dupword // ten elements, the bomb's fan-out
	for i := 1; i < 12; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	_, err := ParseYAML(b.Bytes(), nil)
	if err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("err = %v, want the alias budget to stop a billion laughs", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestParseYAMLRecursiveAlias(t *testing.T) {
	if _, err := ParseYAML([]byte("a: &a [*a]\n"), nil); err == nil {
		t.Error("want an error for an alias that contains itself")
	}
}

func TestStripComments(t *testing.T) {
	src := "{\n  // line comment \"with quotes\"\n  \"a\": \"http://x\", /* block\n  comment */ \"b\": [1, 2,],\n}\n"
	out, changed := StripComments([]byte(src))
	if !changed {
		t.Fatal("changed = false")
	}
	if len(out) != len(src) || bytes.Count(out, []byte("\n")) != strings.Count(src, "\n") {
		t.Error("stripping must keep length and newlines, so positions stay valid")
	}
	n, err := ParseJSON(out)
	if err != nil {
		t.Fatalf("stripped JSON does not parse: %v\n%s", err, out)
	}
	if got := n.Get("a").Text; got != "http://x" {
		t.Errorf("a = %q: // inside a string is not a comment", got)
	}
	if got := n.Get("b").Line; got != 4 {
		t.Errorf("b line = %d, want 4", got)
	}
	if _, changed := StripComments([]byte(`{"a": "/* not */"}`)); changed {
		t.Error("comment markers inside strings must be left alone")
	}
}

func TestErrorFormat(t *testing.T) {
	tests := map[string]*Error{
		"line 7, column 3: bad": {Line: 7, Col: 3, Msg: "bad"},
		"line 7: bad":           {Line: 7, Msg: "bad"},
		"bad":                   {Msg: "bad"},
	}
	for want, e := range tests {
		if got := e.Error(); got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	}
}

// FuzzParseJSON checks that the positioned decoder never panics, agrees
// with encoding/json on what is valid, and returns sane positions.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"{\n\"a\": [1, 2.5e-3, true, null, \"\\u00e9\"]\n}",
		`[[[[]]]]`, `"str"`, `{"a" }`, "\xEF\xBB\xBF{}", `{"a":1,"a":2}`, "",
		// numbers and strings as the builder checks them itself
		`-`, `01`, `1.`, `1e`, `1e+`, `.5`, `-0`, `2E-7`, `[1,-]`, `0.0e00`, `+1`, `1.5e3x`,
		"\"a\tb\"", "\"\x01\"", "\"\xff\xfe\"", `"\u00"`, `"\x"`, "[true,nul]", "tru", `{"a":1,}`, `[1,]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseJSON(data)
		valid := json.Valid(bytes.TrimPrefix(data, bom))
		if err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if te.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			if valid && !strings.Contains(te.Msg, "nests deeper") {
				t.Fatalf("valid JSON rejected: %v", err)
			}
			return
		}
		if !valid {
			t.Fatalf("invalid JSON accepted")
		}
		// The tree holds exactly what encoding/json decodes.
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if diff := cmp.Diff(want, toAny(n)); diff != "" {
			t.Fatalf("tree differs from encoding/json (-json +tree):\n%s", diff)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		n.Walk(func(n *Node) {
			if n.Line < 1 || n.Line > lines || n.Col < 1 {
				t.Fatalf("node position %d:%d outside the input (%d lines)", n.Line, n.Col, lines)
			}
		})
	})
}

// toAny converts a tree to what encoding/json decodes into an interface
// with UseNumber: the last of repeated keys wins.
func toAny(n *Node) any {
	switch n.Kind {
	case Object:
		m := map[string]any{}
		for _, mem := range n.Members {
			m[mem.Key] = toAny(mem.Value)
		}
		return m
	case Array:
		a := []any{}
		for _, e := range n.Elems {
			a = append(a, toAny(e))
		}
		return a
	case String:
		return n.Text
	case Number:
		return json.Number(n.Text)
	case Bool:
		return n.Text == "true"
	}
	return nil
}

func TestParseJSONAgreesWithEncodingJSON(t *testing.T) {
	src := `{"a": "\u00e9\ud83d\ude00\n\"x\"\/", "b": [-1.5e+10, 0, true, null, {}], "c": {"d": "plain"}, "a": "last"}`
	n, err := ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, toAny(n)); diff != "" {
		t.Errorf("(-json +tree):\n%s", diff)
	}
	if got := n.Members[0].Value.Text; got != "é😀\n\"x\"/" {
		t.Errorf("escaped string = %q", got)
	}
}

// FuzzParseYAML checks that YAML conversion never panics or hangs.
func FuzzParseYAML(f *testing.F) {
	for _, s := range []string{
		"a: !Sub '${X}'\nb: [1, 2]\n",
		"a: &x {b: 1}\nc:\n  <<: *x\n",
		"- a\n- b: !GetAtt R.Arn\n",
		"a:\n  b: 1\n c: 2\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := ParseYAML(data, func(tag string, n *Node) *Node {
			return &Node{Kind: Object, Members: []Member{{Key: tag, Value: n}}}
		})
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.Line < 1 {
				t.Fatalf("error %v is not an *Error with a line", err)
			}
			return
		}
		for _, d := range docs {
			d.Walk(func(*Node) {})
		}
	})
}
