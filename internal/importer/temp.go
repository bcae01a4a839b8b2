package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// An XLSX read keeps its temporary files (the file itself, and the sheets
// and shared strings excelize streams) in a directory of its own,
// <pid>-<processStart>-<random>, under BinaKerja's temporary directory
// (tempRoot), and an upload spooled for an import is a file there,
// <pid>-<processStart>-upload-<random> (see Spool). Close and Remove remove
// them; SweepTemp removes those of processes gone.

// processStart tells this process from an earlier one of the same pid (as
// in a container restarted, where the server is always pid 1).
var processStart = strconv.FormatInt(time.Now().UnixNano(), 36)

// tempRootName is BinaKerja's temporary directory under the system's, one
// per user (a user's processes cannot read nor remove another's files).
func tempRootName() string {
	if uid := os.Geteuid(); uid >= 0 {
		return "binakerja-xlsx-" + strconv.Itoa(uid)
	}
	return "binakerja-xlsx" // Windows: the temporary directory is the user's own
}

// tempRoot returns BinaKerja's temporary directory, made 0700 when missing.
// One found there must be a real directory (not a symlink) of this user,
// or the people in the files read would be open to whoever made it; its
// mode is set back to 0700.
func tempRoot() (string, error) {
	dir := filepath.Join(os.TempDir(), tempRootName())
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() || !ownedBySelf(fi) {
		return "", fmt.Errorf("importer: %s is not a directory of this user; remove it", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil { // #nosec G302 -- a directory: 0700 is its owner's alone
			return "", err
		}
	}
	return dir, nil
}

// tempDir makes the temporary directory of one XLSX read (mode 0700).
func tempDir() (string, error) {
	root, err := tempRoot()
	if err != nil {
		return "", err
	}
	return os.MkdirTemp(root, fmt.Sprintf("%d-%s-", os.Getpid(), processStart))
}

// SweepTemp removes what XLSX reads and spooled uploads left in BinaKerja's
// temporary directory when their process ended without closing them
// (killed, or crashed): the directories and files of processes no longer
// running. The server calls it when it
// starts. Those of this process and of other running ones (another server,
// a command-line import) are kept.
func SweepTemp() error {
	root, err := tempRoot()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !liveTemp(e.Name()) {
			errs = append(errs, os.RemoveAll(filepath.Join(root, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// liveTemp reports whether the temporary directory name belongs to a
// process still running. A pid in use again by some other process keeps
// its directory until a later sweep.
func liveTemp(name string) bool {
	parts := strings.SplitN(name, "-", 3)
	if len(parts) != 3 {
		return false
	}
	pid, err := strconv.Atoi(parts[0])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return parts[1] == processStart
	}
	return running(pid)
}
