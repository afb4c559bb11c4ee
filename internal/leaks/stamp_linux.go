//go:build linux

package leaks

import (
	"io/fs"
	"syscall"
)

// stampOf is the file's stat stamp; false when the platform does not say.
func stampOf(fi fs.FileInfo) (fileStamp, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStamp{}, false
	}
	return fileStamp{
		size:  fi.Size(),
		mtime: fi.ModTime().UnixNano(),
		ctime: st.Ctim.Nano(),
		ino:   st.Ino,
		dev:   uint64(st.Dev), //nolint:unconvert // int32 on some platforms
	}, true
}
