package bench

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/source"
)

// terraformBenchRoots gives the 1,000 files of issue 12's benchmark.
const terraformBenchRoots = 1000 / TerraformFilesPerRoot

func TestTerraformTreeShape(t *testing.T) {
	dir := t.TempDir()
	n, err := TerraformTree(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * TerraformFilesPerRoot; n != want {
		t.Fatalf("wrote %d files, want %d", n, want)
	}
	var tf, blocks int
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if strings.Count(text, "{") != strings.Count(text, "}") || strings.Count(text, "[") != strings.Count(text, "]") {
			t.Errorf("%s: unbalanced brackets", path)
		}
		if strings.HasSuffix(path, ".tf") {
			tf++
			blocks += strings.Count(text, "\nresource \"") + strings.Count(text, "\ndata \"") + strings.Count(text, "\nmodule \"")
			if strings.HasPrefix(text, "resource \"") || strings.HasPrefix(text, "data \"") || strings.HasPrefix(text, "module \"") {
				blocks++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tf != 3*(TerraformFilesPerRoot-1) {
		t.Errorf(".tf files: %d, want %d", tf, 3*(TerraformFilesPerRoot-1))
	}
	// Per root: provider, module call, policy document, KMS key, secret,
	// rotation, and the module's trust document, role, inline policy and
	// attachment.
	if blocks != 3*10 {
		t.Errorf("resource, data and module blocks: %d, want %d", blocks, 3*10)
	}
	// The same arguments give the same tree.
	again := t.TempDir()
	if _, err := TerraformTree(again, 3); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "svc-0002", "variables.tf"))
	b, _ := os.ReadFile(filepath.Join(again, "svc-0002", "variables.tf"))
	if string(a) != string(b) {
		t.Error("TerraformTree is not deterministic")
	}
}

// BenchmarkTerraformScan is the repository scan (source.Scan) of 1,000
// generated .tf files: 125 roots, each with 3 GitHub OIDC roles from a
// local module's for_each, 3 inline policies and 12 secrets. It reports the
// facts found per scan; until the Terraform HCL reader exists they are 0.
func BenchmarkTerraformScan(b *testing.B) {
	dir := b.TempDir()
	if _, err := TerraformTree(dir, terraformBenchRoots); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var res *source.Result
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var err error
		if res, err = source.Scan(ctx, dir, source.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(res.Roles)), "roles/op")
	b.ReportMetric(float64(len(res.Secrets)), "secrets/op")
	b.ReportMetric(float64(len(res.Policies)), "policies/op")
	b.ReportMetric(float64(len(res.Errors)), "errors/op")
}
