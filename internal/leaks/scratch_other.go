//go:build !linux

package leaks

// memoryDirs: none known outside Linux (macOS has no tmpfs; its file
// system makes the re-merge's scratch objects cheap enough).
func memoryDirs() []string { return nil }

func inMemory(string) bool { return false }

func freeBytes(string) uint64 { return 0 }
