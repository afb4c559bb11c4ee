// Package leaks finds leaked secrets in a repository: in the working tree,
// in what is staged for the next commit, in the commits of a range (a pull
// request) or in the whole history.
//
// It owns three things the rest of secretgate relies on:
//
//   - Scopes (Scope, Resolve, Target): which text is scanned. The git scopes
//     ask real git, so what is scanned is what git records.
//   - The engine seam (Detector): an engine turns one Fragment of text into
//     Matches. Gitleaks adapts the gitleaks v8 engine (its config, detect and
//     sources packages); another engine can be added beside it without
//     touching scopes, redaction or callers.
//   - Redaction: the raw text of a match never leaves this package.
//     Scanner.Scan returns Findings holding at most the first four
//     characters of a secret (Redact); the raw text is used only in memory,
//     to compare it in constant time with live secret values (LiveValues).
package leaks

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fragment is a piece of text to scan and where it came from.
type Fragment struct {
	// Path is slash-separated and relative to the scan root.
	Path string
	Text string
	// StartLine is the line number of Text's first line in the file.
	StartLine int
	// Commit is the commit that added Text; nil outside commit scopes.
	Commit *Commit
}

// Commit identifies the commit that added a fragment.
type Commit struct {
	SHA    string
	Author string
	Email  string
}

// Detector is a leak-detection engine.
type Detector interface {
	// Detect returns the secrets in one fragment. Lines are absolute
	// (Fragment.StartLine already added).
	Detect(ctx context.Context, f Fragment) []Match
}

// pathSkipper is implemented by detectors that exclude whole paths, so that
// the working-tree walk need not read them.
type pathSkipper interface {
	SkipPath(path string) bool
}

// Match is one secret a Detector found. Its raw text is reachable only
// through an unexported function value: fmt prints a func as an address
// whatever the verb (a struct or pointer field would be printed, unredacted,
// by a %s of the Match), and encoding/json skips unexported fields.
type Match struct {
	RuleID      string
	Description string
	Line        int
	Column      int
	Entropy     float64
	raw         func() rawText
	// redacted is set instead of raw for a match taken from the cache,
	// which keeps only the redacted text.
	redacted string
}

// rawText is the matched text: secret is the part a rule captures (what is
// redacted and compared), match the whole match.
type rawText struct {
	secret, match string
}

// newMatchText wraps the raw text of a match for Match.raw.
func newMatchText(secret, match string) func() rawText {
	return func() rawText { return rawText{secret: secret, match: match} }
}

// text returns the raw text of a match; zero when the detector gave none.
func (m Match) text() rawText {
	if m.raw == nil {
		return rawText{}
	}
	return m.raw()
}

// Finding is a redacted leak, safe to hand to anything.
type Finding struct {
	RuleID      string
	Description string
	// Redacted is at most the first four characters of the secret followed
	// by "…"; empty for rules that match a file's path only.
	Redacted string
	Entropy  float64
	// File is slash-separated and relative to the scan root; Line and
	// Column are where the match starts.
	File   string
	Line   int
	Column int
	// Commit and Author are set in commit scopes (range and history): the
	// commit that added the secret.
	Commit string
	Author string
	// Fingerprint is gitleaks' "file:rule:line", or "commit:file:rule:line"
	// when a commit is known; .gitleaksignore lists these.
	Fingerprint string
	// LiveSecret names the secret whose live value equals the match.
	LiveSecret string
	// NameReference says what the match names when it is a reference to a
	// secret, not a secret (Scanner.References): "credential name" for
	// the name of a credential in the configuration file. "" otherwise.
	NameReference string
}

// Skip is a file not scanned, by design: binary, too large, unreadable.
type Skip struct {
	Path   string
	Reason string
}

// Result is what a scan found.
type Result struct {
	Findings []Finding
	// Files counts the files (working tree, staged) or file changes
	// (range, history) whose text was scanned.
	Files int
	// Commits counts the commits with changes scanned (range, history).
	Commits int
	// Bytes is the amount of text scanned.
	Bytes int64
	// Ignored counts findings dropped by .gitleaksignore.
	Ignored int
	// Skipped lists files not scanned, each path once, sorted.
	Skipped []Skip
	// Problems lists parts of the work that could not be done although the
	// scan itself ran (the live-value comparison failing): the findings
	// are valid, but the check is not complete.
	Problems []string
	// Cache says what the cache did; zero without one.
	Cache CacheStats
}

// DefaultMaxFileBytes is the safety limit when Scanner.MaxFileBytes is 0.
// Files below it are scanned whatever their size, in chunks as gitleaks
// does (gitleaks itself has no limit). A text file above it (or a commit
// adding more text than it to a file) is not scanned, and the scan is
// incomplete (Result.Problems): a leak scan does not pass over text.
const DefaultMaxFileBytes int64 = 1 << 30

