package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/secretgate/secretgate/internal/git"
)

// ScanStaged is Scan over what `git commit` would record: the candidate
// files the index adds or changes relative to HEAD, read from the staged
// blobs (not from the working files, which may differ). Files the index
// deletes are gone and ignored; files staged unchanged are not read, so a
// rule judges only what this commit brings. root must lie in a git work
// tree; in a subdirectory only its files are read, named relative to it.
//
// Exclude globs, the skipped directories of a walk (vendor/, node_modules/,
// ...) and the size limit apply as in Scan. Symbolic links and submodules
// are not read. Git's environment is inherited, so in a hook run by
// `git commit -a` or `git commit PATH` the index git prepared
// (GIT_INDEX_FILE) is the one read.
func ScanStaged(ctx context.Context, root string, opts Options) (*Result, error) {
	if err := validExclude(opts.Exclude); err != nil {
		return nil, err
	}
	max := opts.MaxFileBytes
	if max == 0 {
		max = DefaultMaxFileBytes
	}
	entries, err := opts.Staged.entries(ctx, root)
	if err != nil {
		return nil, err
	}
	var files []stagedFile
	for _, e := range entries {
		if !stagedCandidate(e, opts) {
			continue
		}
		files = append(files, stagedFile{rel: e.rel, oid: e.oid})
	}
	if err := readBlobs(ctx, root, files, max); err != nil {
		return nil, err
	}
	outs, err := parseAll(ctx, len(files), func(i int) fileResult {
		if files[i].pre != nil {
			return *files[i].pre
		}
		return parseFileWith(files[i].rel, files[i].data, opts.parseOptions())
	})
	if err != nil {
		return nil, err
	}
	return merge(outs, nil, nil), nil
}

// StagedCandidates lists the staged files ScanStaged would read: the
// candidate policy files (by extension, outside the skipped directories,
// not excluded, regular files) the index adds or changes relative to HEAD.
// None means a staged run has no IAM, trust or secret facts from the
// repository. root must lie in a git work tree.
func StagedCandidates(ctx context.Context, root string, opts Options) ([]string, error) {
	if err := validExclude(opts.Exclude); err != nil {
		return nil, err
	}
	entries, err := opts.Staged.entries(ctx, root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if stagedCandidate(e, opts) {
			out = append(out, e.rel)
		}
	}
	return out, nil
}

// stagedCandidate reports whether ScanStaged reads a staged entry.
func stagedCandidate(e stagedEntry, opts Options) bool {
	if !candidateExts[strings.ToLower(path.Ext(e.rel))] || inSkippedDir(e.rel) || excluded(opts.Exclude, e.rel) {
		return false
	}
	// Regular files only: a symbolic link's blob is its target's name, a
	// submodule (160000) has no blob here.
	return e.mode == "100644" || e.mode == "100755"
}

type stagedEntry struct {
	mode, oid, rel string
}

type stagedFile struct {
	rel, oid string
	data     []byte
	// pre is the result decided while reading (an oversized blob).
	pre *fileResult
}

// StagedIndex is what the index adds or changes below a root, listed
// once for the callers of one run: a staged check asks both which
// families need compiling (StagedCandidates, in the background) and what
// to read (ScanStaged), and each listing costs two git processes on the
// path of a pre-commit hook. The index does not change while the hook
// runs (git holds its lock), so one listing serves both.
type StagedIndex struct {
	root string
	once sync.Once
	list []stagedEntry
	err  error
}

// NewStagedIndex returns the staged listing of root, made on first use.
func NewStagedIndex(root string) *StagedIndex { return &StagedIndex{root: root} }

// entries returns the staged entries below root: x's listing when x is
// of root, a fresh one otherwise (x nil, or of another root).
func (x *StagedIndex) entries(ctx context.Context, root string) ([]stagedEntry, error) {
	if x == nil || x.root != root {
		return stagedEntries(ctx, root)
	}
	x.once.Do(func() { x.list, x.err = stagedEntries(ctx, root) })
	return x.list, x.err
}

