package leaks

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The cache remembers what was scanned and what it found, so that a second
// scan of a barely changed repository only scans what changed.
//
// What is cached: for a working-tree file, what the detector found in it,
// usually nothing: a file's findings (rule, line, column, entropy) are a
// function of its path and content alone. For a commit, what it added
// that the detector found (file, rule, line, column, entropy) and its
// author: a function of the commit id. Only the redacted text of a match
// is kept (the raw text never leaves memory), so with live values or
// references to compare (which need the raw text) a file or commit with
// findings is scanned again. Either way the findings then pass through
// this run's .gitleaksignore, live-value comparison and Rego as usual.
//
// Keys are content addresses, in a file per rule set (so a changed rule
// set never sees another's entries):
//
//   - a working-tree file: its path relative to the scan root and its git
//     blob id (SHA-1 of "blob <size>\x00" + content, as git hash-object
//     computes it). The path is part of the key because rules and
//     allowlists match on paths: the same content may be clean at one path
//     and a finding at another.
//   - a commit (range, history): its commit id, the scan root's path in the
//     repository (git log --relative) and the size limit. A commit id pins
//     every byte of the patch the commit adds, and its author. The entry
//     keeps the commit's counts, skipped files and matches, so a cached
//     scan reports the same.
//
// On disk: DIR/<rule set id>.leakcache, one file of binary records with a
// SHA-256 trailer. A file that does not verify is ignored (and rewritten).
// Writers write a temporary file and rename it over the old one, merging
// in what another run saved meanwhile, so concurrent runs never see a torn
// file; the worst a race costs is a lost entry, scanned again next time.
// Each file holds at most maxEntries entries (those used by the latest run
// are kept first); besides the rule set in use, the cache files of at most
// cacheKeepFiles-1 other rule sets are kept, none unused for cacheMaxAge.

const (
	cacheMagic     = "SGLEAKCACHE1\n"
	cacheSuffix    = ".leakcache"
	cacheKeepFiles = 4
	cacheMaxAge    = 30 * 24 * time.Hour
	// DefaultCacheEntries bounds a cache file: at 17 bytes and more an
	// entry, about 20 MB.
	DefaultCacheEntries = 1 << 20
)

// cacheKey is the first 16 bytes of the SHA-256 of what identifies a
// result.
type cacheKey [16]byte

func newCacheKey(parts ...string) cacheKey {
	n := 0
	for _, p := range parts {
		n += len(p) + 22
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = strconv.AppendInt(b, int64(len(p)), 10)
		b = append(b, ':')
		b = append(b, p...)
		b = append(b, 0)
	}
	sum := sha256.Sum256(b)
	var k cacheKey
	copy(k[:], sum[:])
	return k
}

