package leaks

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/secretgate/secretgate/internal/git"
	"github.com/secretgate/secretgate/internal/textenc"
)

// scanTree scans the files of the working tree in parallel.
func (s *Scanner) scanTree(ctx context.Context, t Target, c *collector) error {
	skipper, _ := s.Detector.(pathSkipper)
	start := time.Now()
	if s.now != nil {
		start = s.now()
	}
	var files []treeFile
	if t.Git != nil {
		paths, err := gitFiles(ctx, t.Root)
		if err != nil {
			return err
		}
		files = statFiles(t.Root, paths, s.workers())
	} else {
		dirs := skipper
		if skipper != nil && c.cache != nil {
			dirs = cachedSkipper{pathSkipper: skipper, cache: c.cache}
		}
		var err error
		if files, err = walkFiles(ctx, t.Root, dirs, s.workers()); err != nil {
			return err
		}
	}
	largestFirst(files)
	max := s.maxBytes()
	prog := s.progress()
	prog.SetTotal(len(files))
	var deferred *deferredFiles
	if _, ok := s.Detector.(narrower); ok && c.cache != nil {
		deferred = &deferredFiles{}
	}
	fileSkip := skipper
	if skipper != nil && c.cache != nil {
		fileSkip = cachedSkipper{pathSkipper: skipper, cache: c.cache, onlyExcluded: true}
	}
	// A fixed set of workers takes the files in turn: on a tree the cache
	// knows, most files take a microsecond or two, less than starting a
	// goroutine for each did.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range s.workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				s.scanFile(ctx, t.Root, files[i], max, fileSkip, start, deferred, c)
				prog.Add(1)
			}
		}()
	}
	wg.Wait() // scanFile records what it could not read in c
	if deferred != nil && ctx.Err() == nil {
		s.scanDeferred(ctx, deferred, c)
	}
	return ctx.Err()
}

// With a cache, a second scan usually finds a few files changed. Their
// scan would compile all of gitleaks' rules (some 55 ms, most of such a
// scan's time), although only the rules whose keywords occur in them can
// find anything. So the small files the cache does not know are set
// aside (up to deferMaxFiles and deferMaxBytes; past that, every file is
// scanned in place) and, once the tree is walked, scanned with a detector
// of only those rules (narrower: the rules gitleaks would run on those
// fragments, as for a staged scan).
const (
	deferMaxFiles = 64
	deferMaxBytes = 4 << 20
)

// deferredFiles are the files set aside.
type deferredFiles struct {
	mu    sync.Mutex
	files []pendingFile
	bytes int
	// full: a file was scanned in place, so the whole detector is
	// compiled: the files set aside are scanned with it.
	full bool
}

// pendingFile is a small file set aside, with its content and cache keys.
type pendingFile struct {
	rel          string
	info         fs.FileInfo
	data         []byte
	key, stamped cacheKey
}

// add sets a file aside; false when it is to be scanned in place.
func (d *deferredFiles) add(p pendingFile) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.full || len(d.files) >= deferMaxFiles || d.bytes+len(p.data) > deferMaxBytes {
		d.full = true
		return false
	}
	d.files = append(d.files, p)
	d.bytes += len(p.data)
	return true
}

// inPlace records that a file is scanned in place, with the whole
// detector.
func (d *deferredFiles) inPlace() {
	d.mu.Lock()
	d.full = true
	d.mu.Unlock()
}

