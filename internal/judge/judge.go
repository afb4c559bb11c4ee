// Package judge reads a run's judge from a place the change under review
// does not control.
//
// The judge is every file that decides what a finding is and whether it
// fails the run: the configuration (.secretgate.yml: waivers, fail_on,
// exclude, …), the Rego policy directories it names, and gitleaks'
// .gitleaks.toml (with the file its [extend] names) and .gitleaksignore.
// A local, pre-commit or nightly run reads them from the checkout: whoever
// owns the working tree chooses the judge. A run over a range BASE..HEAD —
// a pull request — reads them from BASE with Open, so that a pull request
// cannot switch off the gate that judges it; Changed lists the judge files
// the change edits, and Compare says what the change's own judge would
// have done differently.
//
// Files are read from git's object store, never through the file system:
// a judge file that is a symbolic link, a submodule or larger than
// MaxFileBytes at BASE is refused, whatever the checkout holds.
package judge

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/secretgate/secretgate/internal/git"
	"github.com/secretgate/secretgate/internal/safefile"
	"gopkg.in/yaml.v3"
)

// FixedFiles are the judge files at fixed places, relative to the
// repository root. The policy directories and a gitleaks [extend] file
// come from what these say (Base.Extract).
var FixedFiles = []string{".secretgate.yml", ".secretgate.yaml", ".gitleaks.toml", ".gitleaksignore"}

// MaxFileBytes caps one judge file read from a commit.
const MaxFileBytes = 8 << 20

// Base is the judge as a commit holds it, extracted into a temporary
// directory at the files' repository paths, so the loaders that take a
// root directory read it the way they read a checkout.
type Base struct {
	// Dir holds the extracted files; it is removed by Close.
	Dir string
	// Commit is the full id of the commit the files were read from.
	Commit string
	repo   string
	files  []string // extracted, repository-relative, slash-separated
}

// Open resolves rev in the repository at repo and extracts the fixed
// judge files it holds. A file the commit does not hold is simply absent
// (the defaults apply), as in a checkout.
func Open(ctx context.Context, repo, rev string) (*Base, error) {
	out, err := git.Output(ctx, repo, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("read the judge at %s: the commit is not in this clone (a shallow clone needs fetch-depth: 0, or git fetch origin %s): %w", rev, rev, err)
	}
	if err := reachedDirectly(ctx, repo); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "secretgate-judge-")
	if err != nil {
		return nil, fmt.Errorf("read the judge at %s: %w", rev, err)
	}
	b := &Base{Dir: dir, Commit: strings.TrimSpace(string(out)), repo: repo}
	if err := b.Extract(ctx, FixedFiles...); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// reachedDirectly refuses a checked directory reached through a symbolic
// link inside the repository (--path app, where the change under review
// made app a link to legacy/): git would read the base's judge of the
// link's target, a directory the change chose.
func reachedDirectly(ctx context.Context, dir string) error {
	out, err := git.Output(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("read the judge: %s is not in a git repository: %w", dir, err)
	}
	top := strings.TrimSpace(string(out))
	path := filepath.Clean(dir)
	for range 40 { // links followed outside the repository, at most
		next, err := linkInside(path, top)
		if err != nil {
			return fmt.Errorf("read the judge: %s is reached through the symbolic link %s inside the repository, so its judge would be the link target's: give the directory the link points to", dir, err.Error())
		}
		if next == "" {
			return nil
		}
		path = next
	}
	return nil
}

// linkInside walks path up to the repository's top: a symbolic link on
// the way that lies inside the repository is an error naming it; one
// outside it (the user's own) gives the path it leads to, to walk again.
func linkInside(path, top string) (next string, err error) {
	for d := path; ; d = filepath.Dir(d) {
		if real, err := filepath.EvalSymlinks(d); err == nil && real == top {
			return "", nil
		}
		if fi, lerr := os.Lstat(d); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			parent, perr := filepath.EvalSymlinks(filepath.Dir(d))
			if rel, rerr := filepath.Rel(top, parent); perr == nil && rerr == nil && filepath.IsLocal(rel) || parent == top {
				return "", errors.New(d)
			}
			target, rerr := os.Readlink(d)
			if rerr != nil {
				return "", nil //nolint:nilerr // an unreadable link: git itself will fail on it
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(parent, target)
			}
			rest, _ := filepath.Rel(d, path)
			return filepath.Join(target, rest), nil
		}
		if d == filepath.Dir(d) {
			return "", nil
		}
	}
}

// Short is the commit's abbreviated id, for messages.
func (b *Base) Short() string {
	if len(b.Commit) > 12 {
		return b.Commit[:12]
	}
	return b.Commit
}

// Files lists the extracted judge files, repository-relative.
func (b *Base) Files() []string { return append([]string(nil), b.files...) }

// Close removes the extracted files.
func (b *Base) Close() error { return os.RemoveAll(b.Dir) }

