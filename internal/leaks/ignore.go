package leaks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/safefile"
)

// IgnoreFile lists fingerprints of findings to drop, as gitleaks reads it
// from its source directory.
const IgnoreFile = ".gitleaksignore"

// Ignore is the set of fingerprints in a .gitleaksignore file: either
// "file:rule:line", which ignores the finding in every commit and in the
// working tree, or "commit:file:rule:line", which ignores it in that commit.
type Ignore map[string]struct{}

// LoadIgnore reads root/.gitleaksignore; a missing file is an empty set.
// The file must be a regular file inside root of at most
// safefile.MaxIgnore bytes: a symbolic link to /dev/stdin or /dev/zero, a
// FIFO or a /proc file is refused, never read.
func LoadIgnore(root string) (Ignore, error) {
	path := filepath.Join(root, IgnoreFile)
	data, err := safefile.Read(context.Background(), root, path, safefile.MaxIgnore)
	if errors.Is(err, os.ErrNotExist) {
		return Ignore{}, nil
	}
	var se *safefile.Error
	if errors.As(err, &se) {
		return nil, err // names the file
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseIgnore(data), nil
}

// ParseIgnore reads .gitleaksignore content the way gitleaks does: one
// fingerprint a line, blank lines and lines starting with # skipped,
// backslashes in the file part turned into slashes.
func ParseIgnore(data []byte) Ignore {
	ig := Ignore{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ":")
		switch len(parts) {
		case 3:
			parts[0] = strings.ReplaceAll(parts[0], `\`, "/")
		case 4:
			parts[1] = strings.ReplaceAll(parts[1], `\`, "/")
		}
		ig[strings.Join(parts, ":")] = struct{}{}
	}
	return ig
}

// Fingerprint is gitleaks' identifier of a finding.
func Fingerprint(commit, file, rule string, line int) string {
	if commit == "" {
		return file + ":" + rule + ":" + strconv.Itoa(line)
	}
	return commit + ":" + file + ":" + rule + ":" + strconv.Itoa(line)
}

// match returns a finding's fingerprint and whether the file ignores it:
// by its commit-less form first, then by the commit form, as gitleaks does.
func (ig Ignore) match(commit, file, rule string, line int) (string, bool) {
	global := Fingerprint("", file, rule, line)
	fp := Fingerprint(commit, file, rule, line)
	if _, ok := ig[global]; ok {
		return fp, true
	}
	if commit != "" {
		if _, ok := ig[fp]; ok {
			return fp, true
		}
	}
	return fp, false
}