// scanDeferred scans the files set aside.
func (s *Scanner) scanDeferred(ctx context.Context, d *deferredFiles, c *collector) {
	if len(d.files) == 0 {
		return
	}
	// Their fragments first, as the file source cuts them, to narrow the
	// detector to them; then the scan replays them.
	replays := make([]replaySource, len(d.files))
	var texts []string
	for i, p := range d.files {
		_, src := fileSource(ctx, p.rel, bytes.NewReader(p.data), p.info.Size())
		replays[i].err = src.Fragments(ctx, func(fr sources.Fragment, err error) error {
			replays[i].events = append(replays[i].events, replayEvent{fr, err})
			if err == nil {
				texts = append(texts, fr.Raw)
			}
			return nil
		})
	}
	det := s.Detector
	if n, ok := det.(narrower); ok && !d.full {
		det = n.Narrow(texts)
	}
	for i, p := range d.files {
		store := func(key cacheKey, payload []byte) {
			c.cache.store(key, payload)
			if p.stamped != (cacheKey{}) {
				c.cache.put(p.stamped, payload)
			}
		}
		s.scanContent(ctx, p.rel, p.info, nil, &replays[i], nil, p.key, true, store, det, c)
	}
}

// replaySource yields fragments recorded from another source.
type replaySource struct {
	events []replayEvent
	err    error
}

type replayEvent struct {
	fragment sources.Fragment
	err      error
}

// Fragments implements fragmentSource.
func (r *replaySource) Fragments(_ context.Context, yield sources.FragmentsFunc) error {
	for _, e := range r.events {
		if err := yield(e.fragment, e.err); err != nil {
			return err
		}
	}
	return r.err
}

// cachedSkipper remembers a detector's path verdicts in the cache (see
// dirKey: the verdict is the path's, whether file or directory), so that
// a second walk of the tree does not run the allowlists' path expressions
// again. On directories (the walk) both verdicts are stored. On files
// (onlyExcluded) only an exclusion is: an excluded file has no result in
// the cache, so that without this every scan matched its path again (and
// compiled the allowlists to do so), while a file they do not exclude is
// found by its stamp or content before its path is matched.
type cachedSkipper struct {
	pathSkipper
	cache        *cache
	onlyExcluded bool
}

func (cs cachedSkipper) SkipPath(rel string) bool {
	k := dirKey(rel)
	if p, ok := cs.cache.get(k); ok && len(p) <= 1 {
		return len(p) == 1
	}
	skip := cs.pathSkipper.SkipPath(rel)
	switch {
	case skip:
		cs.cache.put(k, []byte{1})
	case !cs.onlyExcluded:
		cs.cache.put(k, nil)
	}
	return skip
}

// needsRawText reports whether findings are compared with something after
// the scan (live values, references), which needs their raw text: cached
// findings keep only the redacted text.
func (s *Scanner) needsRawText() bool { return s.Live != nil || len(s.References) > 0 }

// treeFile is a file to scan and what os.Lstat said of it.
type treeFile struct {
	rel  string
	info fs.FileInfo
	err  error
}

// statFiles stats the files, by all workers: on a tree the cache knows,
// the stat calls are most of the scan. Files that cannot be stat'ed keep
// the error.
func statFiles(root string, paths []string, workers int) []treeFile {
	files := make([]treeFile, len(paths))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(paths); i += workers {
				fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(paths[i])))
				files[i] = treeFile{rel: paths[i], info: fi, err: err}
			}
		}()
	}
	wg.Wait()
	return files
}

// largestFirst orders the files by size, largest first, so that a large
// file does not keep one worker busy at the end while the others are idle
// (the findings are sorted afterwards, so the order is not seen), then by
// path. Files that could not be stat'ed come last.
func largestFirst(files []treeFile) {
	size := func(f treeFile) int64 {
		if f.err != nil {
			return -1
		}
		return f.info.Size()
	}
	slices.SortFunc(files, func(a, b treeFile) int {
		if c := cmp.Compare(size(b), size(a)); c != 0 {
			return c
		}
		return strings.Compare(a.rel, b.rel)
	})
}

// gitFiles lists the files git tracks plus the untracked files that
// .gitignore (and .git/info/exclude, core.excludesFile) does not exclude,
// relative to root.
func gitFiles(ctx context.Context, root string) ([]string, error) {
	out, err := git.Output(ctx, root, "-c", "core.quotePath=false", "ls-files", "-z",
		"--cached", "--others", "--exclude-standard", "--deduplicate")
	var ge *git.Error
	if errors.As(err, &ge) {
		return nil, fmt.Errorf("list the files of the working tree: git ls-files: %s", ge.Reason())
	} else if err != nil {
		return nil, err
	}
	var paths []string
	seen := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) == 0 || seen[string(p)] {
			continue
		}
		seen[string(p)] = true
		paths = append(paths, string(p))
	}
	sort.Strings(paths)
	return paths, nil
}

