package policy

import (
	"context"
	"testing"
)

// BenchmarkLoadFamilies compiles the built-in policies in full and with the
// leaks rules only (a staged run without policy files).
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
}
