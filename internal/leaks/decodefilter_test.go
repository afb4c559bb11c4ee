package leaks

import (
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	_ "unsafe" // go:linkname, to read gitleaks' expression

	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	gregexp "github.com/zricethezav/gitleaks/v8/regexp"
	"github.com/zricethezav/gitleaks/v8/sources"
)

//go:linkname gitleaksEncodingsRe github.com/zricethezav/gitleaks/v8/detect/codec.encodingsRe
var gitleaksEncodingsRe *gregexp.Regexp

// mayDecode reimplements the search of gitleaks' decoder: it must use the
// very expression gitleaks uses (a gitleaks upgrade that changes it fails
// here, not silently in the findings).
func TestEncodingsPatternIsGitleaks(t *testing.T) {
	if got, want := encodingsPattern, gitleaksEncodingsRe.String(); got != want {
		t.Fatalf("encodings pattern\n%s\ngitleaks' is\n%s", got, want)
	}
}

// decoderCorpus is text that exercises every kind of encoding, lines with
// and without the characters mayDecode looks for, and the source files of
// this package and of gitleaks (real code, in gitleaks' 100 kB fragments).
func decoderCorpus(t *testing.T) []string {
	t.Helper()
	corpus := []string{
		"",
		"plain words only\nand another line\n",
		"identifier_that_is_long_enough = 1",
		"aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNl",                 // base64 of printable text
		"c2VjcmV0PUFLSUFJT1NGT0ROTjdFWEFNUExF\n",           // base64
		"deadbeefdeadbeefdeadbeefdeadbeef",                 // hex, not printable
		"68656c6c6f20776f726c642068656c6c6f20776f726c6421", // hex of printable text
		"url=https://example.com/?q=%41%42%43&x=%44",       // percent
		"fmt.Sprintf(\"%02x %s\", a, b)",                   // percent, not printable
		"\\u0041\\u0042 and \\U0043",                       // unicode escapes
		"U+0041 U+0042\nU+0043",                            // code points across lines
		"a+b/c-d_e=f+g/h-i_j=k+l/m-n_o==\n",                // run with '='
		"token: \"dG9rZW4tdmFsdWUtdGhhdC1pcy1sb25n\"\r\n",  // CRLF
		"héllo wörld c2VjcmV0IHZhbHVlIGhlcmU= ünïcödé",     // non-ASCII around base64
		"back\\slash line with YWJjZGVmZ2hpamtsbW5vcHFy",
	}
	roots := []string{".", filepath.Join(moduleDir(t, "github.com/zricethezav/gitleaks/v8"), "detect")}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return nil
			}
			defer f.Close()
			src := sources.File{Content: f, Path: p}
			return src.Fragments(context.Background(), func(fr sources.Fragment, err error) error {
				if err == nil {
					corpus = append(corpus, fr.Raw)
					// Each line alone too: many short fragments.
					corpus = append(corpus, strings.Split(fr.Raw, "\n")...)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatalf("read the corpus under %s: %v", root, err)
		}
	}
	return corpus
}

func moduleDir(t *testing.T, path string) string {
	t.Helper()
	out := runGo(t, "list", "-m", "-f", "{{.Dir}}", path)
	if out == "" {
		t.Skip("module directory of " + path + " unknown")
	}
	return out
}

func TestMayDecodeNeverMissesASegment(t *testing.T) {
	corpus := decoderCorpus(t)
	no := 0
	for _, text := range corpus {
		_, segments := codec.NewDecoder().Decode(text, nil)
		may := mayDecode(text)
		if len(segments) > 0 && !may {
			t.Errorf("mayDecode says no, gitleaks decodes %d segment(s) in %.200q", len(segments), text)
		}
		if !may {
			no++
		}
	}
	// The filter must also be useful: most of the corpus decodes nothing.
	if no < len(corpus)/2 {
		t.Errorf("mayDecode said no for only %d of %d texts", no, len(corpus))
	}
}

// The detector picks the plain detector for text without encodings; its
// findings must equal those of gitleaks' detector with decoding.
func TestDetectSameWithDecodeFilter(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A password in base64, encoded at run time.
	encoded := base64.StdEncoding.EncodeToString([]byte("secretpassword12345678"))
	for _, text := range append(decoderCorpus(t), "key = \""+strings.Repeat("Zx9", 8)+"\"\npassword: "+encoded+"\n") {
		var want, got []string
		for _, f := range g.detector().DetectContext(ctx, detectFragment(text)) {
			want = append(want, fmt.Sprintf("%s:%d:%d:%s", f.RuleID, f.StartLine, f.StartColumn, f.Secret))
		}
		for _, m := range g.Detect(ctx, Fragment{Path: "f.txt", Text: text, StartLine: 1}) {
			got = append(got, fmt.Sprintf("%s:%d:%d:%s", m.RuleID, m.Line, m.Column, m.text().secret))
		}
		// gitleaks runs its rules in map order.
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			// Only the rule and place: the secrets are test data, but
			// real-looking.
			t.Fatalf("findings differ from gitleaks' in a text of %d bytes: %d vs %d", len(text), len(got), len(want))
		}
	}
}

func detectFragment(text string) detect.Fragment {
	return detect.Fragment{Raw: text, FilePath: "f.txt", StartLine: 1}
}

func runGo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
