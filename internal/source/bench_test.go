package source

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/doctree"
)

// benchTree writes a repository of n service directories, each with the
// files a real infrastructure repository has: a trust policy, a
// permission policy, a CloudFormation template in YAML and one in JSON, a
// Terraform plan, and files of no interest (package.json, a Kubernetes
// manifest, a workflow). It returns the total size in bytes.
func benchTree(b *testing.B, root string, n int) int64 {
	b.Helper()
	read := func(rel string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", "repo", filepath.FromSlash(rel)))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	files := map[string][]byte{
		"iam/trust.json":             read("iam/github-deploy-trust.json"),
		"iam/policy.json":            read("iam/prod-reader-policy.json"),
		"cfn/stack.yaml":             read("cloudformation/payments.yaml"),
		"cfn/stack.template":         read("cloudformation/orders.template"),
		"tf/plan.json":               read("terraform/plan.json"),
		"web/package.json":           []byte(`{"name": "web", "version": "1.0.0", "dependencies": {"react": "^19.0.0"}}`),
		"k8s/deploy.yaml":            []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers: [{name: api, image: api:1}]\n"),
		".github/workflows/ci.yml":   read(".github/workflows/deploy.yml"),
		"node_modules/x/policy.json": read("iam/prod-reader-policy.json"),
	}
	var total int64
	for i := range n {
		for rel, data := range files {
			p := filepath.Join(root, fmt.Sprintf("svc%04d", i), filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
			total += int64(len(data))
		}
	}
	return total
}

// BenchmarkScan scans a generated repository of 200 services (1,800
// files, about 9 MB).
func BenchmarkScan(b *testing.B) {
	root := b.TempDir()
	size := benchTree(b, root, 200)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		res, err := Scan(context.Background(), root, Options{})
		if err != nil {
			b.Fatal(err)
		}
		// Each service's plan has one role whose trust policy is known
		// only after apply (aws_iam_role.later): one error each.
		if res.Files != 200*5 || len(res.Errors) != 200 || !strings.Contains(res.Errors[0].Message, "not known until apply") {
			b.Fatalf("files = %d, %d errors (want 200, one per plan), first %v", res.Files, len(res.Errors), res.Errors[:min(1, len(res.Errors))])
		}
	}
}

// BenchmarkParseJSON compares the positioned decoder with a plain
// encoding/json decode of the same plan, to show what positions cost.
func BenchmarkParseJSON(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "repo", "terraform", "plan.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("tree", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := doctree.ParseJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
