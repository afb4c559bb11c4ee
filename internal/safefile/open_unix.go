//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// openNonblocking opens a file read-only with O_NONBLOCK, so that opening
// a FIFO never waits for a writer; for a regular file the flag changes
// nothing.
func openNonblocking(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
