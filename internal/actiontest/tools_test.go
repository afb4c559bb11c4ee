package actiontest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// makefileList reads a variable of the Makefile written as one value per
// line ("NAME ?= \", then "\tvalue \" lines).
func makefileList(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if !in {
			in = strings.HasPrefix(line, name+" ?= \\") || strings.HasPrefix(line, name+" := \\")
			continue
		}
		v := strings.TrimSpace(strings.TrimSuffix(line, "\\"))
		if v != "" {
			values = append(values, v)
		}
		if !strings.HasSuffix(line, "\\") {
			break
		}
	}
	if len(values) == 0 {
		t.Fatalf("Makefile: no %s list", name)
	}
	return values
}

// TestRacePkgsCheck: scripts/race-pkgs.sh (make lint) accepts the
// Makefile's RACE_PKGS, and fails naming the package when one that starts
// goroutines is left out or a listed one does not exist.
func TestRacePkgsCheck(t *testing.T) {
	root := repoRoot(t)
	pkgs := makefileList(t, "RACE_PKGS")
	check := func(list []string) (string, int) {
		return run(t, root, nil, "bash", append([]string{"scripts/race-pkgs.sh"}, list...)...)
	}
	if out, code := check(pkgs); code != 0 {
		t.Fatalf("race-pkgs.sh with the Makefile's RACE_PKGS: exit %d\n%s", code, out)
	}
	dropped := pkgs[len(pkgs)-1]
	out, code := check(pkgs[:len(pkgs)-1])
	if code == 0 || !strings.Contains(out, dropped+" starts goroutines but is not in RACE_PKGS") {
		t.Errorf("without %s: exit %d, output %q; want a failure naming it", dropped, code, out)
	}
	out, code = check(append(slices.Clone(pkgs), "./internal/no-such-package"))
	if code == 0 || !strings.Contains(out, "./internal/no-such-package is in RACE_PKGS but holds no Go files") {
		t.Errorf("with a package that does not exist: exit %d, output %q; want a failure naming it", code, out)
	}
}