// blobID is the id git gives a blob with this content.
func blobID(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// blobHasher computes a blob id from a stream of a known size.
type blobHasher struct {
	h    hash.Hash
	size int64
	n    int64
}

func newBlobHasher(size int64) *blobHasher {
	b := &blobHasher{h: sha1.New(), size: size}
	fmt.Fprintf(b.h, "blob %d\x00", size)
	return b
}

func (b *blobHasher) Write(p []byte) (int, error) {
	b.n += int64(len(p))
	return b.h.Write(p)
}

// id is the blob id; ok is false when the stream was not the size given
// (the file changed while it was read, or was not read to its end).
func (b *blobHasher) id() (string, bool) {
	return fmt.Sprintf("%x", b.h.Sum(nil)), b.n == b.size
}

func fileKey(rel, blob string) cacheKey { return newCacheKey("file", rel, blob) }

// A working-tree file whose stat stamp is unchanged since its result was
// stored is taken from the cache without being read, as git's index
// does: the stamp is the file's size, modification and change times (in
// nanoseconds) and its inode and device. Writing a file changes its change
// time, which no program can set back (touch -d and cp -p set back only
// the modification time), and replacing it changes its inode; so a file
// whose content changed has another stamp, save for one case, git's
// "racy" file: one written again within the timestamp resolution of the
// file system after its stamp was taken. A stamp is therefore stored only
// for a file whose times are older than racyWindow when the scan starts
// (every later write then moves its change time past the stored one), and
// a file with a younger stamp is read and hashed like any other. The scan
// root's absolute path and the file's path are part of the key, so a
// stamp is never taken for another checkout's file or another path's
// verdict.

// fileStamp is what the cache compares of a file without reading it.
type fileStamp struct {
	size, mtime, ctime int64
	ino, dev           uint64
}

// racyWindow is how much older than the scan a file's times must be for
// its stamp to be stored: above the coarsest common timestamp resolution
// (2 s on FAT) with room for a file system clock slightly ahead.
const racyWindow = 3 * time.Second

// stampKey is the key of a file's result by its stamp: newCacheKey of
// "stamp", root, rel and the stamp's numbers in decimal, made without
// allocating (it is made for every file of every scan of a tree).
func stampKey(root, rel string, st fileStamp) cacheKey {
	var buf [512]byte
	b := buf[:0]
	part := func(p string) {
		b = strconv.AppendInt(b, int64(len(p)), 10)
		b = append(b, ':')
		b = append(b, p...)
		b = append(b, 0)
	}
	number := func(digits []byte) {
		b = strconv.AppendInt(b, int64(len(digits)), 10)
		b = append(b, ':')
		b = append(b, digits...)
		b = append(b, 0)
	}
	part("stamp")
	part(root)
	part(rel)
	var num [24]byte
	for _, n := range []int64{st.size, st.mtime, st.ctime} {
		number(strconv.AppendInt(num[:0], n, 10))
	}
	for _, n := range []uint64{st.ino, st.dev} {
		number(strconv.AppendUint(num[:0], n, 10))
	}
	sum := sha256.Sum256(b)
	var k cacheKey
	copy(k[:], sum[:])
	return k
}

// settled reports whether a stamp may be stored: both times are older
// than the scan's start by racyWindow.
func (st fileStamp) settled(scanStart time.Time) bool {
	limit := scanStart.Add(-racyWindow).UnixNano()
	return st.mtime < limit && st.ctime < limit
}

// dirKey is the key of a directory's (or an excluded file's)
// path-allowlist verdict: whether the rule set's global allowlists exclude
// that path (a function of the rule set, which names the cache file, and
// of the path alone).
func dirKey(rel string) cacheKey { return newCacheKey("skip-dir", rel) }

// commitKey is the key of a commit's entry. "limit-error" marks entries
// made since text above maxBytes makes the scan incomplete (such a commit
// is not stored): an older entry could hold such text as a mere skip.
// "with-matches" marks the binary entries that keep a commit's matches
// (commitEntry.encode): older entries were JSON, of clean commits only.
func commitKey(prefix, sha string, maxBytes int64) cacheKey {
	return newCacheKey("commit", "limit-error", "with-matches", prefix, sha, strconv.FormatInt(maxBytes, 10))
}

// cachedMatch is a working-tree finding as the cache keeps it.
type cachedMatch struct {
	RuleID      string  `json:"rule"`
	Description string  `json:"description"`
	Line        int     `json:"line"`
	Column      int     `json:"column"`
	Entropy     float64 `json:"entropy"`
	Redacted    string  `json:"redacted,omitempty"`
}

// toCachedMatch is a match as the cache keeps it: redacted.
func toCachedMatch(m Match) cachedMatch {
	red := m.redacted
	if m.raw != nil {
		red = Redact(m.text().secret)
	}
	return cachedMatch{m.RuleID, m.Description, m.Line, m.Column, m.Entropy, red}
}

// match reverses toCachedMatch, as far as the cache knows the match: its
// raw text is gone.
func (cm cachedMatch) match() Match {
	return Match{RuleID: cm.RuleID, Description: cm.Description, Line: cm.Line, Column: cm.Column, Entropy: cm.Entropy, redacted: cm.Redacted}
}

// encodeMatches is the cache payload of a file's matches: nil when clean.
func encodeMatches(ms []Match) []byte {
	if len(ms) == 0 {
		return nil
	}
	out := make([]cachedMatch, 0, len(ms))
	for _, m := range ms {
		out = append(out, toCachedMatch(m))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	return b
}

// decodeMatches reverses encodeMatches.
func decodeMatches(p []byte) ([]Match, error) {
	if len(p) == 0 {
		return nil, nil
	}
	var cms []cachedMatch
	if err := json.Unmarshal(p, &cms); err != nil {
		return nil, err
	}
	out := make([]Match, 0, len(cms))
	for _, cm := range cms {
		out = append(out, cm.match())
	}
	return out, nil
}

// CacheStats says what the cache did in one scan. The unit is a file in
// the working tree, a commit in the range and history scopes; the staged
// scope is not cached.
type CacheStats struct {
	// Hits were results taken from the cache, not scanned again.
	Hits int
	// Stamped counts the hits taken by a working-tree file's stat stamp,
	// without reading the file (see fileStamp).
	Stamped int
	// Summarized counts the hits a history summary covered, commits not
	// even listed (see historySummary).
	Summarized int
	// Misses were looked up, not found, and scanned.
	Misses int
	// Stored is the number of new results saved.
	Stored int
	// Err is why the cache could not be read or saved (the scan itself
	// is unaffected); empty when all went well.
	Err string
}

// cache is one rule set's cache file, loaded in memory for a scan.
type cache struct {
	path       string
	maxEntries int

	mu  sync.Mutex
	old *cacheEntries // loaded from disk
	// oldUsed marks the entries of old this run used.
	oldUsed []bool
	// loaded is the file old was read from, as it was then: save reads
	// the file again only when another run has replaced it since.
	loaded os.FileInfo
	fresh  map[cacheKey][]byte // entries this run added or replaced
	added  int
	stats  CacheStats
}

// DefaultCacheDir is where the cache lives when --cache-dir is not given:
// the user's cache directory (XDG_CACHE_HOME or ~/.cache on Linux,
// ~/Library/Caches on macOS) /secretgate/leaks.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "secretgate", "leaks"), nil
}

// openCache loads the cache of a rule set from dir. A missing, unreadable
// or corrupt file is an empty cache.
func openCache(dir, ruleset string, maxEntries int) *cache {
	if maxEntries <= 0 {
		maxEntries = DefaultCacheEntries
	}
	c := &cache{
		path:       filepath.Join(dir, ruleset+cacheSuffix),
		maxEntries: maxEntries,
	}
	old, info, err := readCacheFile(c.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.stats.Err = err.Error()
	}
	c.old, c.loaded = old, info
	c.oldUsed = make([]bool, old.len())
	c.fresh = map[cacheKey][]byte{}
	return c
}

// current returns the entry of k this run sees, marking an entry read
// from disk as used. Callers hold c.mu.
func (c *cache) current(k cacheKey) ([]byte, bool) {
	if p, ok := c.fresh[k]; ok {
		return p, true
	}
	if i, ok := c.old.find(k); ok {
		c.oldUsed[i] = true
		return c.old.payload(i), true
	}
	return nil, false
}

// inUse tells whether k has an entry this run added or used. Callers
// hold c.mu.
func (c *cache) inUse(k cacheKey) bool {
	if _, ok := c.fresh[k]; ok {
		return true
	}
	i, ok := c.old.find(k)
	return ok && c.oldUsed[i]
}

// lookup returns the payload of a file's or commit's result.
func (c *cache) lookup(k cacheKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.current(k)
	if ok {
		c.stats.Hits++
	} else {
		c.stats.Misses++
	}
	return p, ok
}

// get returns an entry that is not a file's or commit's result (stamps,
// path verdicts): it leaves the statistics alone.
func (c *cache) get(k cacheKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current(k)
}

// put records an entry that get returns, leaving the statistics alone.
func (c *cache) put(k cacheKey, payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inUse(k) {
		return
	}
	c.fresh[k] = payload
	c.added++
}

// replace records an entry that get returns, in place of the one it
// returned, leaving the statistics alone; an unchanged entry is not
// saved again.
func (c *cache) replace(k cacheKey, payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.fresh[k]; ok && bytes.Equal(p, payload) {
		return
	}
	if i, ok := c.old.find(k); ok && bytes.Equal(c.old.payload(i), payload) {
		c.oldUsed[i] = true
		return
	}
	c.fresh[k] = payload
	c.added++
}

// hits counts n results taken from the cache at once (a history
// summary's commits).
func (c *cache) hits(n int) {
	c.mu.Lock()
	c.stats.Hits += n
	c.stats.Summarized += n
	c.mu.Unlock()
}

// hitStamped counts a result taken by its stamp (found with get) as a
// hit.
func (c *cache) hitStamped() {
	c.mu.Lock()
	c.stats.Hits++
	c.stats.Stamped++
	c.mu.Unlock()
}

// unused counts a hit that could not be used (a corrupt or unusable
// entry) as the miss it turned out to be.
func (c *cache) unused() {
	c.mu.Lock()
	c.stats.Hits--
	c.stats.Misses++
	c.mu.Unlock()
}

// store records a result.
func (c *cache) store(k cacheKey, payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inUse(k) {
		return
	}
	c.fresh[k] = payload
	c.added++
	c.stats.Stored++
}

// save writes the entries back when the scan added any. It merges in what
// another run wrote since this one read the file, and keeps the entries
// this run used when the file would grow beyond maxEntries.
func (c *cache) save() {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir := filepath.Dir(c.path)
	if c.added == 0 {
		// Mark the file as in use, so pruning keeps it.
		now := time.Now()
		_ = os.Chtimes(c.path, now, now)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.stats.Err = "save the cache: " + err.Error()
		return
	}
	// This run's entries first, then what another run saved meanwhile
	// (it replaced the file: cache files are never written in place,
	// writeCacheFile, so a file with the inode, size and modification
	// time of the one read is that file), then those read at the start,
	// up to maxEntries. The entries are listed, not copied into a map of
	// their own: a warm scan of a tree keeps tens of thousands.
	recs := make([]cacheRecord, 0, min(len(c.fresh)+c.old.len(), c.maxEntries))
	for k := range c.fresh {
		recs = append(recs, cacheRecord{key: k, from: fromFresh})
	}
	for i, used := range c.oldUsed {
		if len(recs) >= c.maxEntries {
			break
		}
		if k := c.old.key(i); used {
			if _, ok := c.fresh[k]; !ok {
				recs = append(recs, cacheRecord{key: k, from: fromOld, i: uint32(i)})
			}
		}
	}
	var onDisk *cacheEntries
	if info, err := os.Stat(c.path); err == nil && !sameFile(info, c.loaded) {
		onDisk, _, _ = readCacheFile(c.path)
	}
	for i := range onDisk.len() {
		if len(recs) >= c.maxEntries {
			break
		}
		if k := onDisk.key(i); !c.inUse(k) {
			recs = append(recs, cacheRecord{key: k, from: fromDisk, i: uint32(i)})
		}
	}
	for i, used := range c.oldUsed {
		if len(recs) >= c.maxEntries {
			break
		}
		if used {
			continue
		}
		k := c.old.key(i)
		if _, ok := c.fresh[k]; ok {
			continue
		}
		if _, ok := onDisk.find(k); !ok {
			recs = append(recs, cacheRecord{key: k, from: fromOld, i: uint32(i)})
		}
	}
	payload := func(r cacheRecord) []byte {
		switch r.from {
		case fromOld:
			return c.old.payload(int(r.i))
		case fromDisk:
			return onDisk.payload(int(r.i))
		}
		return c.fresh[r.key]
	}
	if err := writeCacheFile(c.path, recs, payload, c.maxEntries); err != nil {
		c.stats.Err = "save the cache: " + err.Error()
		return
	}
	pruneCache(dir, filepath.Base(c.path))
}

// sameFile reports whether a is the file b described, unchanged: the
// same inode, size and modification time.
func sameFile(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// readCacheFile reads and verifies a cache file, and says what the file
// was when it was read (nil when it could not be read). The payloads
// share the file's bytes.
func readCacheFile(path string) (*cacheEntries, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err := readAll(f, info.Size())
	if err != nil {
		return nil, nil, err
	}
	corrupt := fmt.Errorf("%s: not a valid cache file, ignored", path)
	if len(data) < len(cacheMagic)+sha256.Size || !bytes.HasPrefix(data, []byte(cacheMagic)) || len(data) > math.MaxUint32 {
		return nil, info, corrupt
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if want := sha256.Sum256(body); !bytes.Equal(want[:], sum) {
		return nil, info, corrupt
	}
	parsedCacheFile()
	entries, ok := indexRecords(body[len(cacheMagic):])
	if !ok {
		return nil, info, corrupt
	}
	return entries, info, nil
}

// cacheEntries are the records of a cache file (key, size, payload), in
// key order as writeCacheFile writes them, looked up by binary search.
// Indexing a file is one pass that allocates one slice: a map of its
// entries, made on every run, was most of a warm scan's reading of the
// cache (a tree's file holds tens of thousands). A nil *cacheEntries has
// none.
type cacheEntries struct {
	body []byte
	offs []uint32 // where each record starts in body
}

// indexRecords indexes the records of a cache file's body; ok is false
// when the body is not a sequence of whole records in increasing key
// order.
func indexRecords(body []byte) (*cacheEntries, bool) {
	e := &cacheEntries{body: body}
	var prev []byte
	for off := 0; off < len(body); {
		rest := body[off:]
		if len(rest) < len(cacheKey{}) {
			return nil, false
		}
		key := rest[:len(cacheKey{})]
		if prev != nil && bytes.Compare(prev, key) >= 0 {
			return nil, false
		}
		size, w := binary.Uvarint(rest[len(key):])
		if w <= 0 || uint64(len(rest)-len(key)-w) < size {
			return nil, false
		}
		e.offs = append(e.offs, uint32(off))
		prev = key
		off += len(key) + w + int(size)
	}
	return e, true
}

func (e *cacheEntries) len() int {
	if e == nil {
		return 0
	}
	return len(e.offs)
}

func (e *cacheEntries) key(i int) (k cacheKey) {
	copy(k[:], e.body[e.offs[i]:])
	return k
}

func (e *cacheEntries) payload(i int) []byte {
	rest := e.body[int(e.offs[i])+len(cacheKey{}):]
	size, w := binary.Uvarint(rest)
	if size == 0 {
		return nil
	}
	return rest[w : w+int(size) : w+int(size)]
}

// find returns the index of k's entry.
func (e *cacheEntries) find(k cacheKey) (int, bool) {
	if e == nil {
		return 0, false
	}
	i, found := sort.Find(len(e.offs), func(i int) int {
		off := e.offs[i]
		return bytes.Compare(k[:], e.body[off:off+uint32(len(k))])
	})
	return i, found
}

// get returns k's payload.
func (e *cacheEntries) get(k cacheKey) ([]byte, bool) {
	i, ok := e.find(k)
	if !ok {
		return nil, false
	}
	return e.payload(i), true
}

// parsedCacheFile is called for every cache file parsed (a test counts).
var parsedCacheFile = func() {}

// cacheRecord is an entry to write: its key and where its payload is
// (the entry i of the file read at the start or of the one another run
// wrote since, or this run's entries), so that saving tens of thousands
// of entries neither copies more than their keys nor looks each up again.
type cacheRecord struct {
	key  cacheKey
	from uint8
	i    uint32
}

const (
	fromFresh = iota
	fromOld
	fromDisk
)

// writeCacheFile writes the records (at most max of them, the first in
// key order), each with its payload, to a temporary file in the same directory and renames it
// over path. recs is sorted in place.
func writeCacheFile(path string, recs []cacheRecord, payload func(cacheRecord) []byte, max int) error {
	slices.SortFunc(recs, func(a, b cacheRecord) int { return bytes.Compare(a.key[:], b.key[:]) })
	if len(recs) > max {
		recs = recs[:max]
	}
	var buf bytes.Buffer
	buf.Grow(len(cacheMagic) + len(recs)*(len(cacheKey{})+1) + sha256.Size)
	buf.WriteString(cacheMagic)
	var n [binary.MaxVarintLen64]byte
	for _, r := range recs {
		p := payload(r)
		buf.Write(r.key[:])
		buf.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		buf.Write(p)
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])

	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*"+cacheSuffix)
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	_ = os.Chmod(tmp.Name(), 0o644) // CreateTemp makes it private
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// pruneCache removes the cache files of other rule sets beyond the newest
// cacheKeepFiles-1 or unused for cacheMaxAge, and temporary files left
// behind by runs that were killed.
func pruneCache(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".tmp-") && time.Since(info.ModTime()) > time.Hour:
			os.Remove(filepath.Join(dir, name))
		case strings.HasSuffix(name, cacheSuffix) && !strings.HasPrefix(name, ".") && name != keep:
			files = append(files, file{name, info.ModTime()})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod.After(files[j].mod) })
	for i, f := range files {
		if i+1 >= cacheKeepFiles || time.Since(f.mod) > cacheMaxAge {
			os.Remove(filepath.Join(dir, f.name))
		}
	}
}
