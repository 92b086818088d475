// Package cachefile reads and checks the files of msticgo's caches (the
// query parse cache and the lookup cache). A cache is only a hint: these
// helpers never block on an odd entry (a FIFO, a device) and refuse a
// folder that someone else could write entries into.
package cachefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is returned for an entry that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for an entry larger than the caller's limit.
var ErrTooLarge = errors.New("cache entry too large")

// ReadFile reads path when it is a regular file of at most max bytes. It
// never follows a final symlink and never waits for a writer: a FIFO,
// socket, device or symlink is refused with ErrNotRegular (the file is
// opened non-blocking and checked again once open, so swapping it between
// the checks does not help).
func ReadFile(path string, max int64) ([]byte, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("cache entry %s: %w", path, ErrNotRegular)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|oNoFollow, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err = f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("cache entry %s: %w", path, ErrNotRegular)
	}
	if st.Size() > max {
		return nil, fmt.Errorf("cache entry %s: %w", path, ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("cache entry %s: %w", path, ErrTooLarge)
	}
	return b, nil
}

// ErrUnsafeDir is returned by CheckDir for a folder others could write to.
var ErrUnsafeDir = errors.New("cache folder is writable by others")

// CheckDir returns nil when dir (which must exist; a symlink to a folder
// is followed) is a directory owned by the current user (on systems with
// owners) without group or other write permission, else an error
// (ErrUnsafeDir for a folder others could write to). An entry planted in
// such a folder by someone else would otherwise be trusted.
func CheckDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("cache folder %s: %w", dir, fs.ErrInvalid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("cache folder %s (mode %v): %w", dir, st.Mode().Perm(), ErrUnsafeDir)
	}
	if !ownedByUser(st) {
		return fmt.Errorf("cache folder %s is owned by another user: %w", dir, ErrUnsafeDir)
	}
	return nil
}
