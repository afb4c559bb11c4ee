package leaks

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// utf16 spells ASCII text in UTF-16 with its byte-order mark.
func utf16(s string, bigEndian bool) string {
	var b strings.Builder
	if bigEndian {
		b.WriteString("\xfe\xff")
	} else {
		b.WriteString("\xff\xfe")
	}
	for i := 0; i < len(s); i++ {
		if bigEndian {
			b.WriteString("\x00" + s[i:i+1])
		} else {
			b.WriteString(s[i:i+1] + "\x00")
		}
	}
	return b.String()
}

// awsWhere lists the AWS key findings as "file:line".
func awsWhere(res *Result) []string {
	out := []string{}
	for _, f := range awsFindings(res) {
		out = append(out, fmt.Sprintf("%s:%d", f.File, f.Line))
	}
	slices.Sort(out)
	return out
}

// Text behind a binary format's magic number, an archive's name or a
// UTF-16 byte-order mark is scanned in the working tree; gitleaks' file
// source passes over all of them. Real binary data stays skipped.
func TestTreeScanFindsTextBehindBinaryMarks(t *testing.T) {
	r := newRepo(t)
	line := "aws_access_key_id = " + leakstest.AWSKey(t) + "\n"
	r.write("report.txt", "%PDF-1.4\nnotes\n"+line)
	r.write("notes.txt", "PK\x03\x04\n"+line)
	r.write("backup.tar.gz", "first\nsecond\n"+line)
	r.write("creds-le.txt", utf16("x\n"+line, false))
	r.write("creds-be.txt", utf16(line, true))
	r.write("image.png", "\x89PNG\r\n\x1a\n"+noise(16<<10)+line) // binary, key after the prefix
	r.write("real.zip", "PK\x03\x04"+noise(16<<10)+line)
	r.commit("files", "A")

	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache %v", cached), func(t *testing.T) {
			cacheDir := ""
			if cached {
				cacheDir = t.TempDir()
			}
			for run := range 2 { // the second run answers from the cache
				res, err := scanErr(t, r.dir, Scope{}, func(s *Scanner) { s.CacheDir = cacheDir })
				if err != nil {
					t.Fatal(err)
				}
				want := []string{"backup.tar.gz:3", "creds-be.txt:1", "creds-le.txt:2", "notes.txt:2", "report.txt:3"}
				if got := awsWhere(res); !slices.Equal(got, want) {
					t.Errorf("run %d: findings %v, want %v", run+1, got, want)
				}
				skipped := map[string]bool{}
				for _, s := range res.Skipped {
					skipped[s.Path] = true
				}
				if !skipped["real.zip"] || len(res.Problems) > 0 {
					t.Errorf("run %d: skipped %v, problems %v; want real.zip skipped, no problem", run+1, res.Skipped, res.Problems)
				}
			}
		})
	}
}

