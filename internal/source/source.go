// Package source reads the repository side of secretgate's input: it walks
// a repository and turns IAM policy documents, CloudFormation templates
// (JSON and YAML), Terraform plan JSON and secretgate inventory snapshots
// into facts, each remembering the file and line it came from.
//
// Files are recognised by content, not by name: every *.json, *.yaml,
// *.yml and *.template file is parsed and sniffed (see Kind). Files of no
// known kind are ignored silently. A malformed file is reported in
// Result.Errors with file, line and reason, and the scan goes on; binary,
// oversized and non-UTF-8 files are skipped and listed in Result.Skipped.
package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safefile"
)

// DefaultMaxFileBytes is the size above which files are skipped unread.
const DefaultMaxFileBytes int64 = 10 << 20

// Options tune a scan.
type Options struct {
	// Exclude holds doublestar globs ("**" crosses directories) matched
	// against paths relative to the root with forward slashes. A glob
	// without a slash also matches the base name at any depth, as in
	// .gitignore: "*.generated.json" excludes such files everywhere. A
	// matching directory is not entered.
	Exclude []string
	// MaxFileBytes skips larger files; 0 means DefaultMaxFileBytes and a
	// negative value means no limit.
	MaxFileBytes int64
	// CloudFormationParameters are parameter values for every
	// CloudFormation template that declares them (over their Default),
	// as a stack's parameters file gives them (the AWS CLI's --parameters
	// JSON, see LoadCloudFormationParameters). Pseudo parameters
	// (AWS::AccountId, AWS::Region) may be given too.
	CloudFormationParameters map[string]string
	// TerraformVarFiles are extra .tfvars files (relative to the root)
	// applied to every Terraform root module, as terraform -var-file.
	TerraformVarFiles []string
	// Staged, when set, is the list of staged files StagedCandidates and
	// ScanStaged read, made once for both (NewStagedIndex); nil lists
	// them on each call.
	Staged *StagedIndex
}

// Result is what a scan found.
type Result struct {
	Roles    []facts.Role
	Policies []facts.Policy
	Secrets  []facts.Secret
	// Files counts the files read that were of a known kind, malformed or
	// not.
	Files int
	// Skipped lists files not read by design: binary, oversized, not
	// UTF-8, template markup, symbolic links leaving the root.
	Skipped []result.InputProblem
	// Errors lists files that could not be parsed, or parts of them that
	// could not be understood; the run is incomplete when there are any.
	Errors []result.InputProblem
	// Kinds counts files by kind (KindIAMPolicy, ...), for summaries.
	Kinds map[Kind]int
	// NotJudged lists infrastructure projects secretgate cannot read as
	// written (a CDK app without its cdk.out, a Pulumi project, ...), by
	// project file, with the command that would make them judgeable (see
	// iac.go). Their roles and secrets were not judged: never a pass.
	NotJudged []result.InputProblem
}

// skipDirs are directory names never entered: version control metadata,
// dependency trees and tool caches hold copies of other people's files.
var skipDirs = map[string]bool{
	".git":              true,
	".hg":               true,
	".svn":              true,
	"node_modules":      true,
	"vendor":            true,
	".terraform":        true,
	".terragrunt-cache": true,
}

// candidateExts are the file name extensions that are read.
var candidateExts = map[string]bool{".json": true, ".yaml": true, ".yml": true, ".template": true}

// Scan walks root and parses every candidate file. The error is for
// problems that leave nothing to report (root missing or not a directory,
// an invalid exclude glob, ctx cancelled); problems with single files end
// up in the Result.
func Scan(ctx context.Context, root string, opts Options) (*Result, error) {
	if err := validExclude(opts.Exclude); err != nil {
		return nil, err
	}
	fi, err := os.Stat(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("repository root %s does not exist", root)
		}
		return nil, fmt.Errorf("repository root: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("repository root %s is not a directory", root)
	}
	max := opts.MaxFileBytes
	if max == 0 {
		max = DefaultMaxFileBytes
	}
	w := &walker{root: root, opts: opts}
	if w.realRoot, err = filepath.EvalSymlinks(root); err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	if w.realRoot, err = filepath.Abs(w.realRoot); err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	if err := w.walk(ctx); err != nil {
		return nil, err
	}
	outs, err := parseAll(ctx, len(w.files), func(i int) fileResult { return readAndParse(w.realRoot, w.files[i], max, opts.parseOptions()) })
	if err != nil {
		return nil, err
	}
	tf, n, tfSkipped, err := scanTerraformHCL(ctx, w.realRoot, w.tfDirs, opts)
	if err != nil {
		return nil, err
	}
	res := merge(append(outs, tf), append(w.skipped, tfSkipped...), w.errors)
	if n > 0 {
		res.Files += n
		res.Kinds[KindTerraformHCL] += n
	}
	read := make(map[string]Kind, len(outs))
	for i, o := range outs {
		if o.kind != KindUnknown {
			read[w.files[i].rel] = o.kind
		}
	}
	if n > 0 {
		// Terraform configurations are read by directory (module).
		for _, files := range w.tfDirs {
			for _, f := range files {
				if rel, err := filepath.Rel(w.realRoot, f); err == nil {
					read[filepath.ToSlash(rel)] = KindTerraformHCL
				}
			}
		}
	}
	res.NotJudged = w.iac.notJudged(ctx, w.realRoot, read)
	return res, nil
}

