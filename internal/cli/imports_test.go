package cli

import (
	"go/build"
	"strings"
	"testing"
)

// TestNoAWSImports holds the line between the CLI and a run: live AWS
// access (the SDK, sessions, the inventory reader) belongs to internal/run,
// so the CLI's own code imports none of it.
func TestNoAWSImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Imports) == 0 {
		t.Fatal("no imports read")
	}
	forbidden := []string{"github.com/aws/", "github.com/secretgate/secretgate/internal/awsauth", "github.com/secretgate/secretgate/internal/awsinv"}
	for _, imp := range pkg.Imports {
		for _, f := range forbidden {
			if strings.HasPrefix(imp, f) {
				t.Errorf("internal/cli imports %s: AWS access belongs to internal/run", imp)
			}
		}
	}
}
