package leaks

import (
	"encoding/binary"
	"errors"
	"math"
)

// commitEntry is what the cache keeps of a scanned commit: enough to
// report it as a scan would, without the patch.
type commitEntry struct {
	// Seen: git log listed at least one file of the commit (merges and
	// commits that only delete list none and are not counted).
	Seen  bool
	Files int
	Bytes int64
	Skips [][2]string
	// Author and Found are the commit's matches, redacted as a working
	// tree file's are (cachedMatch): empty for a clean commit.
	Author string
	Found  []cachedCommitMatch
}

// cachedCommitMatch is a match of a commit as the cache keeps it: the
// file it is in, and the match without its raw text.
type cachedCommitMatch struct {
	Path string
	cachedMatch
}

// A commit entry is a few varints, read for every commit of a history on
// each warm scan: decoding JSON for each was most of the time a warm scan
// spent looking commits up. Layout, each number an unsigned varint unless
// said otherwise, each string its length then its bytes:
//
//	flags (1: seen), files, bytes, #skips, {path, reason}…,
//	author, #found, {path, rule, description, line (signed),
//	column (signed), entropy (8 bytes, IEEE 754, little endian),
//	redacted}…
const commitSeen = 1

func (e commitEntry) encode() []byte {
	var flags uint64
	if e.Seen {
		flags |= commitSeen
	}
	b := binary.AppendUvarint(nil, flags)
	b = binary.AppendUvarint(b, uint64(e.Files))
	b = binary.AppendUvarint(b, uint64(e.Bytes))
	b = appendSkips(b, e.Skips)
	b = appendString(b, e.Author)
	b = binary.AppendUvarint(b, uint64(len(e.Found)))
	for _, m := range e.Found {
		b = appendMatch(b, m)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendSkips lays out skipped files as commit entries and the history
// summary keep them: their number, then each path and reason.
func appendSkips(b []byte, skips [][2]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(skips)))
	for _, sk := range skips {
		b = appendString(appendString(b, sk[0]), sk[1])
	}
	return b
}

// appendMatch lays out a match as commit entries and the history summary
// keep it; it takes at least matchMinBytes.
func appendMatch(b []byte, m cachedCommitMatch) []byte {
	b = appendString(b, m.Path)
	b = appendString(b, m.RuleID)
	b = appendString(b, m.Description)
	b = binary.AppendVarint(b, int64(m.Line))
	b = binary.AppendVarint(b, int64(m.Column))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.Entropy))
	return appendString(b, m.Redacted)
}

// matchMinBytes is the least an encoded match takes: three empty strings,
// two one-byte varints, the entropy's 8 bytes and an empty string.
const matchMinBytes = 3 + 2 + 8 + 1

var errCommitEntry = errors.New("not a commit entry")

// decode reverses encode; an entry that does not decode whole is an
// error (the lookup is then a miss).
func (e *commitEntry) decode(p []byte) error {
	d := entryDecoder{p: p}
	flags := d.uvarint()
	*e = commitEntry{Seen: flags&commitSeen != 0, Files: d.int(), Bytes: d.int64()}
	e.Skips = d.skips()
	e.Author = d.string()
	if n := d.count(matchMinBytes); n > 0 {
		e.Found = make([]cachedCommitMatch, n)
		for i := range e.Found {
			e.Found[i] = d.match()
		}
	}
	if d.bad || len(d.p) != 0 || flags&^commitSeen != 0 {
		*e = commitEntry{}
		return errCommitEntry
	}
	return nil
}

// entryDecoder reads an encoded commit entry; bad is set at the first
// value that does not fit what is left, and every later read is zero.
type entryDecoder struct {
	p   []byte
	bad bool
}

func (d *entryDecoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.p)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.p = d.p[n:]
	return v
}

func (d *entryDecoder) varint() int {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.p)
	if n <= 0 || v != int64(int(v)) {
		d.bad = true
		return 0
	}
	d.p = d.p[n:]
	return int(v)
}

// skips reads what appendSkips wrote.
func (d *entryDecoder) skips() [][2]string {
	n := d.count(2)
	if n == 0 {
		return nil
	}
	skips := make([][2]string, n)
	for i := range skips {
		skips[i] = [2]string{d.string(), d.string()}
	}
	return skips
}

// match reads what appendMatch wrote.
func (d *entryDecoder) match() (m cachedCommitMatch) {
	m.Path, m.RuleID, m.Description = d.string(), d.string(), d.string()
	m.Line, m.Column = d.varint(), d.varint()
	m.Entropy = d.float()
	m.Redacted = d.string()
	return m
}

// int reads a non-negative number that fits an int.
func (d *entryDecoder) int() int {
	v := d.uvarint()
	if v > math.MaxInt32 {
		d.bad = true
		return 0
	}
	return int(v)
}

func (d *entryDecoder) int64() int64 {
	v := d.uvarint()
	if v > math.MaxInt64 {
		d.bad = true
		return 0
	}
	return int64(v)
}

// count reads the number of elements of a list whose elements take at
// least min bytes each: a count the rest of the entry cannot hold is bad
// (rather than a huge allocation).
func (d *entryDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.p)/min) {
		d.bad = true
		return 0
	}
	return int(n)
}

func (d *entryDecoder) string() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.p)) {
		d.bad = true
		return ""
	}
	s := string(d.p[:n])
	d.p = d.p[n:]
	return s
}

func (d *entryDecoder) float() float64 {
	if d.bad || len(d.p) < 8 {
		d.bad = true
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.p))
	d.p = d.p[8:]
	return v
}
