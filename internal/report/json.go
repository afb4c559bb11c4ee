package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/secretgate/secretgate/internal/result"
)

// JSON renders the report as the secretgate/report/v1 document DESIGN.md
// fixes, through the struct tags of package result: indented by two
// spaces, one trailing newline, "findings" and "checks" always arrays.
type JSON struct{}

var _ Reporter = (*JSON)(nil)

// Write renders r to w.
func (*JSON) Write(w io.Writer, r result.Report) error {
	if r.Schema == "" {
		r.Schema = result.Schema
	}
	if r.Findings == nil {
		r.Findings = []result.Finding{}
	}
	if r.Checks == nil {
		r.Checks = []result.Check{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// "<", ">" and "&" stay readable; JSON consumers need no HTML escaping.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(indentJSON(buf.Bytes()))
	return err
}

// indentJSON indents compact JSON as encoding/json's Encoder does with
// SetIndent("", "  "), byte for byte, for the output of json.Marshal only
// (valid, no whitespace outside strings but a final newline). It is several
// times faster than the Encoder's own indenting, which re-scans the
// document with the full JSON state machine; a report of 10,000 findings
// is megabytes.
func indentJSON(src []byte) []byte {
	dst := make([]byte, 0, len(src)+len(src)/2)
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for i := 0; i < depth; i++ {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// Copy the string through its closing quote; a backslash
			// escapes the next byte.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
