//go:build linux

package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/secretgate/secretgate/internal/safefile"
)

// TestDirSourcesReadsOnlyRegularFiles: a .rego file below a policy
// directory is read only as a regular file inside that directory, within
// safefile.MaxRego; anything else fails the load with the file named.
func TestDirSourcesReadsOnlyRegularFiles(t *testing.T) {
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "creds.rego")
	if err := os.WriteFile(secret, []byte("package x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(target string) func(t *testing.T, p string) {
		return func(t *testing.T, p string) {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, p string)
		want  error
	}{
		{"linked to dev-zero", link("/dev/zero"), safefile.ErrOutside},
		{"linked to proc-self-environ", link("/proc/self/environ"), safefile.ErrOutside},
		{"linked outside the directory", link(secret), safefile.ErrOutside},
		{"a FIFO", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}, safefile.ErrNotRegular},
		{"over 4 MiB", func(t *testing.T, p string) {
			text := "package x\n" + strings.Repeat("# padding\n", int(safefile.MaxRego/10)+1)
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}, safefile.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "bad.rego")
			tc.setup(t, p)
			_, err := DirSources([]string{dir}, false)
			if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "bad.rego") {
				t.Fatalf("err = %v, want a policy error naming bad.rego", err)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// A link that stays inside the directory is read.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "real.txt"), []byte("package ok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link("real.txt")(t, filepath.Join(dir, "ok.rego"))
	srcs, err := DirSources([]string{dir}, false)
	if err != nil || len(srcs) != 1 || string(srcs[0].Text) != "package ok\n" {
		t.Fatalf("DirSources with a link inside the directory = %v, %v", srcs, err)
	}
}
