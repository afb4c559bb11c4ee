package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestIndentJSON holds indentJSON to encoding/json's own indenting, byte for
// byte, on documents with every shape the report has: nesting, empty
// objects and arrays, escapes and brackets inside strings.
func TestIndentJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"scalars", []any{1, 2.5, true, false, nil, "x"}},
		{"empty", map[string]any{"a": []any{}, "b": map[string]any{}, "c": ""}},
		{"nested", map[string]any{"a": []any{map[string]any{"b": []any{1, []any{}}}}, "z": map[string]any{"y": map[string]any{}}}},
		{"strings", []string{`{"not":[json]}`, `quote " and \ backslash`, "tab\tnew\nline\u2028", "<&>", `\"`, "end\\"}},
		{"empty top", []any{}},
		{"empty object top", map[string]any{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var compact, want bytes.Buffer
			enc := json.NewEncoder(&compact)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(tc.v); err != nil {
				t.Fatal(err)
			}
			enc = json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(tc.v); err != nil {
				t.Fatal(err)
			}
			if got := indentJSON(compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("indentJSON:\n%s\nwant:\n%s", got, want.Bytes())
			}
		})
	}
}

// TestJSONLargeReportByteIdentical holds the chunked rendering of a large
// report to encoding/json's indented encoding, byte for byte, for finding
// counts around the chunk boundaries and strings that look like JSON.
func TestJSONLargeReportByteIdentical(t *testing.T) {
	// 17 chunks and a few: more than one round of chunks on any number of
	// cores (at most 8 chunks a round).
	for _, n := range []int{parallelFindings - 1, parallelFindings, parallelFindings + 1, 5003, 17*findingsChunk + 3} {
		r := result.Report{Schema: result.Schema, Checks: []result.Check{{ID: "naming", Status: "ok"}}, FailOn: "high"}
		for i := range n {
			r.Findings = append(r.Findings, result.Finding{
				Rule: "naming-pattern", Check: "naming", Severity: result.Severity(i % 5),
				Message:  fmt.Sprintf(`Secret "x%d" {"findings":[]}, [a] <&> \ tab	end`, i),
				Resource: fmt.Sprintf("prod/s%d/api", i), File: "inventory.json", Line: i + 1,
				Fingerprint: fmt.Sprintf("%032x", i), New: i%2 == 0, Waived: i%7 == 0,
			})
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := (&JSON{}).Write(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := got.Bytes(), want.Bytes()
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			t.Fatalf("%d findings: output differs at byte %d: got %q, want %q", n, i, g[max(0, i-40):min(len(g), i+40)], w[max(0, i-40):min(len(w), i+40)])
		}
	}
}

// BenchmarkJSONWrite measures the JSON report of 10,000 findings, the size
// from which its findings are encoded in chunks side by side.
func BenchmarkJSONWrite(b *testing.B) {
	r := result.Report{Schema: result.Schema, Checks: []result.Check{{ID: "naming", Status: "ok"}}, FailOn: "high"}
	for i := range 10000 {
		r.Findings = append(r.Findings, result.Finding{
			Rule: "naming-pattern", Check: "naming", Severity: result.Severity(i % 5),
			Message:  fmt.Sprintf("Secret %q does not follow the naming pattern", fmt.Sprintf("prod/s%d/api", i)),
			Resource: fmt.Sprintf("prod/s%d/api", i), File: "inventory.json", Line: i + 1,
			Fingerprint: fmt.Sprintf("%032x", i),
		})
	}
	for b.Loop() {
		if err := (&JSON{}).Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
