// Package rootpath makes a path relative to a repository root, the one way
// secretgate does it: for the configuration file's place in findings, the
// SARIF anchor, the leak scanner's credential references and annotation
// paths below GITHUB_WORKSPACE.
package rootpath

import "path/filepath"

// Rel returns path relative to root, "/"-separated, and whether it lies
// inside root ("." for root itself). Both are made absolute first, so a
// path relative to the working directory and a root given another way
// still compare. A path outside root, or an empty one, gives "", false.
// Whether a path leaves root is decided by filepath.IsLocal, never by a
// ".." prefix: a directory named "..x" lies inside.
func Rel(root, path string) (string, bool) {
	if path == "" || root == "" {
		return "", false
	}
	absRoot, err1 := filepath.Abs(root)
	absPath, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(absRoot, absPath)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
