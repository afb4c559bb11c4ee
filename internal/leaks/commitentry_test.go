package leaks

import (
	"math"
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
