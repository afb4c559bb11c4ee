package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/result"
)

// TestLeakLargeFile: a text file above the old 10 MiB skip is scanned
// (its key found at the right line, exit 1); above a configured
// leaks_max_file_size it is not scanned and the leaks check is an error naming
// the file (exit 3), never a pass.
func TestLeakLargeFile(t *testing.T) {
	key := leakstest.AWSKey(t)
	var b strings.Builder
	line := 0
	for b.Len() < 11_000_000 {
		line++
		fmt.Fprintf(&b, "%08d the quick brown fox jumps over the lazy dog\n", line)
	}
	keyLine := line + 1
	b.WriteString("aws_access_key_id = " + key + "\n")
	for range 1000 {
		b.WriteString("trailing text\n")
	}
	dir := leakRepo(t)
	writeIn(t, dir, "logs/big.txt", b.String())
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "big")
	limited := leakRepo(t)
	writeIn(t, limited, ".secretgate.yml", "leaks_max_file_size: 1MiB\n")
	writeIn(t, limited, "logs/big.txt", strings.Repeat("plain text line\n", 100_000))
	gitIn(t, limited, "add", "-A")
	gitIn(t, limited, "commit", "-q", "-m", "big")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStatus result.Status
		wantText   string
	}{
		{"working tree", []string{"--path", dir}, 1, result.StatusFailed, fmt.Sprintf("logs/big.txt:%d", keyLine)},
		{"history", []string{"--path", dir, "--history"}, 1, result.StatusFailed, fmt.Sprintf("logs/big.txt:%d", keyLine)},
		{"working tree above leaks_max_file_size", []string{"--path", limited}, 3, result.StatusError, "logs/big.txt: text file of"},
		{"history above leaks_max_file_size", []string{"--path", limited, "--history"}, 3, result.StatusError, "logs/big.txt in commit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check", "--offline", "--now", now, "--only", "leaks"}, tc.args...)
			text := secretgate(t, nil, args...)
			if text.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", text.code, tc.wantCode, text.stdout, text.stderr)
			}
			if !strings.Contains(text.stdout, tc.wantText) {
				t.Errorf("text report does not contain %q:\n%s", tc.wantText, text.stdout)
			}
			rep := jsonReport(t, secretgate(t, nil, append(args, "--format", "json")...))
			if got := checkStatus(rep)[result.CheckLeaks]; got != tc.wantStatus {
				t.Errorf("leaks status %q, want %q", got, tc.wantStatus)
			}
			if strings.Contains(text.stdout+text.stderr, key[4:]) {
				t.Error("output holds the key")
			}
		})
	}
}
