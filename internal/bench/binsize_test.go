package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSymbolPackage(t *testing.T) {
	tests := []struct{ sym, want string }{
		{"github.com/open-policy-agent/opa/v1/ast.(*Compiler).compile", "github.com/open-policy-agent/opa/v1/ast"},
		{"runtime.mallocgc", "runtime"},
		{"slices.SortFunc[go.shape.[]github.com/a/b.T,go.shape.func(github.com/a/b.T) int]", "slices"},
		{"github.com/a/b/c.F[go.shape.struct { X github.com/x/y.Z }]", "github.com/a/b/c"},
		{"type:*github.com/a/b.T", ""},
		{"go:func.*", ""},
	}
	for _, tt := range tests {
		if got := symbolPackage(tt.sym); got != tt.want {
			t.Errorf("symbolPackage(%q) = %q, want %q", tt.sym, got, tt.want)
		}
	}
}

func TestDependencyCosts(t *testing.T) {
	mods := []string{"github.com/secretgate/secretgate", "github.com/aws/aws-sdk-go-v2", "github.com/aws/aws-sdk-go-v2/service/iam"}
	syms := []Symbol{
		{"github.com/aws/aws-sdk-go-v2/service/iam.New", 300},
		{"github.com/aws/aws-sdk-go-v2/aws.Config.Copy", 100},
		{"github.com/secretgate/secretgate/internal/cli.Main", 50},
		{"runtime.mallocgc", 1000},
		{"vendor/golang.org/x/net/http2/hpack.init", 10},
		{"type:*int", 40},
	}
	got, total := DependencyCosts(syms, mods)
	want := []DepCost{
		{StdlibGroup, 1010},
		{"github.com/aws/aws-sdk-go-v2/service/iam", 300},
		{"github.com/aws/aws-sdk-go-v2", 100},
		{"github.com/secretgate/secretgate", 50},
		{OtherGroup, 40},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DependencyCosts (-want +got):\n%s", d)
	}
	if total != 1500 {
		t.Errorf("total = %d, want 1500", total)
	}
}

// A binary of this module built with its symbols (go test links its own
// without them): its code must show up under the standard library and
// this module.
func TestFileSymbolsOfABinary(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "geninput")
	if out, err := exec.Command("go", "build", "-o", exe, "github.com/secretgate/secretgate/internal/bench/geninput").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	syms, err := FileSymbols(exe)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := Modules(exe)
	if err != nil {
		t.Fatal(err)
	}
	costs, total := DependencyCosts(syms, mods)
	byModule := map[string]int64{}
	for _, c := range costs {
		byModule[c.Module] = c.Bytes
	}
	if byModule[StdlibGroup] == 0 || byModule["github.com/secretgate/secretgate"] == 0 {
		t.Errorf("costs %v: want the standard library and this module", costs[:min(len(costs), 5)])
	}
	// No bss: the FIPS DRBG's 32 MiB buffer is reserved at run time, not in the file.
	fi, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	if total > fi.Size() {
		t.Errorf("symbols total %d bytes, more than the file's %d: zeroed memory counted", total, fi.Size())
	}
}
