package source

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReadAll: the size is a hint; what is read is the whole file, shorter
// or longer than the hint, or an error.
func TestReadAll(t *testing.T) {
	text := strings.Repeat("0123456789", 100)
	for _, tc := range []struct {
		name string
		hint int64
	}{{"exact", 1000}, {"shrank", 2000}, {"grew", 10}, {"unknown", 0}, {"huge hint", 2 << 30}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(strings.NewReader(text), tc.hint)
			if err != nil || string(got) != text {
				t.Fatalf("read %d bytes, err %v; want %d bytes", len(got), err, len(text))
			}
		})
	}
	boom := errors.New("disk on fire")
	if _, err := readAll(io.MultiReader(bytes.NewReader([]byte("abc")), errReader{boom}), 100); !errors.Is(err, boom) {
		t.Errorf("error = %v, want %v", err, boom)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
