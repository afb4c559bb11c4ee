package run

import (
	"context"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
)

// BenchmarkCheckEmptyDir is secretgate check --offline on an empty
// directory, the start-up every run pays: with no role, policy or secret
// read, only the leaks rules compile (fromRepository). "all rules" is the
// same run compiling every selected family, as before.
func BenchmarkCheckEmptyDir(b *testing.B) {
	for _, bc := range []struct {
		name string
		all  bool
	}{{"leaks rules", false}, {"all rules", true}} {
		b.Run(bc.name, func(b *testing.B) {
			root := b.TempDir()
			for b.Loop() {
				p := offlinePlan(root, config.Default())
				p.CompileAll = bc.all
				if _, err := Check(context.Background(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
