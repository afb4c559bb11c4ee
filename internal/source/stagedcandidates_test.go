package source

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestStagedCandidates(t *testing.T) {
	tests := []struct {
		name    string
		staged  []string
		exclude []string
		want    []string
	}{
		{"no policy file", []string{"main.go", "README.md", "deploy/prod.env"}, nil, nil},
		{"policy kinds", []string{"iam/a.json", "b.YML", "c.yaml", "stack.template", "main.go"}, nil, []string{"b.YML", "c.yaml", "iam/a.json", "stack.template"}},
		{"skipped directory", []string{"vendor/x/policy.json", "node_modules/y.yaml"}, nil, nil},
		{"excluded", []string{"iam/a.json", "ok.json"}, []string{"iam/**"}, []string{"ok.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := gitRepo(t)
			put(t, dir, "README.md", "base\n")
			gitT(t, dir, "add", "-A")
			gitT(t, dir, "commit", "-q", "-m", "base")
			for _, rel := range tc.staged {
				put(t, dir, rel, "{}\n")
			}
			gitT(t, dir, "add", "-A")
			got, err := StagedCandidates(context.Background(), dir, Options{Exclude: tc.exclude})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("StagedCandidates = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStagedCandidatesSymlink(t *testing.T) {
	dir := gitRepo(t)
	put(t, dir, "target.txt", "x\n")
	if err := os.Symlink("target.txt", filepath.Join(dir, "link.json")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	gitT(t, dir, "add", "-A")
	got, err := StagedCandidates(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("StagedCandidates = %q, want none: a symbolic link is not read", got)
	}
}
