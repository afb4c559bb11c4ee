package leaks

import (
	"context"
	"os"
	"testing"
)

// BenchmarkTreeScan scans the directory LEAKS_BENCH_TREE (e.g. a copy of a
// Go module cache) with the default rules, with the cache in
// LEAKS_BENCH_CACHE when set. Skipped without LEAKS_BENCH_TREE.
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
	s := &Scanner{Detector: det, CacheDir: os.Getenv("LEAKS_BENCH_CACHE")}
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

// BenchmarkHistoryScan scans the whole history of the git repository
// LEAKS_BENCH_REPO (e.g. a clone of pallets/flask) with the default rules
// and no cache, as check --history --no-cache does. Skipped without
// LEAKS_BENCH_REPO.
func BenchmarkHistoryScan(b *testing.B) {
	root := os.Getenv("LEAKS_BENCH_REPO")
	if root == "" {
		b.Skip("LEAKS_BENCH_REPO not set")
	}
	det, err := LoadGitleaks(root)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	t, err := Resolve(ctx, root, Scope{Kind: History})
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
