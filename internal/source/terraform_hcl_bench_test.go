package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hclBenchTree writes a Terraform repository of n root modules with five
// files each (variables, locals and a for_each of GitHub OIDC roles with
// jsonencode trust, policy documents with source documents, attachments,
// secrets with rotation, outputs), every root calling one shared local
// module: the shapes of testdata/tfhcl. It returns the number of files.
func hclBenchTree(b *testing.B, root string, n int) int {
	b.Helper()
	write := func(rel, text string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	read := func(rel string) string {
		data, err := os.ReadFile(filepath.Join("testdata", "tfhcl", filepath.FromSlash(rel)))
		if err != nil {
			b.Fatal(err)
		}
		return string(data)
	}
	write("modules/github-oidc-role/main.tf", read("modules/github-oidc-role/main.tf"))
	write("modules/github-oidc-role/variables.tf", read("modules/github-oidc-role/variables.tf"))
	files := 2
	for i := range n {
		dir := "live/svc" + strings.Repeat("0", 4-len(itoa(i))) + itoa(i) + "/"
		write(dir+"variables.tf", read("roles/variables.tf"))
		write(dir+"terraform.auto.tfvars", "github_org = \"acme\"\n")
		write(dir+"main.tf", read("roles/main.tf"))
		write(dir+"policies/deploy.json", read("roles/policies/deploy.json"))
		write(dir+"secrets.tf", read("secrets/main.tf"))
		write(dir+"module.tf", read("examples/complete/main.tf"))
		write(dir+"outputs.tf", `output "role_arns" {
  value = { for k, r in aws_iam_role.github : k => r.arn }
}

output "secret_ids" {
  value = [aws_secretsmanager_secret.db.id, aws_secretsmanager_secret.api.id]
}
`)
		files += 5
	}
	return files
}

// BenchmarkTerraformHCL parses and evaluates a tree of 1,000 .tf files
// (200 root modules of five files, each calling a local module; 1,002
// files with the module's).
func BenchmarkTerraformHCL(b *testing.B) {
	root := b.TempDir()
	files := hclBenchTree(b, root, 200)
	b.ReportMetric(float64(files), "tf-files")
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		res, err := Scan(ctx, root, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Roles) != 600 || len(res.Errors) != 0 {
			b.Fatalf("%d roles, errors %v", len(res.Roles), res.Errors)
		}
	}
}
