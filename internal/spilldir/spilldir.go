// Package spilldir gives each table writer a private local directory for
// its write-buffer spill files, and removes the directories that writers
// of dead processes left behind.
//
// A writer's directory is named floe-spill-<pid>-<random> (the pid is for
// people reading a listing) and holds a file named lock on which the
// owning process keeps an exclusive flock(2) while the directory is in
// use. The kernel drops the lock when the process exits, however it dies,
// so a sweeper that can take the lock knows the owner is gone; a reused pid
// changes nothing. A directory is created under a hidden staging name,
// locked, then renamed, so a sweeper never sees one before its lock is held.
// Directories of the sweeping process itself are recognised from an
// in-process registry and never touched.
//
// Sweeping needs flock, which floe uses on Linux, macOS and the BSDs; on
// other systems, and on file systems that refuse flock, nothing is swept.
// The parent should be a local file system (flock over NFS may not see
// other machines' locks).
package spilldir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// Prefix starts the name of every spill directory.
	Prefix = "floe-spill-"
	// stagingPrefix names a directory being created (not yet locked).
	stagingPrefix = ".floe-spill-new-"
	// LockName is the lock file inside a spill directory.
	LockName = "lock"
	// unlockedAge is how old a directory without a usable lock file (a
	// staging directory of a crashed creator, or one made by hand) must be
	// before a sweep removes it.
	unlockedAge = time.Hour
)

// live holds the base names of this process's open directories.
var live = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// Dir is a spill directory owned by this process. Its path is fixed when
// the Dir is made; the directory itself is created by the first Ensure.
// A Dir is not safe for concurrent use; its owner must Close it.
type Dir struct {
	path   string
	lock   *os.File
	made   bool
	closed bool
}

// New names a fresh spill directory inside parent ("" = os.TempDir())
// without creating it.
func New(parent string) *Dir {
	if parent == "" {
		parent = os.TempDir()
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	name := Prefix + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(r[:])
	return &Dir{path: filepath.Join(parent, name)}
}

// Path returns the directory's path.
func (d *Dir) Path() string { return d.path }

// Ensure creates and locks the directory unless it exists already.
func (d *Dir) Ensure() error {
	if d.closed {
		return errors.New("spilldir: closed")
	}
	if d.made {
		return nil
	}
	parent, name := filepath.Split(d.path)
	staging, err := os.MkdirTemp(parent, stagingPrefix+"*")
	if err != nil {
		return fmt.Errorf("spilldir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(staging, LockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		os.RemoveAll(staging)
		return fmt.Errorf("spilldir: %w", err)
	}
	// A file system without flock leaves the directory unlocked: sweepers
	// cannot lock it either, and leave it alone.
	_, _ = tryLock(f)
	live.Lock()
	live.names[name] = true
	live.Unlock()
	if err := os.Rename(staging, d.path); err != nil {
		live.Lock()
		delete(live.names, name)
		live.Unlock()
		f.Close()
		os.RemoveAll(staging)
		return fmt.Errorf("spilldir: %w", err)
	}
	d.lock, d.made = f, true
	return nil
}

// Close removes the directory and everything in it, then releases its
// lock. If the removal fails, a later Sweep removes what is left.
func (d *Dir) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if !d.made {
		return nil
	}
	err := os.RemoveAll(d.path)
	d.lock.Close()
	live.Lock()
	delete(live.names, filepath.Base(d.path))
	live.Unlock()
	return err
}

// Sweep removes the spill directories in parent ("" = os.TempDir()) whose
// owning process is gone, and returns their paths. Directories it cannot
// judge (no flock, an error reading them) are left alone; the first error
// met is returned with the paths removed so far.
func Sweep(parent string) ([]string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	ents, err := os.ReadDir(parent)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("spilldir: %w", err)
	}
	var removed []string
	var first error
	for _, e := range ents {
		name := e.Name()
		staging := strings.HasPrefix(name, stagingPrefix)
		if !e.IsDir() || !(staging || strings.HasPrefix(name, Prefix)) {
			continue
		}
		live.Lock()
		mine := live.names[name]
		live.Unlock()
		if mine {
			continue
		}
		path := filepath.Join(parent, name)
		err := removeIfOwnerGone(path, staging)
		if err == nil {
			removed = append(removed, path)
		} else if !errors.Is(err, errAlive) && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = fmt.Errorf("spilldir: %w", err)
		}
	}
	return removed, first
}

// errAlive reports a directory whose owner may be alive.
var errAlive = errors.New("spilldir: owner may be alive")

// removeIfOwnerGone removes the directory at path if its owner is gone: its
// lock can be taken (and is held during the removal), or it is a staging
// directory or has no lock file, and is older than unlockedAge. Otherwise
// it returns errAlive.
func removeIfOwnerGone(path string, staging bool) error {
	if !staging {
		f, err := os.OpenFile(filepath.Join(path, LockName), os.O_RDWR, 0)
		if err == nil {
			defer f.Close()
			locked, err := tryLock(f)
			switch {
			case errors.Is(err, errNoLocks):
				return errAlive // cannot tell
			case err != nil:
				return err
			case !locked:
				return errAlive
			}
			return os.RemoveAll(path)
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if !Supported {
		return errAlive
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if time.Since(st.ModTime()) <= unlockedAge {
		return errAlive
	}
	return os.RemoveAll(path)
}
