package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/rootpath"
)

// repoRoot validates --path, the repository root, the same way for every
// command: it must be an existing directory. It returns the root made
// absolute.
func repoRoot(path string) (string, error) {
	root, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("--path %s: %w", path, err)
	}
	if info, err := os.Stat(root); err != nil {
		return "", fmt.Errorf("--path %s: does not exist", path)
	} else if !info.IsDir() {
		return "", fmt.Errorf("--path %s: not a directory", path)
	}
	return root, nil
}

// loadConfig is the one configuration loader of every command: --config
// when given, else .secretgate.yml (or .secretgate.yaml) at root when
// present, else the defaults. File locations in the configuration's facts
// are relative to root. path is the file loaded ("" for the defaults), as
// config.Find names it.
func loadConfig(root, explicit string) (cfg *config.Config, path string, err error) {
	if path, err = config.Find(root, explicit); err != nil {
		return nil, "", err
	}
	if path == "" {
		return config.Default(), "", nil
	}
	// The repository's file must stay inside it; a --config outside the
	// repository is the user's own choice (still a regular file).
	within := ""
	if _, inside := rootpath.Rel(root, path); inside {
		within = root
	}
	if cfg, err = config.LoadIn(within, path); err != nil {
		return nil, "", err
	}
	cfg.RepoRoot = root
	return cfg, path, nil
}

// loadRepoConfig validates --path (repoRoot) and loads the configuration
// (loadConfig): what the commands other than check need.
func loadRepoConfig(pathFlag, configFlag string) (root string, cfg *config.Config, err error) {
	if root, err = repoRoot(pathFlag); err != nil {
		return "", nil, err
	}
	if cfg, _, err = loadConfig(root, configFlag); err != nil {
		return "", nil, err
	}
	return root, cfg, nil
}
