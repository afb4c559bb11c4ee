package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestProgressOnATerminalNotInAPipe drives secretgate the way a person
// meets it: on a pseudo-terminal (util-linux script(1)) the phases are
// drawn in place and erased, and the report on stdout is whole; in a pipe
// nothing is drawn, only one line per phase is left. SECRETGATE_PROGRESS_AFTER=0s
// shows phases shorter than a second.
func TestProgressOnATerminalNotInAPipe(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("script(1) is not on PATH and CI is set (Debian's bsdutils has it): %v", err)
		}
		t.Skip("script(1) is not on PATH")
	}
	dir := leakRepo(t)
	env := []string{"SECRETGATE_PROGRESS_AFTER=0s", "TERM=xterm"}
	args := "'" + binary + "' check --offline --path '" + dir + "' --only leaks -f json"

	cmd := exec.Command(script, "-qec", args, os.DevNull)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("script: %v", err) // an exit status of secretgate's is expected (1: the key)
	}
	screen := string(out)
	if !strings.Contains(screen, "\r\x1b[Kleak scanner: ") {
		t.Errorf("no progress drawn on the terminal:\n%q", screen)
	}
	if !strings.Contains(screen, `"schema": "secretgate/report/v1"`) {
		t.Errorf("the report is not on the terminal:\n%q", screen)
	}

	r := secretgate(t, env, "check", "--offline", "--path", dir, "--only", "leaks", "-f", "json")
	if strings.Contains(r.stderr, "\x1b[K") || strings.Contains(r.stdout, "\x1b[K") {
		t.Errorf("progress drawn into a pipe: stderr %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "secretgate: leak scanner: ") || !strings.Contains(r.stderr, " files in ") {
		t.Errorf("no phase line in the pipe's stderr: %q", r.stderr)
	}
	jsonReport(t, r) // stdout is the report alone
}
