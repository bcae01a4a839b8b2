//go:build !unix

package importer

import (
	"io/fs"
	"os"
)

// ownedBySelf: on Windows the temporary directory is under the user's own
// profile, which other users cannot write to.
func ownedBySelf(fs.FileInfo) bool { return true }

// running reports whether a process of that pid runs: on Windows, finding
// it opens it, which fails once it has ended.
func running(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
