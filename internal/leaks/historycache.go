package leaks

import (
	"context"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/git"
)

// A warm history scan still listed every commit (git rev-list --all) and
// looked each up: on a history of 5,000 commits, rev-list alone took
// 55 ms, the floor of any scan that lists them. The history summary
// spares that walk. After a complete scan it records tips from which
// exactly the commits the scan covered are reachable, and what their scan
// came to: counts, skipped files, matches (redacted, as a commit's entry
// keeps them). The next scan lists only the commits the refs reach and
// the recorded tips do not (git rev-list --all ^tip…), and adds the
// summary for the rest.
//
// That is exact when every recorded tip is still reachable from the refs:
// the commits reachable now are then those the summary covers and those
// listed. A recorded tip that is not (a branch deleted or rewritten, an
// object pruned) makes the summary unusable, and the
// scan lists every commit, as does a run that needs the raw text of
// matches (live values, references). (A shallow clone, where deepening
// would make more commits reachable from the same tips, is refused by
// the history scope.) The summary is keyed by
// the repository's object directory, the scan root's path in it and the
// size limit; it lives in the rule set's cache file, like every entry.

// historyRun is a history scan's summary key, the tips of the summary it
// used, and the commits it listed with their parents.
type historyRun struct {
	key     cacheKey
	known   []string
	listed  []string
	parents map[string]bool
}

// list records a commit git rev-list listed, and its parents.
func (h *historyRun) list(sha string, parents []string) {
	if h == nil {
		return
	}
	h.listed = append(h.listed, sha)
	for _, p := range parents {
		h.parents[p] = true
	}
}

// tips are the tips of the summary it used and the commits it listed,
// less those a listed commit has as parent: the commits reachable from
// them are those the summary covered and those listed (every listed
// commit is a ref's, or a listed commit's parent), and the tips do not
// grow with each new commit on a branch.
func (h *historyRun) tips() []string {
	var tips []string
	for _, list := range [][]string{h.known, h.listed} {
		for _, sha := range list {
			if !h.parents[sha] {
				tips = append(tips, sha)
			}
		}
	}
	slices.Sort(tips)
	return slices.Compact(tips)
}

// historySummary is what a complete history scan came to.
type historySummary struct {
	// Tips are the commits the scan started from, sorted.
	Tips []string
	// Listed counts the commits listed; Seen those with a file listed
	// (commitEntry.Seen).
	Listed, Seen int
	Files        int
	Bytes        int64
	Skips        [][2]string
	Found        []summaryMatch
}

// summaryMatch is a match of the history, as a commit entry keeps it,
// with its commit.
type summaryMatch struct {
	SHA, Author string
	cachedCommitMatch
}

func historyKey(t Target, maxBytes int64) cacheKey {
	return newCacheKey("history-summary", t.Git.Objects, t.Git.Prefix, strconv.FormatInt(maxBytes, 10))
}

// encode lays the summary out as commitEntry.encode does: each number a
// varint, each string its length then its bytes.
func (h historySummary) encode() []byte {
	b := binary.AppendUvarint(nil, uint64(len(h.Tips)))
	for _, tip := range h.Tips {
		b = appendString(b, tip)
	}
	b = binary.AppendUvarint(b, uint64(h.Listed))
	b = binary.AppendUvarint(b, uint64(h.Seen))
	b = binary.AppendUvarint(b, uint64(h.Files))
	b = binary.AppendUvarint(b, uint64(h.Bytes))
	b = appendSkips(b, h.Skips)
	b = binary.AppendUvarint(b, uint64(len(h.Found)))
	for _, m := range h.Found {
		b = appendMatch(appendString(appendString(b, m.SHA), m.Author), m.cachedCommitMatch)
	}
	return b
}

// decode reverses encode; a summary that does not decode whole is an
// error (it is then not used).
func (h *historySummary) decode(p []byte) error {
	d := entryDecoder{p: p}
	*h = historySummary{}
	if n := d.count(1); n > 0 {
		h.Tips = make([]string, n)
		for i := range h.Tips {
			h.Tips[i] = d.string()
		}
	}
	h.Listed, h.Seen, h.Files, h.Bytes = d.int(), d.int(), d.int(), d.int64()
	h.Skips = d.skips()
	if n := d.count(2 + matchMinBytes); n > 0 {
		h.Found = make([]summaryMatch, n)
		for i := range h.Found {
			m := &h.Found[i]
			m.SHA, m.Author = d.string(), d.string()
			m.cachedCommitMatch = d.match()
		}
	}
	if d.bad || len(d.p) != 0 || len(h.Tips) == 0 {
		*h = historySummary{}
		return errCommitEntry
	}
	return nil
}

// summaryUsable tells whether every tip of the summary is reachable from
// the refs: git rev-list lists none of them that the refs do not reach
// (revisions read on standard input are not negated by --not). Any
// failure (a recorded tip pruned since) says no.
func summaryUsable(ctx context.Context, t Target, sum historySummary) bool {
	cmd := git.Command(ctx, t.Root, "rev-list", "-n", "1", "--not", "--all", "--stdin")
	cmd.Stdin = strings.NewReader(revisions(sum.Tips, nil))
	out, err := cmd.Output()
	return err == nil && len(strings.TrimSpace(string(out))) == 0
}

// revisions is git rev-list --stdin's input for the commits reachable
// from include and not from exclude.
func revisions(include, exclude []string) string {
	var b strings.Builder
	for _, sha := range include {
		b.WriteString(sha + "\n")
	}
	for _, sha := range exclude {
		b.WriteString("^" + sha + "\n")
	}
	return b.String()
}

// applySummary counts what the summary covers as scanned and adds its
// matches.
func (c *collector) applySummary(sum historySummary) {
	c.mu.Lock()
	c.summarySeen += sum.Seen
	c.summaryListed += sum.Listed
	c.files += sum.Files
	c.bytes += sum.Bytes
	c.mu.Unlock()
	c.cache.hits(sum.Listed)
	for _, sk := range sum.Skips {
		c.skip(sk[0], sk[1])
	}
	commits := map[string]*Commit{}
	for _, m := range sum.Found {
		commit := commits[m.SHA]
		if commit == nil {
			commit = &Commit{SHA: m.SHA, Author: m.Author}
			commits[m.SHA] = commit
		}
		c.add(Fragment{Path: m.Path, Commit: commit}, []Match{m.match()})
	}
}

// summary is what the collector holds after a complete history scan
// from tips, as the next scan is to take it.
func (c *collector) summary(tips []string) historySummary {
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := historySummary{Tips: tips, Listed: c.summaryListed + c.listed, Seen: c.summarySeen + len(c.commits),
		Files: c.files, Bytes: c.bytes}
	for path, why := range c.skipped {
		sum.Skips = append(sum.Skips, [2]string{path, why})
	}
	slices.SortFunc(sum.Skips, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	for _, f := range c.found {
		if f.commit == nil {
			continue
		}
		sum.Found = append(sum.Found, summaryMatch{SHA: f.commit.SHA, Author: f.commit.Author,
			cachedCommitMatch: cachedCommitMatch{Path: f.path, cachedMatch: toCachedMatch(f.Match)}})
	}
	return sum
}
