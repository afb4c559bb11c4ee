package rootpath

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRel(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, path, want string
		ok                     bool
	}{
		{"no path", ".", "", "", false},
		{"no root", "", "a.yml", "", false},
		{"at the root", ".", "secretgate.yml", "secretgate.yml", true},
		{"the root itself", wd, ".", ".", true},
		{"root relative, path absolute", ".", filepath.Join(wd, "ci", "sg.yml"), "ci/sg.yml", true},
		{"root absolute, path relative", wd, "ci/sg.yml", "ci/sg.yml", true},
		{"path given from the working directory, root below it", "sub", "sg.yml", "", false},
		{"outside the root", "sub", "../x.yml", "", false},
		{"the parent of the root", "sub", ".", "", false},
		{"inside a relative root", "sub", "sub/.secretgate.yml", ".secretgate.yml", true},
		// A directory whose name starts with two dots is inside: only a
		// ".." element leaves the root.
		{"a directory named ..x", wd, filepath.Join(wd, "..x", "sg.yml"), "..x/sg.yml", true},
		{"a file named ..x at the root", ".", "..x", "..x", true},
		{"a sibling named ..x", "sub", "..x/sg.yml", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Rel(tc.root, tc.path)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Rel(%q, %q) = %q, %v; want %q, %v", tc.root, tc.path, got, ok, tc.want, tc.ok)
			}
		})
	}
}
