// Package git is the one place secretgate runs the git command line: in
// which directory, how the run's context ends it, and how git's standard
// error becomes one line of an error message. Callers that stream git's
// output (git log -p, git cat-file --batch) take the command from Command
// and read its pipe themselves; the others call Output.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
// It asks Describe first (one git process for the facts a run needs).
func HeadSHA(ctx context.Context, dir string) (string, error) {
	if r, err := Describe(ctx, dir); err == nil && r.Head != "" {
		return r.Head, nil
	} else if err == nil && r.InWorkTree {
		return "", errors.New("git rev-parse: HEAD names no commit yet")
	}
	// In a .git directory or a bare repository HEAD is still known.
	out, err := Output(ctx, dir, "rev-parse", "--verify", "-q", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Repo is what git says of a directory: whether it lies in a work tree,
// the work tree's top-level directory and the directory's path in it,
// whether the clone is shallow, and the commit HEAD names.
type Repo struct {
	InWorkTree bool
	// Top is the work tree's top-level directory; Prefix is the
	// directory relative to it ("" or ending in "/").
	Top, Prefix string
	Shallow     bool
	// Objects is the repository's object directory (absolute).
	Objects string
	// Head is the full sha of the commit HEAD names, "" when there is
	// none yet (a branch without commits).
	Head string
}

// describeArgs ask one git rev-parse for all of Repo, in this order. Each
// prints one line; --show-toplevel fails outside a work tree (in a .git
// directory, a bare repository) and ends the output there. --verify -q
// HEAD, last, fails without a word (status 1) before the first commit,
// after the other lines are printed.
var describeArgs = []string{"rev-parse", "--is-inside-work-tree", "--show-toplevel", "--show-prefix",
	"--is-shallow-repository", "--git-path", "objects", "--verify", "-q", "HEAD"}

// Describe tells what git says of dir (Repo) with one git process, where
// asking for each fact would start one each (a pre-commit hook's run
// asked three times). When git cannot say where the work tree is (dir is
// not in a repository, or in a .git directory or a bare repository), the
// error is Output's: ctx's, or an *Error with git's message (and
// ErrNoWorkTree when git said it is not in one). Within a
// context from WithMemo, each directory is described once.
func Describe(ctx context.Context, dir string) (Repo, error) {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		return describe(ctx, dir)
	}
	m.mu.Lock()
	d, ok := m.dirs[dir]
	if !ok {
		d = &described{}
		m.dirs[dir] = d
	}
	m.mu.Unlock()
	d.once.Do(func() { d.repo, d.err = describe(ctx, dir) })
	return d.repo, d.err
}

func describe(ctx context.Context, dir string) (Repo, error) {
	cmd := Command(ctx, dir, describeArgs...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if cerr := ctx.Err(); runErr != nil && cerr != nil {
		return Repo{}, cerr
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) < 5 || (lines[0] != "true" && lines[0] != "false") {
		if runErr == nil {
			return Repo{}, &Error{Args: describeArgs, Err: fmt.Errorf("unexpected output %q", stdout.String())}
		}
		err := &Error{Args: describeArgs, Stderr: Message(stderr.String()), Err: runErr}
		if lines[0] == "false" {
			return Repo{}, &noWorkTreeError{err}
		}
		return Repo{}, err
	}
	objects := lines[4] // relative to dir unless absolute
	if !filepath.IsAbs(objects) {
		objects = filepath.Join(dir, objects)
	}
	r := Repo{InWorkTree: lines[0] == "true", Top: lines[1], Prefix: lines[2], Shallow: lines[3] == "true", Objects: objects}
	if runErr == nil && len(lines) == 6 {
		r.Head = lines[5]
	}
	return r, nil
}

// ErrNoWorkTree is (errors.Is) Describe's error when git said that the
// directory is not in a work tree (a .git directory, a bare repository)
// and so could not say where one is.
var ErrNoWorkTree = errors.New("not in a git work tree")

// noWorkTreeError is git's error, and ErrNoWorkTree.
type noWorkTreeError struct{ err *Error }

func (e *noWorkTreeError) Error() string   { return e.err.Error() }
func (e *noWorkTreeError) Unwrap() []error { return []error{e.err, ErrNoWorkTree} }

// WithMemo returns a context within which Describe asks git once per
// directory: the facts of one run, which several of its parts need (the
// report's commit, the leak scanner's scope, the staged listing). A
// commit made while the run goes on is not seen, as it would not be by a
// run that asked once at its start.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{dirs: map[string]*described{}})
}

type memoKey struct{}

type memo struct {
	mu   sync.Mutex
	dirs map[string]*described
}

type described struct {
	once sync.Once
	repo Repo
	err  error
}
