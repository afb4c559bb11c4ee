package cli

import "path/filepath"

// pathInRoot returns path relative to root, "/"-separated, as the leak
// scanner names files; "" when path is empty or lies outside root. Both
// are made absolute first, so a --config relative to the working directory
// and a --path given another way still compare.
func pathInRoot(root, path string) string {
	if path == "" {
		return ""
	}
	absRoot, err1 := filepath.Abs(root)
	absPath, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return ""
	}
	rel, err := filepath.Rel(absRoot, absPath)
	if err != nil || !filepath.IsLocal(rel) {
		return ""
	}
	return filepath.ToSlash(rel)
}
