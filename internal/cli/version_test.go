package cli

import (
	"runtime/debug"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	info := func(main string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/secretgate/secretgate", Version: main}, Settings: settings}, true
		}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0386ea1f0c2d4e5f60718293a4b5c6d7e8f90123"}
	tests := []struct {
		name string
		set  string
		read func() (*debug.BuildInfo, bool)
		want string
	}{
		{"set at build time wins", "v1.4.0", info("v9.9.9"), "v1.4.0"},
		{"go install module@version", "dev", info("v1.2.3"), "v1.2.3"},
		{"checkout build with tags (pre-commit)", "dev", info("v1.2.4-0.20261126120000-0386ea1f0c2d+dirty"), "v1.2.4-0.20261126120000-0386ea1f0c2d+dirty"},
		{"devel build with a commit", "dev", info("(devel)", rev), "dev-0386ea1f0c2d"},
		{"modified checkout", "", info("(devel)", rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"}), "dev-0386ea1f0c2d-dirty"},
		{"nothing known", "dev", info("(devel)"), "dev"},
		{"no build info", "dev", func() (*debug.BuildInfo, bool) { return nil, false }, "dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionFrom(tc.set, tc.read); got != tc.want {
				t.Errorf("versionFrom = %q, want %q", got, tc.want)
			}
		})
	}
}
