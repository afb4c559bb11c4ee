package leaks

import (
	"context"
	"os"
	"testing"
)

// BenchmarkTreeScan scans the directory LEAKS_BENCH_TREE (a copy of a Go
// module cache in make bench) with the default rules. Skipped without it.
func BenchmarkTreeScan(b *testing.B) {
	root := os.Getenv("LEAKS_BENCH_TREE")
	if root == "" {
		b.Skip("LEAKS_BENCH_TREE not set")
	}
	det, err := LoadGitleaks(root)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	t, err := Resolve(ctx, root, Scope{})
	if err != nil {
		b.Fatal(err)
	}
	s := &Scanner{Detector: det}
	b.ResetTimer()
	for range b.N {
		res, err := s.Scan(ctx, t)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(res.Bytes)
		b.ReportMetric(float64(len(res.Findings)), "findings")
	}
}
