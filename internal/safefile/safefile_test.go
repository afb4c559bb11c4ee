//go:build linux

package safefile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(dir, name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(target, name string) string {
		p := filepath.Join(root, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(root, "plain.yml", "version: 1\n")
	write(root, "big.yml", strings.Repeat("x", 101))
	link("plain.yml", "inside-link.yml")
	link(write(outside, "secret.yml", "token: x\n"), "outside-link.yml")
	link("/dev/zero", "zero.yml")
	link("/dev/stdin", "stdin.yml")
	link("/proc/self/environ", "environ.yml")
	link("missing.yml", "dangling.yml")
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "dir.yml"), 0o700); err != nil {
		t.Fatal(err)
	}
	subLink := filepath.Join(root, "sub")
	if err := os.Symlink(outside, subLink); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		root     string // "" for an explicitly named file
		path     string
		want     string // the contents, when it must be read
		wantErr  error
		wantText string // in the message
		orErr    error  // another acceptable error
	}{
		{"a regular file", root, "plain.yml", "version: 1\n", nil, "", nil},
		{"a link inside the root", root, "inside-link.yml", "version: 1\n", nil, "", nil},
		{"a link leaving the root", root, "outside-link.yml", "", ErrOutside, "outside the repository", nil},
		{"a directory link leaving the root", root, "sub/secret.yml", "", ErrOutside, "outside the repository", nil},
		{"an explicit file outside the root", "", filepath.Join(outside, "secret.yml"), "token: x\n", nil, "", nil},
		{"a link to /dev/zero", root, "zero.yml", "", ErrOutside, "", nil},
		{"/dev/zero named explicitly", "", "/dev/zero", "", ErrNotRegular, "character device", nil},
		// What /dev/stdin resolves to depends on what the test's standard
		// input is: a pipe does not resolve, a terminal or a file does.
		{"a link to /dev/stdin", root, "stdin.yml", "", ErrNotRegular, "", ErrOutside},
		{"/proc/self/environ named explicitly", "", "/proc/self/environ", "", ErrNotRegular, "/proc", nil},
		{"a link to /proc/self/environ named explicitly", "", filepath.Join(root, "environ.yml"), "", ErrNotRegular, "/proc", nil},
		{"a FIFO", root, "fifo.yml", "", ErrNotRegular, "FIFO", nil},
		{"a directory", root, "dir.yml", "", ErrNotRegular, "directory", nil},
		{"a dangling link", root, "dangling.yml", "", ErrNotRegular, "does not resolve", nil},
		{"a missing file", root, "missing.yml", "", fs.ErrNotExist, "", nil},
		{"over the cap", root, "big.yml", "", ErrTooLarge, "over the 100 bytes limit", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path
			if !filepath.IsAbs(p) {
				p = filepath.Join(root, p)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			done := make(chan struct{})
			var got []byte
			var err error
			go func() {
				defer close(done)
				got, err = Read(ctx, tc.root, p, 100)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Read blocked")
			}
			if tc.wantErr == nil {
				if err != nil || string(got) != tc.want {
					t.Fatalf("Read = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) && (tc.orErr == nil || !errors.Is(err, tc.orErr)) {
				t.Fatalf("Read = %q, %v; want an error matching %v", got, err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantText) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file %s and say %q", err, p, tc.wantText)
			}
		})
	}
}