// stagedEntries lists what the index adds, copies, modifies or changes
// the type of relative to HEAD (to the empty tree before the first
// commit), below root, with the staged blob's mode and object id. Rename
// detection is off, so a renamed file is its new path, added.
func stagedEntries(ctx context.Context, root string) ([]stagedEntry, error) {
	// The listing and the question whether root lies in a work tree go to
	// git side by side: one after the other they were two of the three
	// git processes a pre-commit hook waits for in turn. Outside a work
	// tree git diff compares files instead (--no-index; in a .git
	// directory it even lists the index), so the listing counts only
	// when git.Describe (asked once for what the run needs of the
	// repository) says root is in one.
	type listing struct {
		out []byte
		err error
	}
	listed := make(chan listing, 1)
	go func() {
		out, err := gitOutput(ctx, root,
			"diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv",
			"--relative", "--diff-filter=ACMT")
		listed <- listing{out, err}
	}()
	repo, err := git.Describe(ctx, root)
	l := <-listed
	var ge *git.Error
	switch {
	case errors.Is(err, git.ErrNoWorkTree) || (err == nil && !repo.InWorkTree):
		return nil, fmt.Errorf("%s is not in a git work tree, so nothing is staged", root)
	case errors.As(err, &ge):
		return nil, fmt.Errorf("git %s in %s: %s", ge.Args[0], root, ge.Reason())
	case err != nil:
		return nil, err
	}
	out, err := l.out, l.err
	if err != nil {
		return nil, err
	}
	// -z records: ":srcmode dstmode srcoid dstoid status\x00path\x00".
	var entries []stagedEntry
	fields := bytes.Split(out, []byte{0})
	for i := 0; i+1 < len(fields); i += 2 {
		meta := strings.Fields(strings.TrimPrefix(string(fields[i]), ":"))
		if len(meta) != 5 {
			return nil, fmt.Errorf("git diff --cached: unexpected output %q", fields[i])
		}
		if strings.Trim(meta[3], "0") == "" {
			continue // no blob in the index
		}
		entries = append(entries, stagedEntry{mode: meta[1], oid: meta[3], rel: string(fields[i+1])})
	}
	return entries, nil
}

// readBlobs reads the staged blobs with one git cat-file --batch. A blob
// over max is not held in memory: its head decides whether it is an input
// error (it looks like a policy) or a skip, as for a working file.
func readBlobs(ctx context.Context, root string, files []stagedFile, max int64) error {
	if len(files) == 0 {
		return nil
	}
	var in bytes.Buffer
	for _, f := range files {
		in.WriteString(f.oid)
		in.WriteByte('\n')
	}
	cmd := git.Command(ctx, root, "cat-file", "--batch")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	rerr := readBatch(bufio.NewReaderSize(stdout, 64<<10), files, max)
	if rerr != nil {
		_, _ = io.Copy(io.Discard, stdout) // let git finish writing
	}
	werr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("git cat-file: %s", git.Or(git.Message(stderr.String()), werr))
	}
	return rerr
}

func readBatch(r *bufio.Reader, files []stagedFile, max int64) error {
	for i := range files {
		f := &files[i]
		header, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("git cat-file: reading %s: %w", f.rel, err)
		}
		parts := strings.Fields(header)
		if len(parts) != 3 || parts[0] != f.oid {
			return fmt.Errorf("git cat-file: staged blob of %s: unexpected answer %q", f.rel, strings.TrimSpace(header))
		}
		size, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("git cat-file: staged blob of %s: bad size in %q", f.rel, strings.TrimSpace(header))
		}
		body := io.LimitReader(r, size)
		if max > 0 && size > max {
			res := oversized(body, f.rel, size, max)
			f.pre = &res
			if _, err := io.Copy(io.Discard, body); err != nil {
				return fmt.Errorf("git cat-file: reading %s: %w", f.rel, err)
			}
		} else {
			f.data = make([]byte, size)
			if _, err := io.ReadFull(body, f.data); err != nil {
				return fmt.Errorf("git cat-file: reading %s: %w", f.rel, err)
			}
		}
		if b, err := r.ReadByte(); err != nil || b != '\n' {
			return fmt.Errorf("git cat-file: staged blob of %s: output out of step", f.rel)
		}
	}
	return nil
}

// gitOutput runs git in dir and returns its standard output; a failure
// carries git's message ("not a git repository", ...) and the directory.
func gitOutput(ctx context.Context, dir string, args ...string) ([]byte, error) {
	out, err := git.Output(ctx, dir, args...)
	var ge *git.Error
	if errors.As(err, &ge) {
		return nil, fmt.Errorf("git %s in %s: %s", args[0], dir, ge.Reason())
	}
	return out, err
}

// inSkippedDir reports whether a slash-separated path lies below a
// directory a walk does not enter.
func inSkippedDir(rel string) bool {
	dirs := strings.Split(rel, "/")
	for _, d := range dirs[:len(dirs)-1] {
		if skipDirs[d] {
			return true
		}
	}
	return false
}
