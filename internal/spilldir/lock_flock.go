//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package spilldir

import (
	"errors"
	"os"
	"syscall"
)

// Supported says this system has flock, so Sweep can remove directories.
const Supported = true

var errNoLocks = errors.New("spilldir: file system has no flock")

// tryLock takes an exclusive flock on f without waiting. It returns false
// when another open file holds the lock, and errNoLocks when the file
// system does not support flock.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.ENOTSUP), errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.ENOLCK):
			return false, errNoLocks
		default:
			return false, &os.PathError{Op: "flock", Path: f.Name(), Err: err}
		}
	}
}
