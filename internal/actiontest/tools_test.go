package actiontest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindTool: the pinned folder (make tools' .tools/bin) wins over PATH,
// a file there that is not executable does not count, and a tool found
// nowhere is an error naming both places.
func TestFindTool(t *testing.T) {
	pinned, onPath := t.TempDir(), t.TempDir()
	t.Setenv("PATH", onPath)
	write := func(dir, name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	both := write(pinned, "both", 0o755)
	write(onPath, "both", 0o755)
	write(pinned, "plain", 0o644)
	plain := write(onPath, "plain", 0o755)
	pathOnly := write(onPath, "path-only", 0o755)

	tests := []struct {
		name, want string
		wantErr    bool
	}{
		{"both", both, false},
		{"plain", plain, false},
		{"path-only", pathOnly, false},
		{"nowhere", "", true},
	}
	for _, tt := range tests {
		got, err := findTool(pinned, tt.name)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("findTool(%q) = %q, %v; want %q, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
