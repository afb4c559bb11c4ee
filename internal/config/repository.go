package config

import (
	"bufio"
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DefaultRepository names the repository being checked as "org/repo", for
// the default of github.repositories: GITHUB_REPOSITORY when set (GitHub
// Actions), else the URL of the remote "origin" in the git configuration of
// root (https://github.com/org/repo.git, git@github.com:org/repo.git or
// ssh://git@github.com/org/repo). It reads .git/config directly, following a
// .git file (worktrees, submodules), and returns "" when it cannot tell.
func DefaultRepository(root string, getenv func(string) string) string {
	if getenv != nil {
		if r := strings.TrimSpace(getenv("GITHUB_REPOSITORY")); repositoryRE.MatchString(r) {
			return r
		}
	}
	dir := gitDir(root)
	if dir == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil {
		return ""
	}
	return RepositoryFromURL(remoteURL(data, "origin"))
}

// gitDir returns the directory holding the repository's config: .git, or
// for a .git file ("gitdir: …") the directory it names, or that
// directory's commondir for a linked worktree.
func gitDir(root string) string {
	dotgit := filepath.Join(root, ".git")
	info, err := os.Stat(dotgit)
	if err != nil {
		return ""
	}
	if info.IsDir() {
		return dotgit
	}
	b, err := os.ReadFile(dotgit)
	if err != nil {
		return ""
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
	if !ok {
		return ""
	}
	dir := strings.TrimSpace(target)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if c, err := os.ReadFile(filepath.Join(dir, "commondir")); err == nil {
		common := strings.TrimSpace(string(c))
		if !filepath.IsAbs(common) {
			common = filepath.Join(dir, common)
		}
		return common
	}
	return dir
}

// remoteURL finds url in the [remote "name"] section of a git config file.
func remoteURL(data []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	in := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				in = false
				continue
			}
			sec := strings.TrimSpace(line[1:end])
			kind, sub, _ := strings.Cut(sec, " ")
			in = strings.EqualFold(kind, "remote") && strings.Trim(strings.TrimSpace(sub), `"`) == name
			continue
		}
		if !in {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "url") {
			continue
		}
		return gitValue(val)
	}
	return ""
}

// gitValue unquotes a git config value and drops a trailing comment.
func gitValue(v string) string {
	v = strings.TrimSpace(v)
	var b strings.Builder
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case (c == '#' || c == ';') && !quoted:
			return strings.TrimSpace(b.String())
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// RepositoryFromURL returns "org/repo" from a git remote URL: https or
// http, ssh://, git:// and the scp-like git@host:org/repo.git form. It
// returns "" for local paths and for URLs whose path is not two segments.
// Credentials in the URL are never part of the result.
func RepositoryFromURL(raw string) string {
	raw = strings.TrimSpace(raw)
	var path string
	switch {
	case raw == "":
		return ""
	case strings.Contains(raw, "://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.Scheme == "file" {
			return ""
		}
		path = u.Path
	default:
		// scp-like: [user@]host:path, with no slash before the colon.
		i := strings.IndexByte(raw, ':')
		if i <= 0 || strings.ContainsAny(raw[:i], `/\`) {
			return ""
		}
		path = raw[i+1:]
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	if repositoryRE.MatchString(path) {
		return path
	}
	return ""
}
