package cli

import (
	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/leaks"
)

// leakCacheFlags choose where the leak scanner keeps its cache of clean
// results (docs/leaks.md#the-cache).
type leakCacheFlags struct {
	dir     string
	noCache bool
}

func (c *leakCacheFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&c.dir, "cache-dir", "", "directory of the leak scanner's cache of clean files and commits (default: the user cache directory's secretgate/leaks)")
	fl.BoolVar(&c.noCache, "no-cache", false, "scan every file and commit again, without reading or writing the cache")
}

// cacheDir is the cache directory to use; "" for none (--no-cache, or no
// user cache directory when none was given).
func (c *leakCacheFlags) cacheDir() string {
	if c.noCache {
		return ""
	}
	if c.dir != "" {
		return c.dir
	}
	dir, err := leaks.DefaultCacheDir()
	if err != nil {
		return ""
	}
	return dir
}
