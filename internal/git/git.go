// Package git is the one place secretgate runs the git command line: in
// which directory, how the run's context ends it, and how git's standard
// error becomes one line of an error message. Callers that stream git's
// output (git log -p, git cat-file --batch) take the command from Command
// and read its pipe themselves; the others call Output.
package git

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"time"
)

// waitDelay bounds how long a killed git may keep its output pipes open:
// a child it started (a hook, a credential helper, an ssh) can hold them
// after git itself is gone, and Wait would wait for it, so that cancelling
// the run would not end it.
const waitDelay = 5 * time.Second

// Command returns git with args, to run in dir and to be killed when ctx
// ends. The caller sets its input and output and starts it.
func Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.WaitDelay = waitDelay
	return cmd
}

// Output runs git with args in dir and returns its standard output. When
// git fails, the error is ctx's if ctx has ended (git was killed for it),
// and otherwise an *Error.
func Output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := Command(ctx, dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, &Error{Args: args, Stderr: Message(stderr.String()), Err: err}
	}
	return stdout.Bytes(), nil
}

// Error is a git command that failed.
type Error struct {
	Args   []string
	Stderr string // what git said, as Message gives it ("" when nothing)
	Err    error  // from os/exec: the exit status, or git not found
}

// Error is "git <first argument>: <Reason>".
func (e *Error) Error() string {
	sub := ""
	if len(e.Args) > 0 {
		sub = e.Args[0]
	}
	return "git " + sub + ": " + e.Reason()
}

// Reason is what git said, or the exec error when it said nothing.
func (e *Error) Reason() string { return Or(e.Stderr, e.Err) }

// Unwrap gives the exec error, so that errors.Is(err, exec.ErrNotFound)
// tells a missing git.
func (e *Error) Unwrap() error { return e.Err }

// maxMessage is how many bytes of git's standard error a message keeps.
const maxMessage = 600

// Message shortens git's standard error to one line for an error
// message, keeping its hints (how to mark a directory safe, ...): white
// space folded, at most maxMessage bytes and then "…".
func Message(stderr string) string {
	s := strings.Join(strings.Fields(stderr), " ")
	if len(s) > maxMessage {
		s = s[:maxMessage] + "…"
	}
	return s
}

// Or is msg, or err's text when msg is empty (git said nothing, as when
// it could not be started).
func Or(msg string, err error) string {
	if msg != "" {
		return msg
	}
	return err.Error()
}

// HeadSHA is the full sha of the commit HEAD names in the repository at
// dir; an error when dir is not in a git repository or has no commit yet.
func HeadSHA(ctx context.Context, dir string) (string, error) {
	out, err := Output(ctx, dir, "rev-parse", "--verify", "-q", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
