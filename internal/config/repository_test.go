package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepositoryFromURL(t *testing.T) {
	tests := map[string]string{
		"https://github.com/acme/payments.git":                     "acme/payments",
		"https://github.com/acme/payments":                         "acme/payments",
		"https://github.com/acme/payments/":                        "acme/payments",
		"http://github.com/acme/payments.git":                      "acme/payments",
		"https://x-access-token:ghs_abc@github.com/acme/pay.ments": "acme/pay.ments",
		"git@github.com:acme/payments.git":                         "acme/payments",
		"github.com:acme/payments":                                 "acme/payments",
		"ssh://git@github.com/acme/payments.git":                   "acme/payments",
		"ssh://git@github.com:22/acme/payments":                    "acme/payments",
		"git://github.com/acme/payments.git":                       "acme/payments",
		"https://ghe.example.com/acme/payments.git":                "acme/payments",
		"https://gitlab.com/group/sub/repo.git":                    "",
		"/srv/git/payments.git":                                    "",
		"../payments":                                              "",
		"file:///srv/git/acme/payments.git":                        "",
		"":                                                         "",
		"C:\\repos\\payments":                                      "",
	}
	for in, want := range tests {
		if got := RepositoryFromURL(in); got != want {
			t.Errorf("RepositoryFromURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultRepository(t *testing.T) {
	gitConfig := func(t *testing.T, dir, text string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	const cfg = `[core]
	repositoryformatversion = 0
[remote "upstream"]
	url = git@github.com:upstream/payments.git
[remote "origin"]
	fetch = +refs/heads/*:refs/remotes/origin/*
	url = "https://github.com/acme/payments.git" ; a comment
[branch "main"]
	remote = origin
`

	t.Run("GITHUB_REPOSITORY wins", func(t *testing.T) {
		root := t.TempDir()
		gitConfig(t, filepath.Join(root, ".git"), cfg)
		if got := DefaultRepository(root, env(map[string]string{"GITHUB_REPOSITORY": "acme/actions"})); got != "acme/actions" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("invalid GITHUB_REPOSITORY is ignored", func(t *testing.T) {
		root := t.TempDir()
		gitConfig(t, filepath.Join(root, ".git"), cfg)
		if got := DefaultRepository(root, env(map[string]string{"GITHUB_REPOSITORY": "garbage"})); got != "acme/payments" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("origin of .git/config", func(t *testing.T) {
		root := t.TempDir()
		gitConfig(t, filepath.Join(root, ".git"), cfg)
		if got := DefaultRepository(root, nil); got != "acme/payments" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("worktree .git file with commondir", func(t *testing.T) {
		main := t.TempDir()
		gitConfig(t, filepath.Join(main, ".git"), "[remote \"origin\"]\n\turl = ssh://git@github.com/acme/worktree.git\n")
		wtDir := filepath.Join(main, ".git", "worktrees", "feature")
		if err := os.MkdirAll(wtDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wtDir, "commondir"), []byte("../..\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, ".git"), []byte("gitdir: "+wtDir+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := DefaultRepository(root, env(nil)); got != "acme/worktree" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("submodule .git file, relative gitdir", func(t *testing.T) {
		root := t.TempDir()
		gitConfig(t, filepath.Join(root, "modules", "sub"), "[remote \"origin\"]\n\turl = git@github.com:acme/sub.git\n")
		sub := filepath.Join(root, "sub")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, ".git"), []byte("gitdir: ../modules/sub\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := DefaultRepository(sub, nil); got != "acme/sub" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("no origin", func(t *testing.T) {
		root := t.TempDir()
		gitConfig(t, filepath.Join(root, ".git"), "[remote \"upstream\"]\n\turl = git@github.com:a/b.git\n")
		if got := DefaultRepository(root, nil); got != "" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("not a repository", func(t *testing.T) {
		if got := DefaultRepository(t.TempDir(), env(nil)); got != "" {
			t.Errorf("got %q", got)
		}
	})
}
