package main

import (
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// A key cannot be hidden from the leak check by what makes a text file
// look binary: one NUL byte (git then prints no line of the change, in
// --diff and --history), a %PDF- or PK magic number in front (gitleaks'
// file source skips the file in the working tree) or UTF-16.
func TestLeakHidingInTextThatLooksBinary(t *testing.T) {
	dir := leakRepo(t)
	base := gitIn(t, dir, "rev-parse", "HEAD")
	key := leakstest.AWSKey(t)
	line := "aws_access_key_id = " + key + "\n"
	writeIn(t, dir, "deploy/nul.env", "# settings\x00\n"+line)
	writeIn(t, dir, "deploy/pdf.env", "%PDF-1.4\n"+line)
	writeIn(t, dir, "deploy/zip.env", "PK\x03\x04\n"+line)
	writeIn(t, dir, "deploy/wide.env", "\xff\xfe"+strings.Join(strings.Split(line, ""), "\x00")+"\x00")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "settings")

	files := []string{"deploy/nul.env:2", "deploy/pdf.env:2", "deploy/wide.env:1", "deploy/zip.env:2"}
	tests := []struct {
		name string
		args []string
	}{
		{"working tree", nil},
		{"diff", []string{"--diff", base + "..HEAD"}},
		{"pull request", []string{"--mode", "pr", "--diff", base + "..HEAD"}},
		{"history", []string{"--history"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := secretgate(t, nil, append([]string{"check", "--offline", "--now", now, "--only", "leaks", "--path", dir}, tc.args...)...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (leaks found)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			for _, f := range files {
				if !strings.Contains(r.stdout, f) {
					t.Errorf("stdout does not name %s:\n%s", f, r.stdout)
				}
			}
			if strings.Contains(r.stdout+r.stderr, key[4:]) {
				t.Error("output holds the key")
			}
		})
	}
}