// Rel maps a path inside Dir to its repository path; ok is false for a
// path outside Dir (a policy directory outside the repository, which the
// change under review cannot edit).
func (b *Base) Rel(p string) (rel string, ok bool) {
	r, err := filepath.Rel(b.Dir, p)
	if err != nil || !filepath.IsLocal(r) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// Explain rewrites the temporary directory in err's text as the commit
// ("<commit>:.secretgate.yml:3:1: …"), so an error names what the user can
// find. The error chain is kept.
func (b *Base) Explain(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.ReplaceAll(err.Error(), b.Dir+string(filepath.Separator), b.Short()+":")
	return &explained{msg: msg, err: err}
}

type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// Extract adds judge paths read at the same commit: files, or directories
// (every file below them). A path the commit does not hold is skipped.
func (b *Base) Extract(ctx context.Context, paths ...string) error {
	var specs []string
	for _, p := range paths {
		p = path.Clean(filepath.ToSlash(p))
		if !filepath.IsLocal(p) || p == "." {
			return fmt.Errorf("read the judge at %s: %q is not a path inside the repository", b.Short(), p)
		}
		// A literal pathspec: a name with glob characters means itself.
		specs = append(specs, ":(literal)"+p)
	}
	if len(specs) == 0 {
		return nil
	}
	// Paths are the checked directory's (repo may be a subdirectory of
	// the repository, as with --path svc): ls-tree takes and gives them
	// relative to where it runs, as diff does in Changed.
	args := append([]string{"ls-tree", "-r", "-z", b.Commit, "--"}, specs...)
	out, err := git.Output(ctx, b.repo, args...)
	if err != nil {
		return fmt.Errorf("read the judge at %s: %w", b.Short(), err)
	}
	entries, err := parseTree(out)
	if err != nil {
		return fmt.Errorf("read the judge at %s: %w", b.Short(), err)
	}
	var blobs []treeEntry
	for _, e := range entries {
		switch e.mode {
		case "100644", "100755":
			blobs = append(blobs, e)
		case "120000":
			return fmt.Errorf("read the judge at %s: %s is a symbolic link; a judge file must be a regular file in the repository", b.Short(), e.path)
		default: // a submodule ("160000"): not a file of this repository
			return fmt.Errorf("read the judge at %s: %s is a submodule, not a file of this repository", b.Short(), e.path)
		}
	}
	return b.write(ctx, blobs)
}

type treeEntry struct {
	mode, object, path string
}

// parseTree reads `git ls-tree -r -z` output: "<mode> <type> <object>\t<path>\0".
func parseTree(out []byte) ([]treeEntry, error) {
	var es []treeEntry
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 3 {
			return nil, fmt.Errorf("unexpected git ls-tree output %q", rec)
		}
		if !filepath.IsLocal(string(p)) {
			return nil, fmt.Errorf("git ls-tree names %q, outside the repository", p)
		}
		es = append(es, treeEntry{mode: f[0], object: f[2], path: string(p)})
	}
	return es, nil
}

// write copies the blobs into Dir through one `git cat-file --batch`.
func (b *Base) write(ctx context.Context, blobs []treeEntry) error {
	if len(blobs) == 0 {
		return nil
	}
	var in bytes.Buffer
	for _, e := range blobs {
		in.WriteString(e.object + "\n")
	}
	cmd := git.Command(ctx, b.repo, "cat-file", "--batch")
	cmd.Stdin = &in
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("read the judge at %s: %w", b.Short(), err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("read the judge at %s: %w", b.Short(), err)
	}
	werr := b.readBatch(bufio.NewReader(stdout), blobs)
	if werr != nil {
		_ = cmd.Process.Kill()
	}
	if err := cmd.Wait(); werr == nil && err != nil {
		werr = fmt.Errorf("git cat-file: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if werr != nil {
		return fmt.Errorf("read the judge at %s: %w", b.Short(), werr)
	}
	return nil
}

func (b *Base) readBatch(r *bufio.Reader, blobs []treeEntry) error {
	for _, e := range blobs {
		header, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("git cat-file: %w", err)
		}
		f := strings.Fields(header)
		if len(f) != 3 || f[1] != "blob" {
			return fmt.Errorf("git cat-file: unexpected header %q for %s", strings.TrimSpace(header), e.path)
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return fmt.Errorf("git cat-file: unexpected header %q for %s", strings.TrimSpace(header), e.path)
		}
		if size > MaxFileBytes {
			return fmt.Errorf("%s is %d bytes, more than a judge file may be (%d)", e.path, size, MaxFileBytes)
		}
		data := make([]byte, size+1) // the content and its trailing newline
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("git cat-file: %s: %w", e.path, err)
		}
		dst := filepath.Join(b.Dir, filepath.FromSlash(e.path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data[:size], 0o600); err != nil {
			return err
		}
		b.files = append(b.files, e.path)
	}
	return nil
}

