//go:build linux

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/secretgate/secretgate/internal/safefile"
)

// TestLoadInRefusesWhatIsNotARegularFile: the configuration is read only
// as a regular file within safefile.MaxConfig, inside the repository when
// it is the repository's own; never a device, FIFO or /proc file.
func TestLoadInRefusesWhatIsNotARegularFile(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "org.yml")
	if err := os.WriteFile(outside, []byte("fail_on: never\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		setup  func(t *testing.T, p string)
		inRepo bool
		want   error
	}{
		{"linked to dev-zero", symlinkTo("/dev/zero"), true, safefile.ErrOutside},
		{"linked to proc-self-environ", symlinkTo("/proc/self/environ"), true, safefile.ErrOutside},
		{"linked to a file outside the repository", symlinkTo(outside), true, safefile.ErrOutside},
		{"named explicitly, linked to proc-self-environ", symlinkTo("/proc/self/environ"), false, safefile.ErrNotRegular},
		{"named explicitly, linked to dev-zero", symlinkTo("/dev/zero"), false, safefile.ErrNotRegular},
		{"a FIFO", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}, true, safefile.ErrNotRegular},
		{"over 1 MiB", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte("fail_on: high\n"+strings.Repeat("# padding\n", 110_000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, true, safefile.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, FileName)
			tc.setup(t, p)
			within := ""
			if tc.inRepo {
				within = root
			}
			_, err := LoadIn(within, p)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want %v naming %s", err, tc.want, p)
			}
		})
	}
	// An explicit file outside the repository is the user's choice.
	if _, err := LoadIn("", outside); err != nil {
		t.Errorf("LoadIn of an explicit file outside the repository: %v", err)
	}
}

func symlinkTo(target string) func(t *testing.T, p string) {
	return func(t *testing.T, p string) {
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
}
