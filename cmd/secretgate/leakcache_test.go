package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// TestLeakCacheFlags: the cache lands in the user cache directory by
// default, in --cache-dir when given, nowhere with --no-cache; the report
// is the same either way, and a second run finds the committed key again.
func TestLeakCacheFlags(t *testing.T) {
	dir := leakRepo(t)
	writeIn(t, dir, "src/app.go", "package app\n\nconst token = 1 // token handling\n")
	writeIn(t, dir, "deploy/prod.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "key")
	home, own := t.TempDir(), filepath.Join(t.TempDir(), "own-cache")
	defaultDir := filepath.Join(home, ".cache", "secretgate", "leaks")

	tests := []struct {
		name      string
		args      []string
		wantCache string // directory that must hold a cache file; "" none
	}{
		{"default", nil, defaultDir},
		{"default again", nil, defaultDir},
		{"--cache-dir", []string{"--cache-dir", own}, own},
		{"--no-cache", []string{"--no-cache", "--cache-dir", filepath.Join(home, "unused")}, ""},
		{"history, cached", []string{"--history", "--cache-dir", own}, own},
		{"history, again", []string{"--history", "--cache-dir", own}, own},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check", "--offline", "--only", "leaks", "--path", dir, "--now", now, "--format", "json"}, tc.args...)
			r := secretgate(t, []string{"HOME=" + home, "XDG_CACHE_HOME="}, args...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (the key)\n%s%s", r.code, r.stdout, r.stderr)
			}
			rep := jsonReport(t, r)
			if len(rep.Findings) != 1 || rep.Findings[0].File != "deploy/prod.env" {
				t.Fatalf("findings %+v", rep.Findings)
			}
			if tc.wantCache != "" {
				if files, _ := filepath.Glob(filepath.Join(tc.wantCache, "*.leakcache")); len(files) != 1 {
					t.Errorf("cache files in %s: %v", tc.wantCache, files)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(home, "unused")); !os.IsNotExist(err) {
		t.Errorf("--no-cache created the cache directory (%v)", err)
	}
}