// Scanner scans targets with a detector.
type Scanner struct {
	// DistrustAddedAllow makes a commit range's scan (a pull request)
	// report matches on lines the range adds even when the line carries
	// an inline gitleaks:allow marker: the change under review cannot
	// allow its own leaks. Other scopes honour the marker, as gitleaks does.
	DistrustAddedAllow bool
	Detector           Detector
	// Ignore holds .gitleaksignore fingerprints.
	Ignore Ignore
	// Live, when set, supplies live secret values; findings whose raw text
	// equals one get Finding.LiveSecret.
	Live LiveValues
	// MaxFileBytes is the safety limit above which a text file is not
	// scanned and makes the scan incomplete (binary files and archives
	// are skipped at any size): 0 means DefaultMaxFileBytes, negative
	// means no limit.
	MaxFileBytes int64
	// References are places that name secrets (the configuration's
	// credentials); a match that is such a name is marked, not dropped:
	// Finding.NameReference.
	References []NameReference
	// Workers is the number of fragments scanned in parallel; 0 means
	// GOMAXPROCS.
	Workers int
	// CacheDir, when set, holds the cache of scan results (see cache.go)
	// for the working-tree, range and history scopes. It is used only
	// with a detector that implements rulesetIdentifier.
	CacheDir string
	// CacheEntries bounds the entries of a cache file; 0 means
	// DefaultCacheEntries.
	CacheEntries int
	// Progress, when set, is told how far the scan is: files in the
	// working tree, commits in a range or history.
	Progress Counter
	// OnMatch, when set, is called when the scan finds a match — before
	// ignore files and allowlists have had their say, possibly many times
	// and from several goroutines. A run uses it to start work that only
	// findings need (compiling the policies) while the scan goes on.
	OnMatch func()
	// now is the clock the cache's racy-file rule reads (fileStamp);
	// nil means time.Now. Tests move it forward to store stamps of files
	// they have just written.
	now func() time.Time
	// prefetched is the staged patch stream Prefetch started, taken by
	// the scan that follows.
	prefetched *patchStream
}

// Counter receives a scan's progress: the number of files or commits to
// scan when it is known, and each one done. It must be safe for
// concurrent use.
type Counter interface {
	SetTotal(n int)
	Add(n int)
}

type noCounter struct{}

func (noCounter) SetTotal(int) {}
func (noCounter) Add(int)      {}

// progress is the scan's Counter, never nil.
func (s *Scanner) progress() Counter {
	if s.Progress == nil {
		return noCounter{}
	}
	return s.Progress
}

// scanGCPercent is the garbage collector's target during long scans.
const scanGCPercent = 50

// Scan scans the target's scope. The error is for scans that could not run
// or were interrupted (git failing, ctx cancelled); files that cannot be
// read end up in Result.Skipped.
func (s *Scanner) Scan(ctx context.Context, t Target) (*Result, error) {
	if s.Detector == nil {
		return nil, fmt.Errorf("leak scan: no detector")
	}
	if t.Scope.Kind != Staged && os.Getenv("GOGC") == "" {
		// A long scan churns through 100 kB chunks and their lower-case
		// and decoded copies: collecting garbage at half the default
		// growth keeps the peak memory near gitleaks' own (about a sixth
		// less) for some 8% more CPU time. GOGC, when set, decides.
		defer debug.SetGCPercent(debug.SetGCPercent(scanGCPercent))
	}
	c := &collector{skipped: map[string]string{}, commits: map[string]bool{},
		disarmAllow: s.DistrustAddedAllow && t.Scope.Kind == Range, onMatch: s.OnMatch}
	if t.Scope.Kind != Staged {
		c.cache = s.openCache(t.Scope.Kind == Range, c.disarmAllow)
	}
	var err error
	switch t.Scope.Kind {
	case WorkingTree:
		err = s.scanTree(ctx, t, c)
	case Staged, Range, History:
		err = s.scanPatches(ctx, t, c)
	default:
		err = fmt.Errorf("unknown scope %d", t.Scope.Kind)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if h := c.history; h != nil && len(c.problems) == 0 {
		if tips := h.tips(); len(tips) > 0 {
			c.cache.replace(h.key, c.summary(tips).encode())
		}
	}
	res := s.finish(ctx, c)
	if c.cache != nil {
		c.cache.save()
		res.Cache = c.cache.stats
	}
	return res, nil
}

// disarmedSignature has the length of gitleaks' inline allow marker, so
// that positions in a fragment stay where they were.
const disarmedSignature = "gitleaks-allow"

// disarmAllow makes the inline allow markers in text hide nothing.
func disarmAllow(text string) string {
	if !strings.Contains(text, gitleaksAllowSignature) {
		return text
	}
	return strings.ReplaceAll(text, gitleaksAllowSignature, disarmedSignature)
}

// openCache opens the cache of the detector's rule set; nil without a
// cache directory or with a detector whose results cannot be cached.
func (s *Scanner) openCache(rangeScope, disarmAllow bool) *cache {
	id, ok := s.Detector.(rulesetIdentifier)
	if s.CacheDir == "" || !ok {
		return nil
	}
	ruleset := id.RulesetID()
	if rangeScope {
		// A range reads the printable text of binary changes, which
		// history skips: a commit clean in history is not clean here.
		ruleset += "+range"
	}
	if disarmAllow {
		// A commit clean because of a marker is not clean here.
		ruleset += "+added-allow-distrusted"
	}
	return openCache(s.CacheDir, ruleset, s.CacheEntries)
}

func (s *Scanner) maxBytes() int64 {
	switch {
	case s.MaxFileBytes == 0:
		return DefaultMaxFileBytes
	case s.MaxFileBytes < 0:
		return 0
	}
	return s.MaxFileBytes
}

func (s *Scanner) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// found is a match with its place, still holding the raw text.
type found struct {
	Match
	path   string
	commit *Commit
}

// collector gathers matches and counts from concurrent workers.
type collector struct {
	// disarmAllow: the added lines' gitleaks:allow markers hide nothing
	// (Scanner.DistrustAddedAllow in a range).
	disarmAllow bool
	mu          sync.Mutex
	found       []found
	files       int
	bytes       int64
	commits     map[string]bool
	skipped     map[string]string
	// problems are text not scanned (above the safety limit): the scan
	// is incomplete.
	problems []string
	// cache is nil when results are not cached; tally then holds the
	// state of each commit of a range or history scan (commitTally).
	cache *cache
	tally map[string]*commitTally
	// listed counts the commits git rev-list listed; history is set in a
	// history scan with a cache, summary* count what its summary covered
	// (historycache.go).
	listed                     int
	history                    *historyRun
	summarySeen, summaryListed int
	// onMatch is Scanner.OnMatch.
	onMatch func()
}

func (c *collector) add(f Fragment, ms []Match) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tl := c.tallyOf(f.Commit); tl != nil && len(ms) > 0 {
		tl.found = true
	}
	for _, m := range ms {
		c.found = append(c.found, found{Match: m, path: f.Path, commit: f.Commit})
	}
	if len(ms) > 0 && c.onMatch != nil {
		c.onMatch()
	}
}

