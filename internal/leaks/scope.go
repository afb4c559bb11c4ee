package leaks

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/secretgate/secretgate/internal/git"
)

// Kind is what a scan covers.
type Kind int

// Scope kinds.
const (
	// WorkingTree scans the files of the directory: in a git work tree the
	// files git tracks plus the untracked ones .gitignore does not exclude,
	// elsewhere every file below the root.
	WorkingTree Kind = iota
	// Staged scans what `git commit` would record: the lines the index adds
	// to HEAD, read from the staged blobs, not from the working files.
	Staged
	// Range scans the lines each commit of BASE..HEAD adds, every commit of
	// the range, each match attributed to the commit that added it.
	Range
	// History scans the lines every commit of every ref adds.
	History
)

// Scope is a Kind, with the range for Range.
type Scope struct {
	Kind Kind
	// Base and Head are the ends of a Range as the user gave them.
	Base, Head string
}

// ParseScope turns the --staged, --diff BASE..HEAD and --history flags into
// a scope. "BASE...HEAD" is accepted and means the same as "BASE..HEAD"
// (the commits HEAD has and BASE does not); an empty HEAD is HEAD.
func ParseScope(staged bool, diff string, history bool) (Scope, error) {
	n := 0
	for _, b := range []bool{staged, diff != "", history} {
		if b {
			n++
		}
	}
	if n > 1 {
		return Scope{}, errors.New("--staged, --diff and --history are mutually exclusive")
	}
	switch {
	case staged:
		return Scope{Kind: Staged}, nil
	case history:
		return Scope{Kind: History}, nil
	case diff != "":
		sep := "..."
		i := strings.Index(diff, sep)
		if i < 0 {
			sep = ".."
			i = strings.Index(diff, sep)
		}
		if i < 0 {
			return Scope{}, fmt.Errorf("--diff %q: want BASE..HEAD, e.g. origin/main..HEAD", diff)
		}
		base, head := strings.TrimSpace(diff[:i]), strings.TrimSpace(diff[i+len(sep):])
		if base == "" {
			return Scope{}, fmt.Errorf("--diff %q: BASE is empty; want BASE..HEAD, e.g. origin/main..HEAD", diff)
		}
		if head == "" {
			head = "HEAD"
		}
		for _, ref := range []string{base, head} {
			if strings.HasPrefix(ref, "-") {
				return Scope{}, fmt.Errorf("--diff %q: %q is not a revision", diff, ref)
			}
		}
		return Scope{Kind: Range, Base: base, Head: head}, nil
	}
	return Scope{Kind: WorkingTree}, nil
}

// String names the scope as the flags do.
func (s Scope) String() string {
	switch s.Kind {
	case Staged:
		return "staged changes"
	case Range:
		return "commits " + s.Base + ".." + s.Head
	case History:
		return "history"
	}
	return "working tree"
}

// Target is a scope resolved against a directory: the git facts a scan
// needs, checked before anything is scanned.
type Target struct {
	// Root is the directory scanned (absolute).
	Root  string
	Scope Scope
	// Git is nil outside a git work tree.
	Git *Repo
}

// Repo is the git work tree a target lies in.
type Repo struct {
	// Top is the work tree's top-level directory; Prefix is Root relative
	// to it ("" or ending in "/").
	Top, Prefix string
	Shallow     bool
	// Objects is the repository's object directory (absolute), as git
	// finds it (GIT_OBJECT_DIRECTORY, a linked work tree's common
	// directory).
	Objects string
	// Base and Head are the full commit ids of a Range.
	Base, Head string
}

// Resolve checks that scope can be scanned in root and pins a range to
// commit ids. Its errors are the user's to fix and say how: a git scope
// outside a git work tree, a range end missing from a (shallow) clone.
func Resolve(ctx context.Context, root string, scope Scope) (Target, error) {
	t := Target{Root: root, Scope: scope}
	repo, err := findRepo(ctx, root)
	if err != nil {
		return t, err
	}
	t.Git = repo
	if scope.Kind == WorkingTree {
		return t, nil
	}
	flag := map[Kind]string{Staged: "--staged", Range: "--diff", History: "--history"}[scope.Kind]
	if repo == nil {
		return t, fmt.Errorf("%s needs a git repository, and %s is not in one: run secretgate in a clone (actions/checkout), or drop %s to scan the files of the directory", flag, root, flag)
	}
	switch scope.Kind {
	case History:
		if repo.Shallow {
			return t, fmt.Errorf("--history: %s is a shallow clone, so the history would be scanned only in part: fetch all of it (actions/checkout with fetch-depth: 0, or git fetch --unshallow)", root)
		}
	case Range:
		if repo.Base, err = resolveCommit(ctx, root, scope.Base, "BASE", repo.Shallow); err != nil {
			return t, err
		}
		if repo.Head, err = resolveCommit(ctx, root, scope.Head, "HEAD", repo.Shallow); err != nil {
			return t, err
		}
		if repo.Shallow {
			if _, err := gitText(ctx, root, "merge-base", repo.Base, repo.Head); err != nil {
				return t, fmt.Errorf("--diff %s..%s: this shallow clone lacks the history that connects BASE and HEAD, so the commits of the range cannot be told apart: fetch the full history (actions/checkout with fetch-depth: 0) or deepen it (git fetch --deepen=<n> origin %s)", scope.Base, scope.Head, scope.Base)
			}
		}
	}
	return t, nil
}

// findRepo returns the work tree root lies in, nil when it lies in none.
// git.Describe asks git once for this and what else the run needs of the
// repository (the commit checked, whether a staged listing can be made).
func findRepo(ctx context.Context, root string) (*Repo, error) {
	r, err := git.Describe(ctx, root)
	var ge *git.Error
	if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
		err = errNotRepo
	}
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, errNotRepo) {
			return nil, nil
		}
		return nil, fmt.Errorf("git in %s: %w", root, err)
	}
	return &Repo{Top: r.Top, Prefix: r.Prefix, Shallow: r.Shallow, Objects: r.Objects}, nil
}

func resolveCommit(ctx context.Context, root, rev, which string, shallow bool) (string, error) {
	out, err := gitText(ctx, root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err == nil {
		return strings.TrimSpace(out), nil
	}
	if shallow {
		return "", fmt.Errorf("--diff: %s %q is not in this shallow clone: fetch the full history (actions/checkout with fetch-depth: 0) or fetch the base (git fetch origin %s)", which, rev, rev)
	}
	return "", fmt.Errorf("--diff: %s %q is not a commit in this clone: fetch it (git fetch origin %s) or check the name", which, rev, rev)
}

var errNotRepo = errors.New("not a git repository")

// gitText runs git in dir and returns its standard output; a failure
// carries git's message (git.Error), or is errNotRepo.
func gitText(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := git.Output(ctx, dir, args...)
	var ge *git.Error
	if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
		return "", errNotRepo
	}
	return string(out), err
}