// parseAll runs parse for 0..n-1 in parallel, one at a time per CPU.
// Results are kept by index, so the output does not depend on scheduling.
// Once ctx is done no further file is started.
func parseAll(ctx context.Context, n int, parse func(i int) fileResult) ([]fileResult, error) {
	outs := make([]fileResult, n)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			outs[i] = parse(i)
			return nil
		})
	}
	_ = g.Wait() // parse reports problems in its result, never as an error
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return outs, nil
}

// merge joins the files' results, in order, with the problems found
// before parsing.
func merge(outs []fileResult, skipped, errs []result.InputProblem) *Result {
	res := &Result{
		Roles:    []facts.Role{},
		Policies: []facts.Policy{},
		Secrets:  []facts.Secret{},
		Skipped:  skipped,
		Errors:   errs,
		Kinds:    map[Kind]int{},
	}
	for _, o := range outs {
		if o.kind != KindUnknown {
			res.Files++
			res.Kinds[o.kind]++
		}
		res.Roles = append(res.Roles, o.roles...)
		res.Policies = append(res.Policies, o.policies...)
		res.Secrets = append(res.Secrets, o.secrets...)
		if o.skip != nil {
			res.Skipped = append(res.Skipped, *o.skip)
		}
		res.Skipped = append(res.Skipped, o.skips...)
		res.Errors = append(res.Errors, o.errs...)
	}
	sortProblems(res.Skipped)
	sortProblems(res.Errors)
	return res
}

func validExclude(globs []string) error {
	for _, g := range globs {
		if !doublestar.ValidatePattern(g) {
			return fmt.Errorf("invalid exclude pattern %q", g)
		}
	}
	return nil
}

