//go:build linux

package leaks

import (
	"os"
	"syscall"
)

// tmpfsMagic is the file system type statfs reports for tmpfs.
const tmpfsMagic = 0x01021994

// memoryDirs are where a directory in memory may be: the temporary
// directory when it is a tmpfs, the user's runtime directory, /dev/shm.
func memoryDirs() []string {
	return []string{os.TempDir(), os.Getenv("XDG_RUNTIME_DIR"), "/dev/shm"}
}

// inMemory reports whether dir is on a tmpfs.
func inMemory(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == tmpfsMagic
}

// freeBytes is the space left on dir's file system for an unprivileged
// user; 0 when unknown.
func freeBytes(dir string) uint64 {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil || st.Bsize <= 0 {
		return 0
	}
	return st.Bavail * uint64(st.Bsize)
}
