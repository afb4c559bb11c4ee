package leaks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"

	"github.com/gitleaks/go-gitdiff/gitdiff"
	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/git"
)

// diffOptions make git's patch output the same whatever the user's git
// configuration says (colour, prefixes, external diff and textconv
// drivers would each break or change parsing), and make paths relative to
// the scan root. -U0: only added lines are scanned, as gitleaks does.
// --full-index: the blobs of a change git calls binary are read by their
// ids (binarypatch.go).
var diffOptions = []string{
	"-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--full-index",
	"--src-prefix=a/", "--dst-prefix=b/", "--relative",
}

// logOptions pin git log's commit header to the format the patch parser
// reads (full commit ids, no decorations, signatures or notes). Deleted
// files and type changes add nothing and are left out, as gitleaks does.
var logOptions = []string{
	"--pretty=medium", "--no-decorate", "--no-abbrev-commit", "--no-show-signature", "--no-notes",
	"--full-history", "--diff-filter=tuxdb",
}

// remergeDiff reports whether git has --remerge-diff (git 2.36 and
// later): what a merge commit itself changes, compared with merging its
// parents again. Without it git log -p prints nothing for a merge, and a
// key added in a merge commit (an "evil merge") would go unscanned, as it
// does in gitleaks.
var remergeDiff = sync.OnceValue(func() bool {
	out, err := git.Output(context.Background(), "", "version")
	if err != nil {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(strings.TrimPrefix(strings.TrimSpace(string(out)), "git version "), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 2 || major == 2 && minor >= 36
})

// patchCommands are the git command lines that print a scope's added
// lines; with stdin, of the commits listed on standard input (the ones
// not cached) instead of the scope's. A range or history with
// --remerge-diff is two commands run side by side: the ordinary commits'
// patches, and what the merges add beyond merging their parents again.
// Re-merging is git's dearest work (on pallets/flask about as much CPU
// time as every other patch together) and one git process does it on one
// core: split, the two halves of git's work overlap, and each commit is
// still printed once, by one of them.
//
// With stdin, git reads the commits to print; without merges among them,
// one command prints them all, and git's version is not asked.
func patchCommands(t Target, stdin, merges bool) [][]string {
	args := []string{"-c", "core.quotePath=false"}
	switch t.Scope.Kind {
	case Staged:
		args = append(args, "diff", "--cached")
		args = append(args, diffOptions...)
		return [][]string{args}
	case Range, History:
		args = append(args, "log", "-p")
		args = append(args, diffOptions...)
		args = append(args, logOptions...)
		switch {
		case stdin:
			args = append(args, "--no-walk=unsorted", "--stdin")
		case t.Scope.Kind == Range:
			args = append(args, t.Git.Base+".."+t.Git.Head)
		default:
			args = append(args, "--all")
		}
		if stdin && !merges || !remergeDiff() {
			// git log -p prints nothing for a merge.
			return [][]string{args}
		}
		return [][]string{
			append(slices.Clip(args), "--no-merges"),
			append(slices.Clip(args), "--merges", "--remerge-diff"),
		}
	}
	return nil
}

// patchRun is one git command of a scan and what it reads on standard
// input ("" for none).
type patchRun struct {
	args  []string
	stdin string
}

// patchRuns are the git commands that print the patches of a scope, or
// with a cache (caching) of the pending commits only: the ordinary
// commits to the command that prints theirs, the merges to the one that
// re-merges them, and a command with no commit to print is not started
// (a cache that knows every commit but a new one starts one git log).
func patchRuns(t Target, caching bool, pending pendingCommits) []patchRun {
	cmds := patchCommands(t, caching, len(pending.merges) > 0)
	if !caching {
		runs := make([]patchRun, len(cmds))
		for i, args := range cmds {
			runs[i] = patchRun{args: args}
		}
		return runs
	}
	lists := [][]string{pending.all()}
	if len(cmds) == 2 {
		// --no-merges, then --merges --remerge-diff (patchCommands)
		lists = [][]string{pending.ordinary, pending.merges}
	}
	var runs []patchRun
	for i, args := range cmds {
		if len(lists[i]) > 0 {
			runs = append(runs, patchRun{args: args, stdin: strings.Join(lists[i], "\n") + "\n"})
		}
	}
	return runs
}

// patchStream is one running git command whose patches are parsed as
// they stream in.
type patchStream struct {
	args   []string
	cmd    *exec.Cmd
	out    *eofReader
	stderr *limitedBuffer
	files  <-chan *gitdiff.File
	// cleanup removes the scratch object directory of a re-merging git
	// (scratch.go); nil when it has none.
	cleanup func()
}

func (ps *patchStream) clean() {
	if ps.cleanup != nil {
		ps.cleanup()
		ps.cleanup = nil
	}
}

// startPatches starts git with args in t.Root, feeding it stdin when set,
// and parses its output with gitleaks' patch parser.
func startPatches(ctx context.Context, t Target, args []string, stdin string) (*patchStream, error) {
	cmd := git.Command(ctx, t.Root, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	ps := &patchStream{args: args, cmd: cmd, stderr: &limitedBuffer{max: 64 << 10}}
	if slices.Contains(args, "--remerge-diff") {
		if env, cleanup, ok := remergeScratch(t.Git.Objects); ok {
			cmd.Env = append(os.Environ(), env...)
			ps.cleanup = cleanup
		}
	}
	cmd.Stderr = ps.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		ps.clean()
		return nil, fmt.Errorf("git %s: %w", args[2], err)
	}
	ps.out = &eofReader{r: stdout}
	if ps.files, err = gitdiff.Parse(ps.out); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		ps.clean()
		return nil, fmt.Errorf("read the output of git %s: %w", args[2], err)
	}
	return ps, nil
}

// finish drains what the parser left unread (so git can exit) and waits
// for git: an error when git failed or its output could not be parsed to
// the end (then the rest was not scanned, and the scan must not pass).
func (ps *patchStream) finish(ctx context.Context, commits int) error {
	for range ps.files {
		// After cancellation: let the parser finish so it does not leak.
	}
	complete := ps.out.eof
	if !complete {
		// The parser gave up on something it could not read.
		_, _ = io.Copy(io.Discard, ps.out)
	}
	werr := ps.cmd.Wait()
	ps.clean()
	if err := ctx.Err(); err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("git %s: %s", ps.args[2], git.Or(git.Message(ps.stderr.String()), werr))
	}
	if !complete {
		return fmt.Errorf("git %s: could not parse its output after %d commit(s); the rest was not scanned", ps.args[2], commits)
	}
	return nil
}

