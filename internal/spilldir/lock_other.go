//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package spilldir

import (
	"errors"
	"os"
)

// Supported says this system has flock: not here, so Sweep removes nothing.
const Supported = false

var errNoLocks = errors.New("spilldir: no flock on this system")

func tryLock(*os.File) (bool, error) { return false, errNoLocks }
