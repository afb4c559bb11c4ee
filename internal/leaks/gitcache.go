package leaks

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/git"
)

// commitEntry is what the cache keeps of a clean commit: enough to report
// it as a scan would, without the patch.
type commitEntry struct {
	// Seen: git log listed at least one file of the commit (merges and
	// commits that only delete list none and are not counted).
	Seen  bool        `json:"seen,omitempty"`
	Files int         `json:"files,omitempty"`
	Bytes int64       `json:"bytes,omitempty"`
	Skips [][2]string `json:"skips,omitempty"`
}

// commitTally accumulates a commit's entry during a scan; dirty when it
// is not to be cached as clean, found when the detector matched
// something in it.
type commitTally struct {
	commitEntry
	dirty, found bool
}

// foundKey marks a commit in which the detector matched something: such
// a commit is scanned again each time (only clean results are cached),
// and its matches are certain, so a run that lists it starts the work
// that findings need (Scanner.OnMatch) before git has printed a patch.
func foundKey(prefix, sha string, maxBytes int64) cacheKey {
	return newCacheKey("commit-found", prefix, sha, strconv.FormatInt(maxBytes, 10))
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

// pendingCommits are the commits of a scope the cache does not know
// clean, in git rev-list's order: the ordinary ones (one parent or none)
// and the merges, whose patches different git log commands print
// (patchCommands).
type pendingCommits struct {
	ordinary, merges []string
}

func (p pendingCommits) len() int { return len(p.ordinary) + len(p.merges) }

// all returns every pending commit, ordinary ones first.
func (p pendingCommits) all() []string {
	return append(slices.Clip(p.ordinary), p.merges...)
}

// cachedCommits looks up every commit of the scope in the cache, counts
// the clean ones as scanned, and returns those still to scan. The
// commits are looked up as git rev-list prints them, while it walks the
// rest of the history.
func (s *Scanner) cachedCommits(ctx context.Context, t Target, c *collector) (pendingCommits, error) {
	args := revListArgs(t)
	cmd := git.Command(ctx, t.Root, args...)
	stderr := &limitedBuffer{max: 64 << 10}
	cmd.Stderr = stderr
	var pending pendingCommits
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return pending, fmt.Errorf("list the commits: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return pending, fmt.Errorf("list the commits: git %s: %w", args[0], err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		sha, merge := revListLine(lines.Text())
		if sha == "" || s.cachedCommit(t, c, sha) {
			continue
		}
		if merge {
			pending.merges = append(pending.merges, sha)
		} else {
			pending.ordinary = append(pending.ordinary, sha)
		}
	}
	rerr := lines.Err()
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

// revListLine reads a line of git rev-list --parents, "commit parent…": a
// merge has two parents or more (an octopus merge more than two), a root
// commit or a shallow clone's boundary commit none.
func revListLine(line string) (sha string, merge bool) {
	sha, parents, _ := strings.Cut(strings.TrimSpace(line), " ")
	return sha, strings.Contains(strings.TrimSpace(parents), " ")
}

// cachedCommit counts a commit the cache knows clean as scanned; false
// when it is to be scanned.
func (s *Scanner) cachedCommit(t Target, c *collector, sha string) bool {
	p, hit := c.cache.lookup(commitKey(t.Git.Prefix, sha, s.maxBytes()))
	var e commitEntry
	if hit && json.Unmarshal(p, &e) != nil {
		hit = false // a corrupt entry is a miss
		c.cache.unused()
	}
	if !hit {
		if _, found := c.cache.get(foundKey(t.Git.Prefix, sha, s.maxBytes())); found && c.onMatch != nil {
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
	return true
}

// storeCommits saves the clean commits of a completed scan of pending.
func (s *Scanner) storeCommits(t Target, c *collector, pending []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sha := range pending {
		var e commitEntry
		if tl := c.tally[sha]; tl != nil {
			if tl.found {
				c.cache.put(foundKey(t.Git.Prefix, sha, s.maxBytes()), nil)
			}
			if tl.dirty {
				continue
			}
			e = tl.commitEntry
		}
		p, err := json.Marshal(e)
		if err != nil {
			continue
		}
		c.cache.store(commitKey(t.Git.Prefix, sha, s.maxBytes()), p)
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
