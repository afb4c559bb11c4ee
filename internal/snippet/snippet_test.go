package snippet

import "testing"

func TestRedact(t *testing.T) {
	src := []byte("ghp_Canary4f9e2b7c1dA data.lib.helpers contains")
	got := Redact("got: ghp_Canary4f9e2b7c1dA, data.lib.helpers, contains, NotInSource123", src)
	want := "got: ghp_…, data.lib.helpers, contains, NotInSource123"
	if got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
}

func TestIsText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"text with tabs and line breaks", "a:\tb\r\nc\n", true},
		{"UTF-8 letters", "clé: ✓\n", true},
		{"a NUL", "a\x00b", false},
		{"an escape", "a\x1b[31mb", false},
		{"invalid UTF-8 (Latin-1)", "caf\xe9", false},
		{"empty", "", true},
	}
	for _, tc := range tests {
		if got := IsText([]byte(tc.in)); got != tc.want {
			t.Errorf("%s: IsText = %v, want %v", tc.name, got, tc.want)
		}
	}
}