// One NUL byte, a UTF-16 byte-order mark or a .gitattributes line makes
// git call a text file binary: its patch has no line. The commit's added
// lines are found in the blob instead, in every git scope, attributed to
// the commit that added them; keys the file had before are not.
func TestPatchScanFindsTextGitCallsBinary(t *testing.T) {
	r := newRepo(t)
	old := "old_key = " + leakstest.AWSKey(t) + "\n"
	r.write("README.md", "hello\n")
	r.write("data/nul.txt", "a\x00b\n"+old)
	base := r.commit("base", "A")

	line := "aws_access_key_id = " + leakstest.AWSKey(t) + "\n"
	r.write("data/nul.txt", "a\x00b\n"+old+"more\n"+line) // modified: line 4 is new
	r.write("deploy/creds.env", "# env\n\x00\n"+line)     // added
	r.write("deploy/creds16.env", utf16("x\ny\n"+line, false))
	r.write(".gitattributes", "*.conf binary\n")
	r.write("app.conf", "setting = 1\n"+line) // no NUL: binary by attribute
	r.write("logo.png", "\x89PNG\r\n\x1a\n"+noise(16<<10)+line)
	// Binary, not left out by path: in history skipped as binary; in a
	// range (a pull request, whose author chose the bytes) its printable
	// text is scanned, and the key after the noise is found.
	r.write("model.dat", "\x00\x01"+noise(16<<10)+line)
	head := r.commit("add keys", "Mallory")

	want := []string{"app.conf:2", "data/nul.txt:4", "deploy/creds.env:3", "deploy/creds16.env:3"}
	cacheDir := t.TempDir()
	for _, sc := range []Scope{{Kind: Range, Base: base, Head: "HEAD"}, {Kind: History}, {Kind: History}} {
		// The second history scan answers from the cache the first filled.
		t.Run(sc.String(), func(t *testing.T) {
			res, err := scanErr(t, r.dir, sc, func(s *Scanner) { s.CacheDir = cacheDir })
			if err != nil {
				t.Fatal(err)
			}
			got := awsWhere(res)
			if sc.Kind == History {
				want := append([]string{"data/nul.txt:2"}, want...) // the base commit's key
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("findings %v, want %v", got, want)
				}
			} else if want := append(slices.Clone(want), "model.dat:"+fmt.Sprint(1+strings.Count(noise(16<<10), "\n"))); !slices.Equal(got, sortedCopy(want)) {
				t.Errorf("findings %v, want %v", got, sortedCopy(want))
			}
			for _, f := range awsFindings(res) {
				if f.Line != 2 && f.Commit != head {
					t.Errorf("%s:%d attributed to %s, want %s", f.File, f.Line, f.Commit, head)
				}
			}
			wantSkipped := []string{"logo.png", "model.dat"}
			if sc.Kind == Range {
				wantSkipped = wantSkipped[:1]
			}
			var skipped []string
			for _, sk := range res.Skipped {
				skipped = append(skipped, sk.Path)
			}
			if !slices.Equal(skipped, wantSkipped) || len(res.Problems) > 0 {
				t.Errorf("skipped %v, problems %v; want %v skipped as binary", res.Skipped, res.Problems, wantSkipped)
			}
		})
	}

	t.Run("staged", func(t *testing.T) {
		r.write("staged.txt", "\x00\n"+line)
		r.git("add", "staged.txt")
		res := scan(t, r.dir, Scope{Kind: Staged})
		if got := awsWhere(res); !slices.Equal(got, []string{"staged.txt:2"}) {
			t.Errorf("findings %v, want staged.txt:2", got)
		}
	})
}

func TestAddedRuns(t *testing.T) {
	got := addedRuns([]byte("a\nb\nc\n"), []byte("a\nx\ny\nb\nc\nz"))
	want := []Fragment{{Text: "x\ny\n", StartLine: 2}, {Text: "z", StartLine: 6}}
	if !slices.Equal(got, want) {
		t.Errorf("addedRuns = %+v, want %+v", got, want)
	}
	if got := addedRuns(nil, []byte("a\n\x00\n")); len(got) != 1 || got[0].StartLine != 1 {
		t.Errorf("a new file is one run from line 1: %+v", got)
	}
}

// TestFileSourceKeepsGitleaksFragments: looking at a file's first chunk
// does not change the fragments gitleaks' file source cuts it into (their
// boundaries depend on how its reads are cut), for files of one chunk or
// many, read from a file or from memory.
func TestFileSourceKeepsGitleaksFragments(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 450_000; i++ {
		fmt.Fprintf(&b, "line %d: %s\n", i, strings.Repeat("x", i%97))
		if i%13 == 0 {
			b.WriteString("\n")
		}
	}
	text := b.String()
	dir := t.TempDir()
	ctx := t.Context()
	for _, size := range []int{10, 4095, 99_999, 100_000, 100_001, 250_000, len(text)} {
		name := fmt.Sprintf("f%d.txt", size)
		writeFile(t, dir, name, text[:size])
		for _, fromFile := range []bool{true, false} {
			frags := func(ours bool) []Fragment {
				var r io.Reader = strings.NewReader(text[:size])
				if fromFile {
					f, err := os.Open(filepath.Join(dir, name))
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					r = f
				}
				var src fragmentSource = &sources.File{Content: r, Path: name}
				if ours {
					_, src = fileSource(ctx, name, r, int64(size))
				}
				var out []Fragment
				if err := src.Fragments(ctx, func(fr sources.Fragment, err error) error {
					out = append(out, Fragment{Text: fr.Raw, StartLine: fr.StartLine})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return out
			}
			want, got := frags(false), frags(true)
			if !slices.Equal(got, want) {
				t.Errorf("%s (from file %v): %d fragments, gitleaks cuts %d", name, fromFile, len(got), len(want))
			}
		}
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
