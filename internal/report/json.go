package report

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// JSON renders the report as the secretgate/report/v1 document that
// docs/report.md specifies, through the struct tags of package result:
// indented by two spaces, one trailing newline, "findings" and "checks"
// always arrays.
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
	// Repository text in the values cannot start a workflow command when
	// the report is printed in a CI log (safetext.Writer; the values
	// decode the same).
	return writeJSON(safetext.NewWriter(w), r)
}

// compactJSON is json.Marshal without HTML escaping ("<", ">" and "&" stay
// readable; JSON consumers need no HTML escaping), with a final newline.
func compactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parallelFindings is the number of findings from which the findings are
// encoded in chunks side by side.
const parallelFindings = 2000

// compactElements is compactJSON(findings) without the brackets and the
// final newline: the elements, comma-separated. Each finding is encoded on
// its own, so that encoding/json's scratch buffer (pooled) stays the size
// of one finding instead of growing, copying and clearing its way to
// megabytes.
func compactElements(findings []result.Finding) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(findingSize * len(findings))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range findings {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(&findings[i]); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	return buf.Bytes(), nil
}

// findingSize is about the length of one finding in compact JSON (its
// message, remediation and docs URL make most of it), for sizing buffers.
const findingSize = 800

// findingsKey is where the findings array sits in the compact report.
var findingsKey = []byte(`,"findings":[]`)

// findingsChunk is the most findings encoded and indented as one piece.
// The pieces of one round (one per core) are written before the next
// round is encoded, so a report's findings are never all held as bytes,
// compact and indented: with the merge's findings sized at once, merging
// 200 reports of 1,000 findings (a 133 MB report) peaked at 645 MB of
// memory when they were, 480 MB in rounds.
const findingsChunk = 2000

// writeJSON writes the report as encoding/json's Encoder with
// SetIndent("", "  ") writes it, byte for byte. A large report's findings
// are encoded and indented in chunks, one per core at a time.
func writeJSON(w io.Writer, r result.Report) error {
	findings := r.Findings
	workers := min(runtime.GOMAXPROCS(0), 8)
	whole := func() error {
		r.Findings = findings
		b, err := compactJSON(r)
		if err != nil {
			return err
		}
		_, err = w.Write(indentInto(nil, b, 0))
		return err
	}
	if len(findings) < parallelFindings || workers < 2 {
		return whole()
	}
	r.Findings = []result.Finding{}
	head, err := compactJSON(r)
	if err != nil {
		return err
	}
	at := bytes.Index(head, findingsKey)
	if at < 0 {
		return whole()
	}
	// The pieces: the head up to and with "[", the chunks (each but the
	// first led by the "," that separates it from the one before), and
	// the rest from "]". Each starts between two tokens at a known depth,
	// so each is indented on its own.
	head, tail := head[:at+len(findingsKey)-1], head[at+len(findingsKey)-1:]
	if _, err := w.Write(indentInto(nil, head, 0)); err != nil {
		return err
	}
	n := len(findings)
	size := min(findingsChunk, (n+workers-1)/workers)
	segs := make([][]byte, workers)
	for round := 0; round < n; round += size * workers {
		var g errgroup.Group // workers ≤ GOMAXPROCS: all run at once
		for c := range workers {
			lo, hi := min(round+c*size, n), min(round+(c+1)*size, n)
			segs[c] = nil
			if lo == hi {
				continue
			}
			g.Go(func() error {
				b, err := compactElements(findings[lo:hi])
				if err != nil {
					return err
				}
				dst := make([]byte, 0, len(b)+len(b)/2)
				if lo > 0 {
					dst = indentInto(dst, []byte{','}, 2)
				}
				segs[c] = indentInto(dst, b, 2)
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, seg := range segs {
			if _, err := w.Write(seg); err != nil {
				return err
			}
		}
	}
	_, err = w.Write(indentInto(nil, tail, 2))
	return err
}

// indentJSON indents compact JSON as encoding/json's Encoder does with
// SetIndent("", "  ").
func indentJSON(src []byte) []byte { return indentInto(nil, src, 0) }

// indentInto appends src, compact JSON from json.Marshal (valid, no
// whitespace outside strings but a final newline) or a run of its tokens
// that starts at the given nesting depth, indented as encoding/json's
// Encoder does with SetIndent("", "  "), byte for byte. It is several
// times faster than the Encoder's own indenting, which re-scans the
// document with the full JSON state machine; a report of 10,000 findings
// is megabytes. (A "[" or "{" that ends src counts as not empty.)
func indentInto(dst, src []byte, depth int) []byte {
	if dst == nil {
		dst = make([]byte, 0, len(src)+len(src)/2)
	}
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
