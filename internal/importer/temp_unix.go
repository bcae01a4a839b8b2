//go:build unix

package importer

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// ownedBySelf reports whether the file belongs to this process's user.
func ownedBySelf(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// running reports whether a process of that pid runs (signal 0 checks
// without signalling; a process of another user refuses it, but runs).
func running(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
