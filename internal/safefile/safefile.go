// Package safefile opens and reads the files a run takes its judge and its
// inputs from — the configuration, Rego policies, gitleaks configuration
// and ignore file, a baseline report — so that a file the repository
// commits cannot make secretgate hang, run out of memory or print what
// another file holds. A file must be a regular file: symbolic links are
// resolved and must stay inside the given root; devices, FIFOs, sockets,
// directories and /proc or /sys files are refused; reads stop at a size
// cap and when the context ends.
package safefile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Size caps per kind of file. Each is far above what a real file of that
// kind holds, and far below what would strain a CI runner's memory.
const (
	MaxConfig   int64 = 1 << 20   // .secretgate.yml
	MaxRego     int64 = 4 << 20   // one .rego file
	MaxGitleaks int64 = 4 << 20   // .gitleaks.toml and the file it extends
	MaxIgnore   int64 = 8 << 20   // .gitleaksignore
	MaxBaseline int64 = 256 << 20 // a --baseline JSON report
)

// Errors a refused file wraps, for errors.Is.
var (
	// ErrNotRegular: a device, FIFO, socket, directory or a /proc or /sys
	// file, or a symbolic link to one.
	ErrNotRegular = errors.New("not a regular file")
	// ErrOutside: a symbolic link that leaves the root.
	ErrOutside = errors.New("symbolic link to a file outside the repository")
	// ErrTooLarge: a file over its size cap.
	ErrTooLarge = errors.New("file too large")
)

// Error is a refused file: its path as given and why.
type Error struct {
	Path string
	Err  error  // ErrNotRegular, ErrOutside or ErrTooLarge
	Msg  string // what the file is, for the message
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Unwrap returns the sentinel error the refusal matches.
func (e *Error) Unwrap() error { return e.Err }

// Open opens name for reading after checking that it is a regular file
// and, when root is not "", that it lies inside root once every symbolic
// link is resolved (root "" is for a file the user named explicitly, such
// as --config outside the repository). A file that does not exist gives
// an error matching fs.ErrNotExist, as os.Open does; a symbolic link that
// cannot be resolved is refused, not taken for a missing file.
//
// The file is opened without blocking (a FIFO swapped in after the check
// cannot hang the open) and checked again once open.
func Open(root, name string) (*os.File, fs.FileInfo, error) {
	resolved, err := resolve(root, name)
	if err != nil {
		return nil, nil, err
	}
	before, err := os.Stat(resolved)
	if err != nil {
		return nil, nil, err
	}
	if err := regular(name, resolved, before); err != nil {
		return nil, nil, err
	}
	f, err := openNonblocking(resolved)
	if err != nil {
		return nil, nil, err
	}
	after, err := f.Stat()
	if err == nil {
		if !os.SameFile(before, after) {
			err = &Error{Path: name, Err: ErrNotRegular, Msg: "changed while it was opened; not read"}
		} else {
			err = regular(name, resolved, after)
		}
	}
	if err == nil {
		err = special(name, f)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, after, nil
}

// Read reads the regular file name (see Open) whole, refusing it when it
// is larger than max bytes. It stops when ctx ends.
func Read(ctx context.Context, root, name string, max int64) ([]byte, error) {
	f, info, err := Open(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadOpen(ctx, f, name, info.Size(), max)
}

// ReadOpen reads an open file whole within max bytes; size is its size as
// stat reported it (a hint: the file may have grown since). name is for
// the error.
func ReadOpen(ctx context.Context, r io.Reader, name string, size, max int64) ([]byte, error) {
	if size > max {
		return nil, tooLarge(name, size, max)
	}
	const chunk = 256 << 10
	buf := make([]byte, 0, min(size+1, max+1, chunk))
	lr := io.LimitReader(r, max+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := min(cap(buf), len(buf)+chunk)
		n, err := lr.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(buf)) > max {
		return nil, tooLarge(name, int64(len(buf)), max)
	}
	return buf, nil
}

func tooLarge(name string, size, max int64) error {
	is := "is " + HumanBytes(size) + ","
	if size == max+1 { // read up to the cap: the size is not known
		is = "is"
	}
	return &Error{Path: name, Err: ErrTooLarge, Msg: fmt.Sprintf("file %s over the %s limit for this kind of file; not read", is, HumanBytes(max))}
}

// resolve returns name with every symbolic link resolved, refusing a link
// that cannot be resolved or, with a root, one that leaves it.
func resolve(root, name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	li, err := os.Lstat(abs)
	if err != nil {
		return "", err // missing: fs.ErrNotExist, as os.Open says it
	}
	resolved := abs
	if li.Mode()&fs.ModeSymlink != 0 || root != "" {
		if resolved, err = filepath.EvalSymlinks(abs); err != nil {
			// /dev/stdin resolves to /proc/self/fd/0 and then to "pipe:[…]".
			return "", &Error{Path: name, Err: ErrNotRegular, Msg: "symbolic link that does not resolve to a file (it leads to a pipe, a socket or nothing); not read"}
		}
	}
	if root == "" {
		return resolved, nil
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("%s: %w", root, err)
	}
	if realRoot, err = filepath.Abs(realRoot); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(realRoot, resolved)
	if err != nil || !filepath.IsLocal(rel) {
		return "", &Error{Path: name, Err: ErrOutside, Msg: "symbolic link to a file outside the repository; not followed"}
	}
	return resolved, nil
}

// regular refuses anything but a regular file, and files below /proc and
// /sys, which stat calls regular but which are views of the system (a
// process's environment, memory).
func regular(name, resolved string, info fs.FileInfo) error {
	if m := info.Mode(); !m.IsRegular() {
		return &Error{Path: name, Err: ErrNotRegular, Msg: "is " + describe(m) + ", not a regular file; not read"}
	}
	for _, dir := range []string{"/proc", "/sys"} {
		if resolved == dir || strings.HasPrefix(resolved, dir+"/") {
			return &Error{Path: name, Err: ErrNotRegular, Msg: "is a " + dir + " file, not a regular file; not read"}
		}
	}
	return nil
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// HumanBytes writes a byte count the way messages about size limits do.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
