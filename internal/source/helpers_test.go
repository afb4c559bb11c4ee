package source

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// parseRepoFile parses one file of testdata/repo as the scanner would.
func parseRepoFile(t *testing.T, rel string) fileResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "repo", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return parseFile(rel, data)
}

func at(file string, line int) facts.Location { return facts.Location{File: file, Line: line} }

func strs(s ...string) []string { return s }

func yes() *bool { return boolPtr(true) }
func no() *bool  { return boolPtr(false) }

// cmpFacts compares facts; nil and empty maps and lists of optional
// fields are the same to a rule.
var cmpFacts = cmp.Options{cmpopts.EquateEmpty()}

func wantNoProblems(t *testing.T, r fileResult) {
	t.Helper()
	if len(r.errs) > 0 || r.skip != nil {
		t.Fatalf("unexpected problems: errs=%v skip=%v", r.errs, r.skip)
	}
}

func diffProblems(t *testing.T, what string, want, got []result.InputProblem) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}
