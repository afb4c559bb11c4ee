package safetext

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// inertLine reports whether a runner would find no workflow command in
// line: none starting the line after white space, no "##[" anywhere.
func inertLine(line string) bool {
	return !strings.HasPrefix(strings.TrimLeft(line, " \t\v\f\u00a0\u2003\u3000"), "::") && !strings.Contains(line, "##[")
}

func TestInert(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text: a::b ## [x]", "plain text: a::b ## [x]"},
		{"::error::injected", `:\u003aerror::injected`},
		{"Sid\n::error::injected", "Sid\n:\\u003aerror::injected"},
		{"Sid\r\n  ::warning file=a::x", "Sid\r\n  :\\u003awarning file=a::x"},
		{"Sid\r::stop-commands::tok", "Sid\r:\\u003astop-commands::tok"},
		{"\u00a0::error::nbsp", "\u00a0:\\u003aerror::nbsp"},
		{"name ##[add-mask]value", `name ##\u005badd-mask]value`},
		{"###[stop-commands]", `###\u005bstop-commands]`},
		{": :error", ": :error"},
		{"", ""},
	}
	for _, tc := range tests {
		got := Inert(tc.in)
		if got != tc.want {
			t.Errorf("Inert(%q) = %q, want %q", tc.in, got, tc.want)
		}
		for _, line := range strings.Split(strings.ReplaceAll(got, "\r", "\n"), "\n") {
			if !inertLine(line) {
				t.Errorf("Inert(%q): line %q is a workflow command", tc.in, line)
			}
		}
	}
}

// The Writer gives what Inert gives however the text is split into writes.
func TestWriterAcrossWrites(t *testing.T) {
	text := "ok\n::error::a\n  ::add-mask::b\nx ##[stop-commands]y\n#\n#[z\n:"
	for size := 1; size <= len(text); size++ {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for i := 0; i < len(text); i += size {
			n, err := w.Write([]byte(text[i:min(i+size, len(text))]))
			if err != nil || n != min(size, len(text)-i) {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if buf.String() != Inert(text) {
			t.Errorf("writes of %d: %q, want %q", size, buf.String(), Inert(text))
		}
	}
}

// secretgate's own commands pass through Commands unchanged; the line
// after one is checked again.
func TestCommandsPassThrough(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if _, err := Commands(w).Write([]byte("::error file=a.json,line=3::finding%0A\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("::error::injected\n")); err != nil {
		t.Fatal(err)
	}
	want := "::error file=a.json,line=3::finding%0A\n:\\u003aerror::injected\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	var plain bytes.Buffer
	if Commands(&plain) != &plain {
		t.Error("Commands of a plain writer is not that writer")
	}
	// Through a wrapper that names what it wraps (the progress display's
	// line-clearing writer), secretgate's own commands still pass.
	buf.Reset()
	if _, err := Commands(wrapper{w}).Write([]byte("::add-mask::ASIAEXAMPLE\n")); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "::add-mask::ASIAEXAMPLE\n" {
		t.Errorf("through a wrapper: got %q", buf.String())
	}
}

type wrapper struct{ w io.Writer }

func (x wrapper) Write(p []byte) (int, error) { return x.w.Write(p) }
func (x wrapper) Underlying() io.Writer       { return x.w }

// The Writer leaves no command in a JSON document, which stays valid and
// decodes to the same values.
func TestJSONWriterKeepsValues(t *testing.T) {
	values := map[string]string{"sid": "a\n::error::x ##[add-mask]y", "file": "##[stop-commands]t\\##[u"}
	doc, err := json.MarshalIndent(values, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := NewWriter(&buf).Write(doc); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if !inertLine(line) {
			t.Errorf("line %q is a workflow command", line)
		}
	}
	var got map[string]string
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, buf.String())
	}
	for k, v := range values {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
