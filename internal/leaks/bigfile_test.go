package leaks

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// bigText is about size bytes of harmless numbered lines with a key line
// at the start, at the end, and written across each of the offsets
// straddle (so that a key sits where a chunk of the file source may end).
// It returns the text and the lines of the keys.
func bigText(t *testing.T, size int, straddle []int) (string, []int) {
	t.Helper()
	var b strings.Builder
	b.Grow(size + 4096)
	line := 0
	var keys []int
	addKey := func() {
		line++
		keys = append(keys, line)
		b.WriteString("aws_access_key_id = " + leakstest.AWSKey(t) + "\n")
	}
	addKey()
	next := 0
	for b.Len() < size {
		if next < len(straddle) && b.Len() >= straddle[next]-20 {
			addKey()
			next++
			continue
		}
		line++
		fmt.Fprintf(&b, "%08d the quick brown fox jumps over the lazy dog\n", line)
	}
	addKey()
	return b.String(), keys
}

// ruleLines lists findings (or matches) as "line rule", sorted.
func ruleLines[T any](items []T, of func(T) (int, string)) []string {
	out := []string{}
	for _, it := range items {
		l, r := of(it)
		out = append(out, strconv.Itoa(l)+" "+r)
	}
	slices.Sort(out)
	return out
}

// TestLargeFileScannedLikeOneShot: a 12 MB text file, above the old
// 10 MiB skip, is scanned (in the file source's chunks for the working
// tree, hunk by hunk for history) and yields the same rule/line set as
// the detector run once over the whole text with no size limit.
func TestLargeFileScannedLikeOneShot(t *testing.T) {
	straddle := []int{100_000, 1 << 20, 6_000_000, 6_100_000, 6 << 20}
	text, keys := bigText(t, 12_000_000, straddle)
	r := newRepo(t)
	r.write("big.txt", text)
	r.commit("big", "A")

	det, err := LoadGitleaks(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	oneShot := det.Detect(context.Background(), Fragment{Path: "big.txt", Text: text, StartLine: 1})
	want := ruleLines(oneShot, func(m Match) (int, string) { return m.Line, m.RuleID })
	var wantKeys []string
	for _, l := range keys {
		wantKeys = append(wantKeys, strconv.Itoa(l)+" aws-access-token")
	}
	for _, k := range wantKeys {
		if !slices.Contains(want, k) {
			t.Fatalf("one-shot scan misses %s: %v", k, want)
		}
	}

	for _, sc := range []Scope{{}, {Kind: History}} {
		t.Run(sc.String(), func(t *testing.T) {
			res := scan(t, r.dir, sc)
			got := ruleLines(res.Findings, func(f Finding) (int, string) { return f.Line, f.RuleID })
			if !slices.Equal(got, want) {
				t.Errorf("findings %v, one-shot %v", got, want)
			}
			if len(res.Problems) > 0 || len(res.Skipped) > 0 {
				t.Errorf("problems %v, skipped %v", res.Problems, res.Skipped)
			}
		})
	}
}

// TestOversizedTextMakesTheScanIncomplete: above the safety limit a text
// file is not scanned and the result names it as a problem (never a quiet
// skip); binary files and archives stay skipped at any size, as gitleaks
// skips them; what else was found is kept.
func TestOversizedTextMakesTheScanIncomplete(t *testing.T) {
	key := leakstest.AWSKey(t)
	r := newRepo(t)
	filler := strings.Repeat("plain text line\n", 8<<10) // 128 KiB
	r.write("huge.log", filler+"k="+leakstest.AWSKey(t)+"\n")
	r.write("bin/tool", "\x7fELF\x02\x01\x01\x00"+strings.Repeat("\x00", 64)+noise(128<<10))
	r.write("ok.txt", "k="+key+"\n")
	r.commit("x", "A")

	tests := []struct {
		scope       Scope
		wantProblem string
	}{
		{Scope{}, "huge.log: text file of"},
		{Scope{Kind: History}, "huge.log in commit "},
	}
	for _, tc := range tests {
		t.Run(tc.scope.String(), func(t *testing.T) {
			res, err := scanErr(t, r.dir, tc.scope, func(s *Scanner) { s.MaxFileBytes = 64 << 10 })
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], tc.wantProblem) || !strings.Contains(res.Problems[0], "leaks_max_file_size (64 KiB)") {
				t.Errorf("problems %q, want one naming %q", res.Problems, tc.wantProblem)
			}
			for _, p := range res.Problems {
				if strings.Contains(p, "bin/tool") {
					t.Errorf("binary file reported as a problem: %q", p)
				}
			}
			skipped := map[string]string{}
			for _, s := range res.Skipped {
				skipped[s.Path] = s.Reason
			}
			if skipped["bin/tool"] == "" || skipped["huge.log"] == "" {
				t.Errorf("skipped %v", skipped)
			}
			if got := where(awsFindings(res)); !slices.Equal(got, []string{"ok.txt:1 aws-access-token"}) {
				t.Errorf("findings %v", got)
			}
		})
	}
}

// TestOversizedBinaryByType: a large file is binary when gitleaks' file
// source says so (archive by name, application type of the first chunk),
// else text.
func TestOversizedBinaryByType(t *testing.T) {
	tests := []struct {
		name, content string
		binary        bool
	}{
		{"a.zip", "PK\x03\x04" + noise(1000), true},
		{"tool", "\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00", 64), true},
		{"doc.pdf", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + noise(9000), true},
		// Text behind a binary name or magic number is text (textfile.go).
		{"text.zip", "not really a zip\n", false},
		{"doc.pdf.txt", "%PDF-1.4\n" + strings.Repeat("x", 100), false},
		{"tool.txt", "\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00", 64) + strings.Repeat("text line\n", 1000), false},
		{"utf16.txt", "\xff\xfek\x00=\x00", false},
		{"notes.txt", strings.Repeat("hello\n", 100), false},
		{"latin1.txt", "caf\xe9 \xff\xfe\n", false},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, dir, tc.name, tc.content)
			got, err := binaryFile(context.Background(), dir+"/"+tc.name, tc.name)
			if err != nil || got != tc.binary {
				t.Errorf("binaryFile = %v, %v; want %v", got, err, tc.binary)
			}
		})
	}
}

// TestOversizedTextIsNotCachedAsClean: with a cache, a second scan of a
// commit or file whose text was above the limit is as incomplete as the
// first (nothing was stored as clean).
func TestOversizedTextIsNotCachedAsClean(t *testing.T) {
	r := newRepo(t)
	r.write("huge.log", strings.Repeat("plain text line\n", 8<<10))
	r.commit("x", "A")
	cacheDir := t.TempDir()
	for _, sc := range []Scope{{}, {Kind: History}} {
		for run := range 2 {
			t.Run(fmt.Sprintf("%s run %d", sc, run+1), func(t *testing.T) {
				res, err := scanErr(t, r.dir, sc, func(s *Scanner) { s.MaxFileBytes = 64 << 10; s.CacheDir = cacheDir })
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0], "huge.log") {
					t.Errorf("problems %q, want huge.log", res.Problems)
				}
			})
		}
	}
}

// noise is n bytes of what compressed or encrypted data looks like: no
// more printable than chance.
func noise(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return string(b)
}
