package cli

import "runtime/debug"

// version is the version secretgate reports: Version when the build set
// it (make build), else what the Go toolchain recorded in the binary — the
// module version for `go install …@v1.2.3`, the version derived from the
// repository's tags for a build in a checkout (pre-commit's `go install
// ./…`), else the commit — and "dev" only when nothing is known.
func version() string { return versionFrom(Version, debug.ReadBuildInfo) }

func versionFrom(set string, read func() (*debug.BuildInfo, bool)) string {
	if set != "" && set != "dev" {
		return set
	}
	bi, ok := read()
	if !ok || bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return "dev-" + rev + modified
}