// Changed lists the files under the judge paths (repository-relative
// files or directories) that the change edits: those whose content differs
// between the checkout at repo and the point where its HEAD branched off
// the commit (the commit itself when HEAD descends from it) — edited,
// added (tracked or not) or deleted.
func (b *Base) Changed(ctx context.Context, paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	var specs []string
	for _, p := range paths {
		specs = append(specs, ":(literal)"+path.Clean(filepath.ToSlash(p)))
	}
	// What the change edits is measured from where it branched off: a
	// judge file the base branch changed since is not the change's doing
	// (a checkout of the pull request's head lacks it). For the merge
	// commit a pull request's run checks out, that point is the base.
	from := b.Commit
	if mb, err := git.Output(ctx, b.repo, "merge-base", b.Commit, "HEAD"); err == nil {
		from = strings.TrimSpace(string(mb))
	}
	diff, err := git.Output(ctx, b.repo, append([]string{"diff", "--no-renames", "--no-ext-diff", "--name-only", "-z", from, "--"}, specs...)...)
	if err != nil {
		return nil, fmt.Errorf("compare the judge with %s: %w", b.Short(), err)
	}
	untracked, err := git.Output(ctx, b.repo, append([]string{"ls-files", "-z", "--others", "--exclude-standard", "--"}, specs...)...)
	if err != nil {
		return nil, fmt.Errorf("compare the judge with %s: %w", b.Short(), err)
	}
	seen := map[string]bool{}
	var out []string
	for _, name := range bytes.Split(append(diff, untracked...), []byte{0}) {
		if n := string(name); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// ExtractReferenced adds the judge files the extracted ones name (see
// Referenced).
func (b *Base) ExtractReferenced(ctx context.Context, configRel string) error {
	// A file named by an extracted one can name another ([extend] in an
	// [extend] file): extract until nothing new is named.
	done := map[string]bool{}
	for range 3 {
		var todo []string
		for _, r := range Referenced(b.Dir, configRel) {
			if !done[r] {
				done[r] = true
				todo = append(todo, r)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		if err := b.Extract(ctx, todo...); err != nil {
			return err
		}
	}
	return nil
}

// Referenced lists the judge paths that the judge files in dir name: the
// policy directories of the configuration at configRel (repository-
// relative; "" for none) and the file a .gitleaks.toml [extend] path
// names. Names outside the repository are left out: the change under
// review cannot edit them. dir may be a checkout, whose files the change
// controls: they are read as regular files inside dir, within their caps
// (internal/safefile). Malformed or refused files name nothing here — the
// loaders that read them next say what is wrong.
func Referenced(dir, configRel string) []string {
	var refs []string
	if configRel != "" {
		if data, err := safefile.Read(context.Background(), dir, filepath.Join(dir, filepath.FromSlash(configRel)), safefile.MaxConfig); err == nil {
			var c struct {
				Policies   []string `yaml:"policies"`
				Parameters string   `yaml:"cloudformation_parameters"`
				VarFiles   []string `yaml:"terraform_var_files"`
			}
			if yaml.Unmarshal(data, &c) == nil {
				for _, p := range c.Policies {
					refs = appendLocal(refs, path.Join(path.Dir(configRel), filepath.ToSlash(p)))
				}
				// Parameter values change verdicts (a sub built from a
				// parameter): the file is part of the judge.
				if c.Parameters != "" {
					refs = appendLocal(refs, path.Join(path.Dir(configRel), filepath.ToSlash(c.Parameters)))
				}
				for _, v := range c.VarFiles {
					refs = appendLocal(refs, path.Join(path.Dir(configRel), filepath.ToSlash(v)))
				}
			}
		}
	}
	// gitleaks follows [extend] two levels deep; secretgate takes both
	// paths relative to the repository (internal/leaks).
	from := ".gitleaks.toml"
	for range 2 {
		next := extendPath(dir, filepath.Join(dir, from))
		if next == "" || filepath.IsAbs(next) {
			break
		}
		before := len(refs)
		refs = appendLocal(refs, filepath.ToSlash(next))
		if len(refs) == before {
			break
		}
		from = next
	}
	return refs
}

// extendPath is the [extend] path of the gitleaks configuration at file,
// a regular file inside dir ("" for none, or when it cannot be read).
func extendPath(dir, file string) string {
	data, err := safefile.Read(context.Background(), dir, file, safefile.MaxGitleaks)
	if err != nil {
		return ""
	}
	var g struct {
		Extend struct {
			Path string `toml:"path"`
		} `toml:"extend"`
	}
	if toml.Unmarshal(data, &g) != nil {
		return ""
	}
	return g.Extend.Path
}

// appendLocal appends p when it is a path inside the repository.
func appendLocal(refs []string, p string) []string {
	p = path.Clean(p)
	if p == "." || !filepath.IsLocal(p) {
		return refs
	}
	return append(refs, p)
}

// Paths lists every repository path that is part of the judge, at the base
// or in the checkout at checkout: the fixed files, the configuration at
// configRel, and what either side's judge files name. These are the paths
// Changed compares.
func (b *Base) Paths(checkout, configRel string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(ps ...string) {
		for _, p := range ps {
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	add(FixedFiles...)
	add(configRel)
	add(Referenced(b.Dir, configRel)...)
	add(Referenced(checkout, configRel)...)
	return out
}