// walkFiles lists and stats every regular file below root outside a git
// work tree, leaving out .git directories and the directories skipper
// skips. A directory below root that cannot be read is listed with its
// error, as a file that cannot be stat'ed is. The directories are read by
// all workers, each statting the files of the directory it read: on a
// tree the cache knows, reading directories and statting files is most of
// the scan.
// readDir is os.ReadDir; tests make it fail.
var readDir = os.ReadDir

func walkFiles(ctx context.Context, root string, skipper pathSkipper, workers int) ([]treeFile, error) {
	entries, err := readDir(root)
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	var (
		mu    sync.Mutex
		files []treeFile
		wg    sync.WaitGroup
	)
	slots := make(chan struct{}, workers)
	var walk func(dir string, entries []fs.DirEntry)
	// read reads a directory below root and walks it.
	read := func(dir string) {
		if ctx.Err() != nil {
			return
		}
		entries, err := readDir(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			// Reported as a file that cannot be read (scanFile), not
			// left out unseen.
			mu.Lock()
			files = append(files, treeFile{rel: dir, err: err})
			mu.Unlock()
			return
		}
		walk(dir, entries)
	}
	walk = func(dir string, entries []fs.DirEntry) {
		var found []treeFile
		for _, d := range entries {
			rel := d.Name()
			if dir != "" {
				rel = dir + "/" + rel
			}
			switch {
			case d.IsDir():
				if d.Name() == ".git" || (skipper != nil && skipper.SkipPath(rel)) {
					continue
				}
				select {
				case slots <- struct{}{}: // a worker is free: it reads the directory
					wg.Add(1)
					go func() {
						defer wg.Done()
						read(rel)
						<-slots
					}()
				default:
					read(rel)
				}
			case d.Type().IsRegular():
				fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
				found = append(found, treeFile{rel: rel, info: fi, err: err})
			}
		}
		mu.Lock()
		files = append(files, found...)
		mu.Unlock()
	}
	walk("", entries)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return files, nil
}

// wholeFileLimit is the size up to which a file is read into memory in
// one go, to hash it for the cache and scan it without reading it twice.
// A larger file is hashed as it streams by and, when the cache does not
// know it, read again to scan it: a second read of a few large files
// rather than as much memory as the largest file per worker.
const wholeFileLimit = 1 << 20

