package leaks

import (
	"encoding/binary"
	"math"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCommitEntryRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry commitEntry
	}{
		{"clean, not seen", commitEntry{}},
		{"clean", commitEntry{Seen: true, Files: 3, Bytes: 1 << 40}},
		{"skips", commitEntry{Seen: true, Files: 1, Bytes: 9, Skips: [][2]string{{"logo.png", "binary file"}, {"dir/ü €.bin", ""}}}},
		{"matches", commitEntry{Seen: true, Files: 2, Bytes: 120, Author: "Zoë O'Brien",
			Found: []cachedCommitMatch{
				{Path: "config/prod/app.env", cachedMatch: cachedMatch{RuleID: "aws-access-token", Description: "AWS", Line: 1, Column: 19, Entropy: 3.7219, Redacted: "AKIA…"}},
				{Path: "id_rsa", cachedMatch: cachedMatch{RuleID: "private-key-path", Line: 0, Column: -1, Entropy: math.Inf(1)}},
			}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got commitEntry
			if err := got.decode(tc.entry.encode()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.entry, got, cmp.AllowUnexported(cachedCommitMatch{})); diff != "" {
				t.Errorf("decode(encode(e)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// An entry that is cut short, has bytes after its end, flags this
// version does not know, or counts more elements than it can hold does
// not decode (the lookup is a miss and the commit scanned again).
func TestCommitEntryRejectsDamage(t *testing.T) {
	whole := commitEntry{Seen: true, Files: 2, Bytes: 7, Skips: [][2]string{{"a.bin", "binary file"}}, Author: "Dev",
		Found: []cachedCommitMatch{{Path: "k.env", cachedMatch: cachedMatch{RuleID: "r", Line: 1, Column: 3, Entropy: 4, Redacted: "AKIA…"}}}}.encode()
	for n := range len(whole) {
		var e commitEntry
		if err := e.decode(whole[:n]); err == nil {
			t.Errorf("the first %d of %d bytes decoded: %+v", n, len(whole), e)
		}
	}
	for name, p := range map[string][]byte{
		"trailing byte":   append(append([]byte{}, whole...), 0),
		"unknown flag":    append([]byte{2}, whole[1:]...),
		"huge skip count": {1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge string":     {1, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"files overflow":  {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0},
	} {
		var e commitEntry
		if err := e.decode(p); err == nil {
			t.Errorf("%s: decoded %+v", name, e)
		}
	}
}

// A count of matches the rest of an entry cannot hold is refused before
// anything is allocated for it: a damaged entry costs no memory.
func TestCommitEntryCountBoundsAllocation(t *testing.T) {
	const n = 1 << 20
	junk := make([]byte, n)
	entry := append([]byte{1, 0, 0, 0, 0}, binary.AppendUvarint(nil, n)...) // seen, no files, bytes, skips, author; n matches
	summary := append([]byte{1, 1, 'a', 0, 0, 0, 0, 0}, binary.AppendUvarint(nil, n)...)
	for name, p := range map[string][]byte{"commit entry": append(entry, junk...), "history summary": append(summary, junk...)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var err error
		if name == "commit entry" {
			var e commitEntry
			err = e.decode(p)
		} else {
			var h historySummary
			err = h.decode(p)
		}
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: decoded", name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
			t.Errorf("%s: decoding a damaged count allocated %d bytes", name, got)
		}
	}
}