func sortProblems(ps []result.InputProblem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

type candidate struct {
	abs string // path to open
	rel string // slash-separated path relative to the root
}

type walker struct {
	root     string
	realRoot string
	opts     Options
	files    []candidate
	// tfDirs holds Terraform configuration files (.tf, .tf.json) by
	// directory: they are read as modules, not one by one.
	tfDirs  map[string][]string
	skipped []result.InputProblem
	errors  []result.InputProblem
	iac     iacTracker
}

func (w *walker) walk(ctx context.Context) error {
	return filepath.WalkDir(w.realRoot, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, rerr := filepath.Rel(w.realRoot, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if rel == "." {
				return fmt.Errorf("repository root: %w", err)
			}
			w.errors = append(w.errors, result.InputProblem{File: rel, Message: "cannot read: " + unwrapPathError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if skipDirs[d.Name()] || w.excluded(rel) || w.iac.skipDir(p, d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if w.excluded(rel) {
			return nil
		}
		w.iac.noteFile(rel)
		tfConfig := isTerraformConfig(d.Name())
		if (!candidateExts[strings.ToLower(path.Ext(d.Name()))] && !tfConfig) || w.iac.skipFile(p, d.Name()) {
			return nil
		}
		switch typ := d.Type(); {
		case typ&fs.ModeSymlink != 0:
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				return nil //nolint:nilerr // a dangling link: nothing to read
			}
			if abs, err := filepath.Abs(target); err != nil || !within(w.realRoot, abs) {
				w.skipped = append(w.skipped, result.InputProblem{File: rel, Message: "symbolic link to a file outside the repository, not followed"})
				return nil //nolint:nilerr // reported as skipped
			}
			st, err := os.Stat(target)
			if err != nil {
				return nil //nolint:nilerr // vanished meanwhile: nothing to read
			}
			if !st.Mode().IsRegular() && !st.IsDir() {
				w.skipped = append(w.skipped, result.InputProblem{File: rel, Message: "symbolic link to " + special(st.Mode()) + ", not a regular file; not read"})
				return nil
			}
			if !st.Mode().IsRegular() {
				return nil // a link to a directory: not entered, as WalkDir does
			}
		case !typ.IsRegular():
			// A FIFO would block the read, a device never end it.
			w.skipped = append(w.skipped, result.InputProblem{File: rel, Message: special(typ) + ", not a regular file; not read"})
			return nil
		}
		if tfConfig {
			w.addTerraform(p)
			return nil
		}
		w.files = append(w.files, candidate{abs: p, rel: rel})
		return nil
	})
}

// special names a file type that is not a regular file.
func special(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}

func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

func (w *walker) excluded(rel string) bool { return excluded(w.opts.Exclude, rel) }

// excluded reports whether one of the exclude globs matches rel.
func excluded(globs []string, rel string) bool {
	base := path.Base(rel)
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, rel); ok {
			return true
		}
		if !strings.Contains(g, "/") {
			if ok, _ := doublestar.Match(g, base); ok {
				return true
			}
		}
	}
	return false
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readAndParse reads one candidate within the size limit and parses it.
// The file is opened through safefile, which checks again what the walk
// saw: a file swapped for a FIFO, a device or a link out of root since is
// skipped, and the open itself never blocks.
func readAndParse(root string, c candidate, max int64, po parseOptions) (out fileResult) {
	f, _, err := safefile.Open(root, c.abs)
	var se *safefile.Error
	if errors.As(err, &se) {
		return skipped(c.rel, se.Msg)
	}
	if err != nil {
		return fileResult{errs: []result.InputProblem{{File: c.rel, Message: "cannot read: " + unwrapPathError(err)}}}
	}
	defer f.Close()
	size := int64(0)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	if max > 0 && size > max {
		return oversized(f, c.rel, size, max)
	}
	var r io.Reader = f
	if max > 0 {
		r = io.LimitReader(f, max+1)
	}
	data, err := readAll(r, size)
	if err != nil {
		return fileResult{errs: []result.InputProblem{{File: c.rel, Message: "cannot read: " + unwrapPathError(err)}}}
	}
	if max > 0 && int64(len(data)) > max {
		return skipped(c.rel, fmt.Sprintf("file is over the %s limit", safefile.HumanBytes(max)))
	}
	return parseFileWith(c.rel, data, po)
}

// readAll is io.ReadAll into a buffer of the file's size (one more byte,
// to see the end), instead of one grown, copied and cleared again and
// again: a snapshot of 10,000 secrets is megabytes. The size is only a
// hint; a file that grew meanwhile is still read to its end.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > 1<<30 {
		return io.ReadAll(r)
	}
	buf := make([]byte, size+1)
	n, err := io.ReadFull(r, buf)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return buf[:n], nil
	case err != nil:
		return nil, err
	}
	rest, err := io.ReadAll(r) // the file grew
	return append(buf[:n], rest...), err
}

// kindMarkers are strings whose presence near the start of a file says it
// is one of the kinds secretgate judges.
var kindMarkers = [][]byte{
	[]byte("AWSTemplateFormatVersion"), []byte("AWS::"), []byte(`"format_version"`),
	[]byte(`"Statement"`), []byte("secretgate/inventory/"), []byte("AssumeRolePolicyDocument"),
}

// oversized decides what a file over the size limit means. One that looks
// like a template, plan, policy or snapshot could not be judged: that is an
// input error, and the run is incomplete, never a pass. Anything else is
// skipped by design.
func oversized(r io.Reader, rel string, size, max int64) fileResult {
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	// A marker in ASCII, or spelled in UTF-16/32 (looksLikePolicy).
	policyLike := looksLikePolicy(head)
	for _, m := range kindMarkers {
		policyLike = policyLike || bytes.Contains(head, m)
	}
	if policyLike {
		return fileResult{errs: []result.InputProblem{{File: rel, Message: fmt.Sprintf(
			"file is %s, over the %s limit, and looks like a template, plan, policy or snapshot: it was not judged (raise max_file_size in .secretgate.yml, or exclude the file)",
			safefile.HumanBytes(size), safefile.HumanBytes(max))}}}
	}
	return skipped(rel, fmt.Sprintf("file is %s, over the %s limit", safefile.HumanBytes(size), safefile.HumanBytes(max)))
}

func skipped(rel, msg string) fileResult {
	return fileResult{skip: &result.InputProblem{File: rel, Message: msg}}
}

// addTerraform records a Terraform configuration file under its directory.
func (w *walker) addTerraform(p string) {
	if w.tfDirs == nil {
		w.tfDirs = map[string][]string{}
	}
	dir := filepath.Dir(p)
	w.tfDirs[dir] = append(w.tfDirs[dir], p)
}