// scanFile reads one file with gitleaks' file source (chunks of about
// 100 kB cut at blank lines; binary files and archives yield nothing) and
// runs the detector over each chunk. With a cache, a file whose content
// (at this path) was clean under the same rule set is not scanned again.
//
// A file whose stat stamp the cache knows (see fileStamp) is not read at
// all, nor its path matched against the allowlists again: a result is
// stored only for a file those did not exclude, under a rule set id that
// covers them.
func (s *Scanner) scanFile(ctx context.Context, root string, tf treeFile, max int64, skipper pathSkipper, scanStart time.Time, deferred *deferredFiles, c *collector) {
	rel, fi, err := tf.rel, tf.info, tf.err
	abs := filepath.Join(root, filepath.FromSlash(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return // tracked, but deleted in the working tree
	case err != nil:
		c.skip(rel, "cannot be read: "+err.Error())
		return
	case !fi.Mode().IsRegular():
		return // symbolic links, submodules
	case fi.Size() == 0:
		return
	}
	var stamped cacheKey // the key of the file's stamp; zero without one
	if c.cache != nil && (max <= 0 || fi.Size() <= max) {
		if st, ok := stampOf(fi); ok {
			stamped = stampKey(root, rel, st)
			if p, hit := c.cache.get(stamped); hit {
				if bytes.Equal(p, binaryPayload) {
					c.cache.hitStamped()
					c.skip(rel, binarySkip)
					return
				}
				if ms, err := decodeMatches(p); err == nil && (len(ms) == 0 || !s.needsRawText()) {
					c.cache.hitStamped()
					if len(ms) > 0 {
						c.add(Fragment{Path: rel}, ms)
					}
					c.scanned(fi.Size())
					return
				}
			}
			if !st.settled(scanStart) {
				stamped = cacheKey{} // racy: read and hashed every time
			}
		}
	}
	switch {
	case skipper != nil && skipper.SkipPath(rel):
		return
	case max > 0 && fi.Size() > max:
		s.oversized(ctx, abs, rel, fi.Size(), max, c)
		return
	}
	// storeResult stores a result under the file's content and stamp.
	storeResult := func(key cacheKey, payload []byte) {
		c.cache.store(key, payload)
		if stamped != (cacheKey{}) {
			c.cache.put(stamped, payload)
		}
	}
	f, err := os.Open(abs)
	if err != nil {
		c.skip(rel, "cannot be read: "+err.Error())
		return
	}
	defer f.Close()
	var content io.Reader = f
	var key cacheKey
	var scanned *blobHasher // of a large file, as it is scanned
	cached := c.cache != nil
	var data []byte // the whole of a small file, read for its key
	if cached {
		var id string
		var n int64
		if fi.Size() <= wholeFileLimit {
			data, err = readAll(f, fi.Size())
			if err != nil {
				c.skip(rel, "cannot be read: "+err.Error())
				return
			}
			id, n = blobID(data), int64(len(data))
			content = bytes.NewReader(data)
		} else {
			// Hashed once to look it up and, on a miss, again as it is
			// scanned: it is cached only if both reads saw the same.
			pre := newBlobHasher(fi.Size())
			_, err := io.Copy(pre, f)
			if err == nil {
				_, err = f.Seek(0, io.SeekStart)
			}
			if err != nil {
				c.skip(rel, "cannot be read: "+err.Error())
				return
			}
			var whole bool
			id, whole = pre.id()
			n = pre.n
			cached = whole
			scanned = newBlobHasher(fi.Size())
			content = io.TeeReader(f, scanned)
		}
		key = fileKey(rel, id)
		if p, hit := c.cache.lookup(key); hit {
			if cached && bytes.Equal(p, binaryPayload) {
				if stamped != (cacheKey{}) {
					c.cache.put(stamped, p)
				}
				c.skip(rel, binarySkip)
				return
			}
			// Findings keep only their redacted text: with live values
			// or references to compare, a file with findings is scanned
			// again.
			if ms, err := decodeMatches(p); cached && err == nil && (len(ms) == 0 || !s.needsRawText()) {
				if len(ms) > 0 {
					c.add(Fragment{Path: rel}, ms)
				}
				if stamped != (cacheKey{}) {
					c.cache.put(stamped, p)
				}
				c.scanned(n)
				return
			}
			c.cache.unused()
		}
	}
	if cached && data != nil && deferred != nil &&
		deferred.add(pendingFile{rel: rel, info: fi, data: data, key: key, stamped: stamped}) {
		return
	}
	content, src := fileSource(ctx, rel, content, fi.Size())
	if s.scanContent(ctx, rel, fi, content, src, scanned, key, cached, storeResult, s.Detector, c) && deferred != nil {
		deferred.inPlace() // the whole detector is compiled now
	}
}

// scanContent runs det over the fragments src yields of a file's content
// and records what it found, and with a cache (cached) stores the result
// under key. scanned hashes a large file's content as it is read (nil
// for a small file, read whole for its key). It reports whether the file
// yielded text to scan.
func (s *Scanner) scanContent(ctx context.Context, rel string, fi fs.FileInfo, content io.Reader, src fragmentSource, scanned *blobHasher, key cacheKey, cached bool, storeResult func(cacheKey, []byte), det Detector, c *collector) bool {
	yielded, complete := false, true
	var found []Match // for the cache
	err := src.Fragments(ctx, func(fr sources.Fragment, ferr error) error {
		if ferr != nil {
			complete = false
			c.skip(rel, "cannot be read: "+ferr.Error())
			return nil //nolint:nilerr // the file is reported as skipped and the scan goes on
		}
		yielded = true
		frag := Fragment{Path: rel, Text: fr.Raw, StartLine: fr.StartLine}
		ms := det.Detect(ctx, frag)
		if cached {
			found = append(found, ms...)
		}
		c.add(frag, ms)
		return nil
	})
	switch {
	case err != nil && ctx.Err() == nil:
		c.skip(rel, "cannot be read: "+err.Error())
	case yielded:
		c.scanned(fi.Size())
		if scanned != nil {
			// The scan stops reading at a binary file's first chunk;
			// the rest of a text file is read here, so it is hashed.
			_, _ = io.Copy(io.Discard, content)
			id, whole := scanned.id()
			cached = cached && whole && fileKey(rel, id) == key
		}
		if cached && complete && err == nil && ctx.Err() == nil {
			storeResult(key, encodeMatches(found))
		}
	case err == nil:
		c.skip(rel, binarySkip)
		if scanned != nil {
			// Only the first chunk was read: the rest is read here,
			// so that the verdict is stored only for the content the
			// key names.
			_, _ = io.Copy(io.Discard, content)
			id, whole := scanned.id()
			cached = cached && whole && fileKey(rel, id) == key
		}
		if cached && complete && ctx.Err() == nil {
			storeResult(key, binaryPayload)
		}
	}
	return yielded
}

// binarySkip is the reason a binary file or archive is not scanned;
// binaryPayload is its cache entry (no payload of findings starts with a
// zero byte: clean is empty, findings are JSON).
const binarySkip = "binary file or archive"

var binaryPayload = []byte{0}

// oversized handles a file above the safety limit: a binary file or an
// archive (what gitleaks' file source yields nothing for, decided the way
// it decides: by name, then by the type of the first chunk) is skipped as
// at any size; a text file is not scanned, and the scan is incomplete.
func (s *Scanner) oversized(ctx context.Context, abs, rel string, size, max int64, c *collector) {
	binary, err := binaryFile(ctx, abs, rel)
	switch {
	case err != nil:
		c.skip(rel, "cannot be read: "+err.Error())
		c.incomplete(nil, fmt.Sprintf("%s: cannot be read to tell whether it is text: %v", rel, err))
	case binary:
		c.skip(rel, binarySkip)
	default:
		c.skip(rel, fmt.Sprintf("text file larger than leaks_max_file_size (%s)", sizeText(max)))
		c.incomplete(nil, fmt.Sprintf("%s: text file of %s is larger than leaks_max_file_size (%s) and was not scanned; raise leaks_max_file_size", rel, sizeText(size), sizeText(max)))
	}
}

// firstChunkBytes is the size of gitleaks' file source's first chunk, the
// one whose type it checks.
const firstChunkBytes = 100 * 1000

// binaryFile reports whether the file is skipped as binary: its first
// chunk is not mostly text, and gitleaks' file source (with its default
// --max-archive-depth 0) yields nothing for it (an archive by its name,
// or a first chunk of an application type).
func binaryFile(ctx context.Context, abs, rel string) (bool, error) {
	f, err := os.Open(abs)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, firstChunkBytes)
	n, err := bufio.NewReader(f).Read(buf)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	if textenc.MostlyText(buf[:n]) {
		return false, nil // scanned as text whatever its name or magic (textfile.go)
	}
	return gitleaksSkips(ctx, rel, buf[:n]), nil
}

// readAll reads a file of about size bytes.
func readAll(r io.Reader, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<20:
		return fmt.Sprintf("%d bytes (%.1f MiB)", n, float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
