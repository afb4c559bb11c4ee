package report

import (
	"bytes"
	"encoding/json"
	"testing"
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
