package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/result"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixtures are the representative reports every format is rendered from.
var fixtures = []struct {
	name   string
	report func() result.Report
}{
	{"failing", failingReport},
	{"clean", cleanReport},
	{"hostile", hostileReport},
}

// goldenFormats maps each golden file extension to a format and options.
var goldenFormats = []struct {
	ext    string
	format string
	opts   Options
}{
	{".txt", FormatText, Options{}},
	{".color.txt", FormatText, Options{Color: true}},
	{".json", FormatJSON, Options{}},
	{".sarif", FormatSARIF, Options{}},
	{".md", FormatMarkdown, Options{}},
}

func render(t *testing.T, format string, opts Options, r result.Report) []byte {
	t.Helper()
	rep, err := New(format, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", format, err)
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf, r); err != nil {
		t.Fatalf("%s Write: %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, gf := range goldenFormats {
			t.Run(fx.name+gf.ext, func(t *testing.T) {
				got := render(t, gf.format, gf.opts, fx.report())
				path := filepath.Join("testdata", "golden", fx.name+gf.ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s differs from the golden file (-want +got; -update rewrites it):\n%s", path, diff)
				}
			})
		}
	}
}

// TestRenderingIsStable guards the golden files against map-order or
// time dependence: two renderings of one report are identical.
func TestRenderingIsStable(t *testing.T) {
	for _, fx := range fixtures {
		for _, f := range Formats {
			t.Run(fx.name+"/"+f, func(t *testing.T) {
				a := render(t, f, Options{}, fx.report())
				b := render(t, f, Options{}, fx.report())
				if !bytes.Equal(a, b) {
					t.Error("two renderings of the same report differ")
				}
			})
		}
	}
}

// TestReportersDoNotMutate checks that rendering leaves the caller's report
// as it was (reporters sort copies).
func TestReportersDoNotMutate(t *testing.T) {
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			r := failingReport()
			render(t, f, Options{}, r)
			if diff := cmp.Diff(failingReport(), r); diff != "" {
				t.Errorf("report changed by rendering (-before +after):\n%s", diff)
			}
		})
	}
}
