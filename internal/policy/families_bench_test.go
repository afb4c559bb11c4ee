package policy

import (
	"context"
	"testing"
)

// BenchmarkLoadFamilies compiles the built-in policies in full and with the
// leaks rules only (a staged run without policy files), with the
// aggregator and without it (LoadRules: no waivers, no judge).
func BenchmarkLoadFamilies(b *testing.B) {
	for _, bc := range []struct {
		name     string
		families []string
	}{{"all", nil}, {"leaks", []string{"leaks"}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := LoadFamilies(context.Background(), nil, bc.families); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("leaks rules only", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadRules(context.Background(), []string{"leaks"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
