package leaks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// commitTally accumulates a commit's entry during a scan; dirty when the
// detector found anything in it.
type commitTally struct {
	commitEntry
	dirty bool
}

// revListArgs lists the commits a range or history scan covers, in the
// order git log walks them.
func revListArgs(t Target) []string {
	if t.Scope.Kind == Range {
		return []string{"rev-list", t.Git.Base + ".." + t.Git.Head}
	}
	return []string{"rev-list", "--all"}
}

// cachedCommits looks up every commit of the scope in the cache, counts
// the clean ones as scanned, and returns those still to scan.
func (s *Scanner) cachedCommits(ctx context.Context, t Target, c *collector) ([]string, error) {
	out, err := gitText(ctx, t.Root, revListArgs(t)...)
	if err != nil {
		return nil, fmt.Errorf("list the commits: %w", err)
	}
	var pending []string
	for _, sha := range strings.Fields(out) {
		p, hit := c.cache.lookup(commitKey(t.Git.Prefix, sha, s.maxBytes()))
		var e commitEntry
		if hit && json.Unmarshal(p, &e) != nil {
			hit = false // a corrupt entry is a miss
			c.cache.unused()
		}
		if !hit {
			pending = append(pending, sha)
			continue
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
	}
	return pending, nil
}

// storeCommits saves the clean commits of a completed scan of pending.
func (s *Scanner) storeCommits(t Target, c *collector, pending []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sha := range pending {
		var e commitEntry
		if tl := c.tally[sha]; tl != nil {
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
