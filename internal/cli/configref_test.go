package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPathInRoot(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, path, want string
	}{
		{"no configuration", ".", "", ""},
		{"at the root", ".", "secretgate.yml", "secretgate.yml"},
		{"root relative, path absolute", ".", filepath.Join(wd, "ci", "sg.yml"), "ci/sg.yml"},
		{"root absolute, path relative", wd, "ci/sg.yml", "ci/sg.yml"},
		{"path given from the working directory, root below it", "sub", "sg.yml", ""},
		{"outside the root", "sub", "../x.yml", ""},
		{"inside a relative root", "sub", "sub/.secretgate.yml", ".secretgate.yml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pathInRoot(tc.root, tc.path); got != tc.want {
				t.Errorf("pathInRoot(%q, %q) = %q, want %q", tc.root, tc.path, got, tc.want)
			}
		})
	}
}