func (c *collector) scanned(n int64) { c.scannedIn(nil, n) }

// scannedIn counts a file (change) of a commit as scanned.
func (c *collector) scannedIn(commit *Commit, n int64) {
	c.mu.Lock()
	c.files++
	c.bytes += n
	if tl := c.tallyOf(commit); tl != nil {
		tl.Files++
		tl.Bytes += n
	}
	c.mu.Unlock()
}

func (c *collector) skip(path, reason string) { c.skipIn(nil, path, reason) }

// skipIn records a file of a commit as not scanned.
func (c *collector) skipIn(commit *Commit, path, reason string) {
	c.mu.Lock()
	if _, ok := c.skipped[path]; !ok {
		c.skipped[path] = reason
	}
	if tl := c.tallyOf(commit); tl != nil {
		tl.Skips = append(tl.Skips, [2]string{path, reason})
	}
	c.mu.Unlock()
}

// incomplete records text that could not be scanned: the result is not a
// pass. The commit, if any, is not cached.
func (c *collector) incomplete(commit *Commit, problem string) {
	c.mu.Lock()
	c.problems = append(c.problems, problem)
	if tl := c.tallyOf(commit); tl != nil {
		tl.dirty = true
	}
	c.mu.Unlock()
}

// finish applies .gitleaksignore, compares with live values, redacts and
// sorts. After it returns, no raw text is referenced by the result.
func (s *Scanner) finish(ctx context.Context, c *collector) *Result {
	res := &Result{Files: c.files, Bytes: c.bytes, Commits: len(c.commits) + c.summarySeen}
	sort.Strings(c.problems)
	res.Problems = append(res.Problems, c.problems...)
	kept := c.found[:0]
	fps := make([]string, 0, len(c.found))
	for _, f := range c.found {
		sha := ""
		if f.commit != nil {
			sha = f.commit.SHA
		}
		fp, ignored := s.Ignore.match(sha, f.path, f.RuleID, f.Line)
		if ignored {
			res.Ignored++
			continue
		}
		kept = append(kept, f)
		fps = append(fps, fp)
	}
	var live []string
	if s.Live != nil {
		var err error
		if live, err = matchLive(ctx, s.Live, kept); err != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("compare with live secret values: %v", err))
		}
	}
	refs := newReferenceIndex(s.References)
	res.Findings = make([]Finding, 0, len(kept))
	for i, f := range kept {
		out := Finding{
			RuleID:      f.RuleID,
			Description: f.Description,
			Entropy:     f.Entropy,
			File:        f.path,
			Line:        f.Line,
			Column:      f.Column,
			Fingerprint: fps[i],
		}
		out.Redacted = Redact(f.text().secret)
		if f.raw == nil && f.redacted != "" {
			out.Redacted = f.redacted
		}
		if f.commit != nil {
			out.Commit, out.Author = f.commit.SHA, f.commit.Author
		}
		if live != nil {
			out.LiveSecret = live[i]
		}
		out.NameReference = refs.describe(f)
		res.Findings = append(res.Findings, out)
	}
	clear(c.found) // drop the raw texts as early as possible
	sort.Slice(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Commit < b.Commit
	})
	for p, why := range c.skipped {
		res.Skipped = append(res.Skipped, Skip{Path: p, Reason: why})
	}
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	return res
}
