//go:build linux

package leaks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/safefile"
)

// TestJudgeFilesAreRegularFiles: .gitleaksignore and .gitleaks.toml are
// read only as regular files inside the scan root, within their caps; a
// link to /dev/stdin, /dev/zero or a FIFO is refused at once, never read.
func TestJudgeFilesAreRegularFiles(t *testing.T) {
	link := func(target string) func(t *testing.T, p string) {
		return func(t *testing.T, p string) {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	fifo := func(t *testing.T, p string) {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	oversized := func(max int64) func(t *testing.T, p string) {
		return func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(strings.Repeat("#\n", int(max/2)+1)), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	outside := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(outside, []byte("# not the repository's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	loaders := []struct {
		file string
		load func(root string) error
		max  int64
	}{
		{IgnoreFile, func(root string) error { _, err := LoadIgnore(root); return err }, safefile.MaxIgnore},
		{ConfigFile, func(root string) error { _, err := LoadGitleaks(root); return err }, safefile.MaxGitleaks},
	}
	for _, l := range loaders {
		tests := []struct {
			name  string
			setup func(t *testing.T, p string)
			want  string
		}{
			{"linked to dev-stdin", link("/dev/stdin"), ""},
			{"linked to dev-zero", link("/dev/zero"), "outside the repository"},
			{"linked outside the root", link(outside), "outside the repository"},
			{"a FIFO", fifo, "FIFO"},
			{"over the cap", oversized(l.max), "limit"},
		}
		for _, tc := range tests {
			t.Run(l.file+" "+tc.name, func(t *testing.T) {
				root := t.TempDir()
				tc.setup(t, filepath.Join(root, l.file))
				done := make(chan error, 1)
				go func() { done <- l.load(root) }()
				var err error
				select {
				case err = <-done:
				case <-time.After(10 * time.Second):
					t.Fatal("loading blocked")
				}
				var se *safefile.Error
				var ce *ConfigError
				if err == nil || !strings.Contains(err.Error(), l.file) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want an error naming %s and saying %q", err, l.file, tc.want)
				}
				if !errors.As(err, &ce) && !errors.As(err, &se) {
					t.Errorf("err is %T, want a *ConfigError or a *safefile.Error", err)
				}
			})
		}
	}
}
