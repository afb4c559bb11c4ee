package leaks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/secretgate/secretgate/internal/git"
)

// commitTally accumulates a commit's entry during a scan; dirty when it
// is not to be cached (text not scanned), found when the detector matched
// something in it.
type commitTally struct {
	commitEntry
	dirty, found bool
}

// revListArgs lists the commits a range or history scan covers, in the
// order git log walks them, each with its parents (so that a merge is
// known as one before git log is asked for its patch).
func revListArgs(t Target) []string {
	if t.Scope.Kind == Range {
		return []string{"rev-list", "--parents", t.Git.Base + ".." + t.Git.Head}
	}
	return []string{"rev-list", "--parents", "--all"}
}

// pendingCommits are the commits of a scope the cache does not know, in
// git rev-list's order: the ordinary ones (one parent or none) and the
// merges, whose patches different git log commands print (patchCommands).
type pendingCommits struct {
	ordinary, merges []string
}

func (p pendingCommits) len() int { return len(p.ordinary) + len(p.merges) }

// all returns every pending commit, ordinary ones first.
func (p pendingCommits) all() []string {
	return append(slices.Clip(p.ordinary), p.merges...)
}

// cachedCommits looks up every commit of the scope in the cache, counts
// the known ones as scanned, and returns those still to scan. A history
// scan lists only the commits a usable history summary does not cover
// (historycache.go).
func (s *Scanner) cachedCommits(ctx context.Context, t Target, c *collector) (pendingCommits, error) {
	if t.Scope.Kind == History {
		c.history = &historyRun{key: historyKey(t, s.maxBytes()), parents: map[string]bool{}}
		var sum historySummary
		if p, ok := c.cache.get(c.history.key); ok && sum.decode(p) == nil && (len(sum.Found) == 0 || !s.needsRawText()) {
			// Whether the summary stands is asked while git lists the
			// commits it does not cover; those are looked up once it does.
			usable := make(chan bool, 1)
			go func() { usable <- summaryUsable(ctx, t, sum) }()
			cmd := git.Command(ctx, t.Root, "rev-list", "--parents", "--all", "--stdin")
			cmd.Stdin = strings.NewReader(revisions(nil, sum.Tips))
			out, err := cmd.Output()
			if <-usable && err == nil {
				c.applySummary(sum)
				c.history.known = sum.Tips
				pending, err := s.lookUpListed(t, c, bytes.NewReader(out))
				if err != nil {
					return pendingCommits{}, fmt.Errorf("list the commits: read the output of git rev-list: %w", err)
				}
				return pending, nil
			}
		}
	}
	return s.listCommits(ctx, t, c, revListArgs(t), "")
}

// listCommits runs git rev-list and looks up the commits as it prints
// them, while it walks the rest of the history.
func (s *Scanner) listCommits(ctx context.Context, t Target, c *collector, args []string, stdin string) (pendingCommits, error) {
	cmd := git.Command(ctx, t.Root, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	stderr := &limitedBuffer{max: 64 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return pendingCommits{}, fmt.Errorf("list the commits: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return pendingCommits{}, fmt.Errorf("list the commits: git %s: %w", args[0], err)
	}
	pending, rerr := s.lookUpListed(t, c, stdout)
	if rerr != nil {
		_, _ = io.Copy(io.Discard, stdout) // so that git can exit
	}
	werr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return pendingCommits{}, err
	}
	if werr != nil {
		return pendingCommits{}, fmt.Errorf("list the commits: %w", &git.Error{Args: args, Stderr: git.Message(stderr.String()), Err: werr})
	}
	if rerr != nil {
		return pendingCommits{}, fmt.Errorf("list the commits: read the output of git %s: %w", args[0], rerr)
	}
	return pending, nil
}

// lookUpListed looks up the commits git rev-list --parents lists in r.
func (s *Scanner) lookUpListed(t Target, c *collector, r io.Reader) (pendingCommits, error) {
	var pending pendingCommits
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		sha, parents := revListLine(lines.Text())
		if sha == "" {
			continue
		}
		c.listed++
		c.history.list(sha, parents)
		if s.cachedCommit(t, c, sha) {
			continue
		}
		if len(parents) > 1 {
			if len(pending.merges) == 0 {
				go remergeDiff() // asked while the rest is listed
			}
			pending.merges = append(pending.merges, sha)
		} else {
			pending.ordinary = append(pending.ordinary, sha)
		}
	}
	return pending, lines.Err()
}

// revListLine reads a line of git rev-list --parents, "commit parent…": a
// merge has two parents or more (an octopus merge more than two), a root
// commit or a shallow clone's boundary commit none.
func revListLine(line string) (sha string, parents []string) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "", nil
	}
	return fields[0], fields[1:]
}

// cachedCommit counts a commit the cache knows as scanned, and adds the
// matches the cache kept of it; false when it is to be scanned. A commit
// with matches is scanned again when the run needs their raw text (live
// values, references: Scanner.needsRawText); it then calls OnMatch while
// the commits are listed, so that what findings need starts before git
// has printed a patch.
func (s *Scanner) cachedCommit(t Target, c *collector, sha string) bool {
	p, hit := c.cache.lookup(commitKey(t.Git.Prefix, sha, s.maxBytes()))
	if !hit {
		return false
	}
	var e commitEntry
	if e.decode(p) != nil {
		c.cache.unused() // a corrupt entry is a miss
		return false
	}
	if len(e.Found) > 0 && s.needsRawText() {
		c.cache.unused()
		if c.onMatch != nil {
			c.onMatch()
		}
		return false
	}
	c.mu.Lock()
	if e.Seen {
		c.commits[sha] = true
	}
	c.files += e.Files
	c.bytes += e.Bytes
	c.mu.Unlock()
	for _, sk := range e.Skips {
		c.skip(sk[0], sk[1])
	}
	if len(e.Found) > 0 {
		commit := &Commit{SHA: sha, Author: e.Author}
		for _, m := range e.Found {
			c.add(Fragment{Path: m.Path, Commit: commit}, []Match{m.match()})
		}
	}
	return true
}

// storeCommits saves the commits of a completed scan of pending, each
// with its matches (redacted), but those with text not scanned.
func (s *Scanner) storeCommits(t Target, c *collector, pending []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	found := map[string][]cachedCommitMatch{}
	for _, f := range c.found {
		if f.commit == nil {
			continue
		}
		if tl := c.tally[f.commit.SHA]; tl != nil && tl.found {
			tl.Author = f.commit.Author
			found[f.commit.SHA] = append(found[f.commit.SHA], cachedCommitMatch{Path: f.path, cachedMatch: toCachedMatch(f.Match)})
		}
	}
	for _, sha := range pending {
		var e commitEntry
		if tl := c.tally[sha]; tl != nil {
			if tl.dirty {
				continue
			}
			e = tl.commitEntry
			e.Found = found[sha]
		}
		c.cache.store(commitKey(t.Git.Prefix, sha, s.maxBytes()), e.encode())
	}
}

// tallyOf returns the tally of a commit; nil when not caching. Callers
// hold c.mu.
func (c *collector) tallyOf(commit *Commit) *commitTally {
	if c.tally == nil || commit == nil {
		return nil
	}
	tl := c.tally[commit.SHA]
	if tl == nil {
		tl = &commitTally{commitEntry: commitEntry{Seen: true}}
		c.tally[commit.SHA] = tl
	}
	return tl
}