// mergeFiles fans the streams' files into one channel, closed when every
// stream has ended.
func mergeFiles(streams []*patchStream) <-chan *gitdiff.File {
	if len(streams) == 1 {
		return streams[0].files
	}
	out := make(chan *gitdiff.File)
	var wg sync.WaitGroup
	for _, ps := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range ps.files {
				out <- f
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// narrowMaxBytes bounds the added text of the commits a cache does not
// know that is held to narrow the detector (see scanPatches): narrowing
// looks for every rule's keywords in it, and in much text most are found.
var narrowMaxBytes int64 = deferMaxBytes

// patchJob is one file of one commit (or of the staged changes).
type patchJob struct {
	file   *gitdiff.File
	commit *Commit
}

// scanPatches runs git diff (staged) or git log -p (range, history),
// parses the patches as they stream in with gitleaks' patch parser and
// scans the added lines of each file in parallel.
func (s *Scanner) scanPatches(ctx context.Context, t Target, c *collector) error {
	if t.Git == nil {
		return fmt.Errorf("%s: not a git repository", t.Scope)
	}
	// With a cache, the commits of the scope are listed first and only
	// those the cache does not know are handed to git log.
	var pending pendingCommits
	caching := c.cache != nil && t.Scope.Kind != Staged
	if t.Scope.Kind != Staged && !caching {
		// Whether git can re-merge is asked while git starts; with a
		// cache, when a merge is listed (lookUpListed).
		go remergeDiff()
	}
	if caching {
		var err error
		if pending, err = s.cachedCommits(ctx, t, c); err != nil {
			return err
		}
		if pending.len() == 0 {
			return nil
		}
		c.tally = map[string]*commitTally{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var streams []*patchStream
	for _, run := range patchRuns(t, caching, pending) {
		ps, err := s.startOrPrefetched(ctx, t, run.args, run.stdin)
		if err != nil {
			cancel()
			for _, started := range streams {
				_ = started.finish(ctx, 0)
			}
			return err
		}
		streams = append(streams, ps)
	}
	files := mergeFiles(streams)

	// A staged scan knows all its text before scanning: it is collected
	// first, so that a narrower detector compiles only the rules that can
	// run on it (Narrow). So are the patches of the commits a cache does
	// not know, usually a few (the new ones, and those with findings), up
	// to narrowMaxBytes of added text: past that, what was held is
	// scanned with the whole detector, as is the rest. det is set before
	// the first file is handed to scan.
	det := s.Detector
	nr, narrow := det.(narrower)
	narrow = narrow && (t.Scope.Kind == Staged || caching)
	bounded := t.Scope.Kind != Staged
	var held []patchJob
	var heldBytes int64
	// The files are scanned as the parser yields them, s.workers() at a
	// time; g.Go waits for a free worker, so git's output is read no
	// faster than it is scanned.
	var g errgroup.Group
	g.SetLimit(s.workers())
	scan := func(j patchJob) {
		det := det // the narrowed detector, when it was narrowed before
		g.Go(func() error {
			s.scanPatch(ctx, det, j, c)
			return nil
		})
	}

	max := s.maxBytes()
	commits := map[string]*Commit{}
	prog := s.progress()
	if caching {
		prog.SetTotal(pending.len())
	}
	var binary []patchJob // scanned when text after all, see binarypatch.go
	for f := range files {
		before := len(commits)
		commit := commitOf(f.PatchHeader, commits)
		if len(commits) > before {
			prog.Add(1) // git log has moved on to the next commit
		}
		if caching {
			c.mu.Lock()
			c.tallyOf(commit) // listed, so counted, even if nothing is scanned
			c.mu.Unlock()
		}
		if f.IsDelete {
			continue
		}
		if f.IsBinary {
			binary = append(binary, patchJob{file: f, commit: commit})
			continue
		}
		n := addedBytes(f)
		if max > 0 && n > max {
			// Above the safety limit: not scanned, so the scan is
			// incomplete (git has already called binary files binary).
			why := "adds more text than leaks_max_file_size (" + sizeText(max) + ")"
			where := f.NewName
			if commit != nil {
				why += " in commit " + commit.SHA
				where += " in commit " + commit.SHA
			}
			c.skipIn(commit, f.NewName, why)
			c.incomplete(commit, fmt.Sprintf("%s: adds %s of text, more than leaks_max_file_size (%s), and was not scanned; raise leaks_max_file_size", where, sizeText(n), sizeText(max)))
			continue
		}
		if narrow && (!bounded || heldBytes+n <= narrowMaxBytes) {
			held = append(held, patchJob{file: f, commit: commit})
			heldBytes += n
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if narrow {
			// Too much text to narrow for: the whole detector, for what
			// was held too.
			narrow = false
			for _, j := range held {
				scan(j)
			}
			held = nil
		}
		scan(patchJob{file: f, commit: commit})
	}
	if narrow && len(held) > 0 && ctx.Err() == nil {
		var texts []string
		for _, j := range held {
			for _, tf := range j.file.TextFragments {
				if tf != nil {
					texts = append(texts, tf.Raw(gitdiff.OpAdd))
				}
			}
		}
		det = nr.Narrow(texts)
		for _, j := range held {
			if ctx.Err() != nil {
				break
			}
			scan(j)
		}
	}
	_ = g.Wait() // scanPatch records what it could not scan in c
	for range files {
		// After cancellation: let the parsers finish so they do not leak.
	}
	var errs []error
	for _, ps := range streams {
		if err := ps.finish(ctx, len(commits)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := s.scanBinaryChanges(ctx, t, binary, c); err != nil {
		return err
	}
	c.mu.Lock()
	for sha := range commits {
		c.commits[sha] = true
	}
	c.mu.Unlock()
	if caching {
		s.storeCommits(t, c, pending.all())
	}
	return nil
}

// scanPatch scans the added lines of one file, hunk by hunk, as gitleaks'
// git source does: one fragment per hunk starting at its new position.
func (s *Scanner) scanPatch(ctx context.Context, det Detector, j patchJob, c *collector) {
	var n int64
	for _, tf := range j.file.TextFragments {
		if tf == nil || ctx.Err() != nil {
			break
		}
		frag := Fragment{
			Path:      j.file.NewName,
			Text:      tf.Raw(gitdiff.OpAdd),
			StartLine: int(tf.NewPosition),
			Commit:    j.commit,
		}
		if c.disarmAllow {
			frag.Text = disarmAllow(frag.Text)
		}
		n += int64(len(frag.Text))
		c.add(frag, det.Detect(ctx, frag))
	}
	c.scannedIn(j.commit, n)
}

// commitOf returns the commit of a patch header, one *Commit per commit id.
func commitOf(h *gitdiff.PatchHeader, seen map[string]*Commit) *Commit {
	if h == nil || h.SHA == "" {
		return nil
	}
	if c, ok := seen[h.SHA]; ok {
		return c
	}
	c := &Commit{SHA: h.SHA}
	if h.Author != nil {
		c.Author, c.Email = h.Author.Name, h.Author.Email
	}
	seen[h.SHA] = c
	return c
}

func addedBytes(f *gitdiff.File) int64 {
	var n int64
	for _, tf := range f.TextFragments {
		if tf == nil {
			continue
		}
		for _, l := range tf.Lines {
			if l.Op == gitdiff.OpAdd {
				n += int64(len(l.Line))
			}
		}
	}
	return n
}

// eofReader remembers whether its reader reached the end.
type eofReader struct {
	r   io.Reader
	eof bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.eof = true
	}
	return n, err
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
