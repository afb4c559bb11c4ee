package glcodec

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gitleaks "github.com/zricethezav/gitleaks/v8/detect/codec"
)

// decodeTexts are real source text (this module's leaks package and
// gitleaks' detector, whose tests are full of encoded values) and random
// lines of nested base64, hex, percent and unicode escapes among plain
// words, line breaks and U+ code points.
func decodeTexts(t *testing.T) []string {
	t.Helper()
	var texts []string
	roots := []string{".."}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/zricethezav/gitleaks/v8").Output(); err == nil {
		roots = append(roots, filepath.Join(strings.TrimSpace(string(out)), "detect"))
	}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil //nolint:nilerr // an unreadable entry only means one text fewer
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err == nil {
				texts = append(texts, string(b))
			}
			return nil
		})
	}
	if len(texts) < 20 {
		t.Fatalf("only %d source files found", len(texts))
	}
	r := rand.New(rand.NewSource(3))
	words := []string{"token", "secret = ", "key: ", "\n", "\r\n", " ", "\"", "%", "%zz", "\\", "\\u00", "U+", "U+0041 ", "U+00e9\n",
		"plain words", "=", "==", "-", "_", "/", "+", "aGVsbG8=", "deadbeef", "x"}
	enc := []func(string) string{
		func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
		func(s string) string { return hex.EncodeToString([]byte(s)) },
		func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
			return b.String()
		},
		func(s string) string {
			var b strings.Builder
			for _, c := range s {
				fmt.Fprintf(&b, "\\u%04x", c)
			}
			return b.String()
		},
		func(s string) string {
			var b strings.Builder
			for _, c := range s {
				fmt.Fprintf(&b, "U+%04X ", c)
			}
			return b.String()
		},
		func(s string) string {
			var b strings.Builder
			for _, c := range s {
				fmt.Fprintf(&b, "\\U%04X", c)
			}
			return b.String()
		},
		func(s string) string {
			var b strings.Builder
			for _, c := range s {
				fmt.Fprintf(&b, "\\\\u%04x", c)
			}
			return b.String()
		},
	}
	// Runs at the lengths where the hex and base64 alternatives start and
	// stop matching, with '=' in and after them.
	runParts := []string{"0123456789abcdef", "ABCDEF", "ghijXYZ_", "/+-", "=", "==", "===", " ", "\n", "%", "\\", "uU"}
	for range 3000 {
		var b strings.Builder
		for range 1 + r.Intn(6) {
			part := runParts[r.Intn(len(runParts))]
			n := 1 + r.Intn(40)
			if r.Intn(3) == 0 {
				n = 28 + r.Intn(8)
			}
			for range n {
				b.WriteByte(part[r.Intn(len(part))])
			}
		}
		texts = append(texts, b.String())
	}
	for range 3000 {
		var b strings.Builder
		for range 1 + r.Intn(12) {
			if r.Intn(2) == 0 {
				b.WriteString(words[r.Intn(len(words))])
				continue
			}
			v := words[r.Intn(len(words))] + "api_key=AKIA" + words[r.Intn(len(words))] + "Zq8xR2mN7vL4pK9s"
			for range 1 + r.Intn(3) {
				v = enc[r.Intn(len(enc))](v)
			}
			b.WriteString(v)
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestDecodeIsGitleaks: every decoding pass gives the text gitleaks'
// decoder gives, with segments that map every position back alike.
func TestDecodeIsGitleaks(t *testing.T) {
	decoded := 0
	for _, text := range decodeTexts(t) {
		ours, theirs := NewDecoder(), gitleaks.NewDecoder()
		a, b := text, text
		var as []*EncodedSegment
		var bs []*gitleaks.EncodedSegment
		for pass := 1; pass <= 5; pass++ {
			a, as = ours.Decode(a, as)
			b, bs = theirs.Decode(b, bs)
			if a != b || len(as) != len(bs) {
				t.Fatalf("pass %d: %d segments, gitleaks %d; text equal: %v; in %q", pass, len(as), len(bs), a == b, text)
			}
			if len(as) == 0 {
				break
			}
			decoded++
			for i := range as {
				if !reflect.DeepEqual(Tags(as[i:i+1]), gitleaks.Tags(bs[i:i+1])) || CurrentLine(as[i:i+1], a) != gitleaks.CurrentLine(bs[i:i+1], b) {
					t.Fatalf("pass %d: segment %d differs in %q", pass, i, text)
				}
			}
			for p := 0; p < len(a); p += 1 + len(a)/500 {
				sa := SegmentsWithDecodedOverlap(as, p, p+1)
				sb := gitleaks.SegmentsWithDecodedOverlap(bs, p, p+1)
				if len(sa) != len(sb) {
					t.Fatalf("pass %d: position %d in %d segments, gitleaks %d", pass, p, len(sa), len(sb))
				}
				if len(sa) > 0 && !reflect.DeepEqual(AdjustMatchIndex(sa, []int{p, p + 1}), gitleaks.AdjustMatchIndex(sb, []int{p, p + 1})) {
					t.Fatalf("pass %d: position %d maps to %v, gitleaks %v", pass, p, AdjustMatchIndex(sa, []int{p, p + 1}), gitleaks.AdjustMatchIndex(sb, []int{p, p + 1}))
				}
			}
		}
	}
	if decoded < 2000 {
		t.Errorf("only %d passes decoded something: the texts do not exercise the decoder", decoded)
	}
}

// TestEncodingSubmatchesIsGitleaks: the search by lines and runs finds
// what the expression finds over the whole text.
func TestEncodingSubmatchesIsGitleaks(t *testing.T) {
	for _, text := range decodeTexts(t) {
		if got, want := encodingSubmatches(text), encodingsRe.FindAllStringSubmatchIndex(text, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("matches %v, expression %v, in %q", got, want, text)
		}
	}
}
