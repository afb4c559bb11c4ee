package leaks

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// git log --remerge-diff writes the result of merging each merge's
// parents again as loose objects into a temporary object directory inside
// the repository's (.git/objects/tmp_objdir-remerge-diff-*), and empties
// it after each merge: on pallets/flask some 1,100 files created and
// unlinked and 550 directories made and removed, which on a disk file
// system cost as much time as the re-merging itself (each rmdir waits for
// the journal) and write into the repository scanned. With a tmpfs at
// hand, that git gets an object directory of its own in memory
// (GIT_OBJECT_DIRECTORY), reading the repository's objects as an
// alternate (GIT_ALTERNATE_OBJECT_DIRECTORIES): the same objects, the same
// output, nothing written to the repository.

// scratchMinFree is the room a tmpfs must have left to be used: a
// merge's scratch objects are the files it merges, and a full tmpfs would
// fail the scan (a container's /dev/shm is 64 MiB by default).
const scratchMinFree = 1 << 30

// scratchParent is a writable directory on a tmpfs with scratchMinFree
// left; "" when there is none.
var scratchParent = sync.OnceValue(func() string {
	for _, dir := range memoryDirs() {
		if dir == "" || !inMemory(dir) || freeBytes(dir) < scratchMinFree {
			continue
		}
		probe, err := os.MkdirTemp(dir, "secretgate-probe-*")
		if err != nil {
			continue
		}
		_ = os.Remove(probe)
		return dir
	}
	return ""
})

// remergeScratch makes the object directory of a re-merging git and
// returns the environment that points git at it and at objects, the
// repository's object directory, and a function that removes it. ok is
// false when git keeps its own (no tmpfs, or a path git's list of
// alternates cannot hold unquoted).
func remergeScratch(objects string) (env []string, cleanup func(), ok bool) {
	parent := scratchParent()
	if parent == "" || objects == "" {
		return nil, nil, false
	}
	dir, err := os.MkdirTemp(parent, "secretgate-remerge-*")
	if err != nil {
		return nil, nil, false
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	env, ok = remergeEnv(objects, dir, os.Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))
	if !ok {
		cleanup()
		return nil, nil, false
	}
	return env, cleanup, true
}

// remergeEnv is the environment of a git whose object directory is
// scratch and that reads objects (and the alternates already in the
// environment, as in a pre-receive hook's quarantine) as alternates.
func remergeEnv(objects, scratch, alternates string) ([]string, bool) {
	if !filepath.IsAbs(objects) || strings.ContainsAny(objects, ":\"\n") || strings.ContainsAny(scratch, ":\n") {
		return nil, false
	}
	alt := objects
	if alternates != "" {
		alt += string(filepath.ListSeparator) + alternates
	}
	return []string{"GIT_OBJECT_DIRECTORY=" + scratch, "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + alt}, true
}
