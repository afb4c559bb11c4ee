package safefile

import (
	"os"
	"syscall"
)

// Magic numbers of file systems whose "regular" files are views of the
// system (statfs(2)).
const (
	procSuperMagic = 0x9fa0
	sysfsMagic     = 0x62656572
)

// special refuses an open file that lives on procfs or sysfs wherever they
// are mounted, not only below /proc and /sys.
func special(name string, f *os.File) error {
	var st syscall.Statfs_t
	var statErr error
	rc, err := f.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) { statErr = syscall.Fstatfs(int(fd), &st) })
	}
	if err != nil || statErr != nil {
		return nil //nolint:nilerr // cannot tell: the other checks stand
	}
	switch st.Type {
	case procSuperMagic, sysfsMagic:
		return &Error{Path: name, Err: ErrNotRegular, Msg: "is a /proc or /sys file, not a regular file; not read"}
	}
	return nil
}
