package snapshot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/floelake/floe/storage"
)

// Dir is a directory of numbered snapshot-JSON files with LATEST and
// EARLIEST hints: the snapshot directory or the long-lived changelog
// directory. Its methods take the table (or branch) store, are stateless and
// safe for concurrent use.
type Dir struct {
	Name   string // directory, e.g. "snapshot"
	Prefix string // file name prefix, e.g. "snapshot-"
}

// The two numbered directories of a table.
var (
	Snapshots  = Dir{Name: SnapshotDir, Prefix: SnapshotPrefix}
	Changelogs = Dir{Name: ChangelogDir, Prefix: ChangelogPrefix}
)

// readAttempts bounds how often a file that discovery has just seen is
// re-read when it turns out to be missing (expired or replaced concurrently).
const readAttempts = 3

// Path returns "<dir>/<prefix><id>".
func (d Dir) Path(id int64) string { return d.Name + "/" + d.Prefix + strconv.FormatInt(id, 10) }

func (d Dir) hintPath(h string) string { return d.Name + "/" + h }

// Read reads and decodes file id. A missing file gives an error matching
// ErrNotFound (and storage.ErrNotFound). A file whose id field differs from
// its name is reported as ErrCorrupt.
func (d Dir) Read(ctx context.Context, store *storage.Store, id int64) (*Snapshot, error) {
	s, _, err := d.readRaw(ctx, store, id)
	return s, err
}

func (d Dir) readRaw(ctx context.Context, store *storage.Store, id int64) (*Snapshot, []byte, error) {
	p := d.Path(id)
	b, err := store.Read(ctx, p)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil, fmt.Errorf("%w: %s: %w", ErrNotFound, p, err)
		}
		return nil, nil, fmt.Errorf("read %s: %w", p, err)
	}
	s, err := Decode(p, b)
	if err != nil {
		return nil, b, err
	}
	if s.ID != id {
		return nil, b, fmt.Errorf("decode %s: %w: id field is %d", p, ErrCorrupt, s.ID)
	}
	return s, b, nil
}

// Exists reports whether file id exists.
func (d Dir) Exists(ctx context.Context, store *storage.Store, id int64) (bool, error) {
	ok, err := store.Exists(ctx, d.Path(id))
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", d.Path(id), err)
	}
	return ok, nil
}

// List returns the ids of every file in the directory, ascending. Names
// starting with "." and names that do not parse are ignored.
func (d Dir) List(ctx context.Context, store *storage.Store) ([]int64, error) {
	names, err := store.ListDir(ctx, d.Name)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d.Name, err)
	}
	var ids []int64
	for _, n := range names {
		if id, ok := ParseID(d.Prefix, n); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// readHint returns the id in a hint file, or 0 if the file is missing,
// unreadable, empty or not a positive decimal. Hints are never trusted
// without checking the files they name.
func (d Dir) readHint(ctx context.Context, store *storage.Store, h string) int64 {
	b, err := store.Read(ctx, d.hintPath(h))
	if err != nil {
		return 0
	}
	id, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// LatestID returns the id of the newest file, or 0 if there is none.
//
// The LATEST hint is used only when file <hint> exists and file <hint+1>
// does not (ids are dense, so then <hint> is the newest); otherwise the
// directory is listed and the largest id wins. A missing, empty, garbage or
// stale hint therefore only costs a listing.
func (d Dir) LatestID(ctx context.Context, store *storage.Store) (int64, error) {
	if h := d.readHint(ctx, store, LatestHint); h > 0 && h < 1<<62 {
		next, err := d.Exists(ctx, store, h+1)
		if err != nil {
			return 0, err
		}
		if !next {
			cur, err := d.Exists(ctx, store, h)
			if err != nil {
				return 0, err
			}
			if cur {
				return h, nil
			}
		}
	}
	ids, err := d.List(ctx, store)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[len(ids)-1], nil
}

// Latest reads the newest file. With no file at all it returns an error
// matching ErrNotFound. If the file found vanishes before it is read (it was
// expired, or the hint raced with a writer), discovery is repeated up to
// three times.
func (d Dir) Latest(ctx context.Context, store *storage.Store) (*Snapshot, error) {
	return d.readFound(ctx, store, d.LatestID)
}

// EarliestID returns the id of the oldest file, or 0 if there is none.
//
// The EARLIEST hint is used only when file <hint> exists and file <hint-1>
// does not; otherwise the directory is listed and the smallest id wins.
func (d Dir) EarliestID(ctx context.Context, store *storage.Store) (int64, error) {
	if h := d.readHint(ctx, store, EarliestHint); h > 0 {
		cur, err := d.Exists(ctx, store, h)
		if err != nil {
			return 0, err
		}
		if cur {
			prev := false
			if h > 1 {
				if prev, err = d.Exists(ctx, store, h-1); err != nil {
					return 0, err
				}
			}
			if !prev {
				return h, nil
			}
		}
	}
	ids, err := d.List(ctx, store)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// Earliest reads the oldest file. With no file at all it returns an error
// matching ErrNotFound. If the oldest file is expired while it is being
// found, the next ids are tried.
func (d Dir) Earliest(ctx context.Context, store *storage.Store) (*Snapshot, error) {
	return d.readFound(ctx, store, d.EarliestID)
}

// readFound reads the file that find names, repeating discovery up to
// readAttempts times when that file vanishes before it is read.
func (d Dir) readFound(ctx context.Context, store *storage.Store, find func(context.Context, *storage.Store) (int64, error)) (*Snapshot, error) {
	var last error
	for range readAttempts {
		id, err := find(ctx, store)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			return nil, fmt.Errorf("%w: no file in %s", ErrNotFound, d.Name)
		}
		s, err := d.Read(ctx, store, id)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return s, err
		}
		last = err
	}
	return nil, last
}

// AtOrBefore returns the newest file whose timeMillis is ≤ millis, for time
// travel. Commit times grow with ids, so it binary-searches the listed ids
// (O(log n) reads). If every file is newer it returns an error matching
// ErrNotFound.
func (d Dir) AtOrBefore(ctx context.Context, store *storage.Store, millis int64) (*Snapshot, error) {
	var last error
	for range readAttempts {
		s, err := d.atOrBefore(ctx, store, millis)
		if err == nil || !errors.Is(err, storage.ErrNotFound) {
			return s, err
		}
		last = err // a file vanished mid-search (expired): search again
	}
	return nil, last
}

func (d Dir) atOrBefore(ctx context.Context, store *storage.Store, millis int64) (*Snapshot, error) {
	ids, err := d.List(ctx, store)
	if err != nil {
		return nil, err
	}
	var best *Snapshot
	lo, hi := 0, len(ids)-1
	for lo <= hi {
		mid := int(uint(lo+hi) >> 1)
		s, err := d.Read(ctx, store, ids[mid])
		if err != nil {
			return nil, err
		}
		if s.TimeMillis <= millis {
			best, lo = s, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no file in %s at or before %d", ErrNotFound, d.Name, millis)
	}
	return best, nil
}

// WriteLatestHint overwrites the LATEST hint with id (decimal, no newline).
// Hints are best effort: callers log a failure and carry on.
func (d Dir) WriteLatestHint(ctx context.Context, store *storage.Store, id int64) error {
	return d.writeHint(ctx, store, LatestHint, id)
}

// WriteEarliestHint overwrites the EARLIEST hint with id.
func (d Dir) WriteEarliestHint(ctx context.Context, store *storage.Store, id int64) error {
	return d.writeHint(ctx, store, EarliestHint, id)
}

func (d Dir) writeHint(ctx context.Context, store *storage.Store, h string, id int64) error {
	if err := store.Write(ctx, d.hintPath(h), []byte(strconv.FormatInt(id, 10))); err != nil {
		return fmt.Errorf("write hint %s: %w", d.hintPath(h), err)
	}
	return nil
}

// Read reads snapshot/snapshot-<id>.
func Read(ctx context.Context, store *storage.Store, id int64) (*Snapshot, error) {
	return Snapshots.Read(ctx, store, id)
}

// List returns the snapshot ids present, ascending.
func List(ctx context.Context, store *storage.Store) ([]int64, error) {
	return Snapshots.List(ctx, store)
}

// LatestID returns the newest snapshot id, or 0 for an empty table.
func LatestID(ctx context.Context, store *storage.Store) (int64, error) {
	return Snapshots.LatestID(ctx, store)
}

// Latest reads the newest snapshot (ErrNotFound for an empty table).
func Latest(ctx context.Context, store *storage.Store) (*Snapshot, error) {
	return Snapshots.Latest(ctx, store)
}

// EarliestID returns the oldest snapshot id, or 0 for an empty table.
func EarliestID(ctx context.Context, store *storage.Store) (int64, error) {
	return Snapshots.EarliestID(ctx, store)
}

// Earliest reads the oldest snapshot (ErrNotFound for an empty table).
func Earliest(ctx context.Context, store *storage.Store) (*Snapshot, error) {
	return Snapshots.Earliest(ctx, store)
}

// AtOrBefore returns the newest snapshot committed at or before millis.
func AtOrBefore(ctx context.Context, store *storage.Store, millis int64) (*Snapshot, error) {
	return Snapshots.AtOrBefore(ctx, store, millis)
}

// WriteLatestHint overwrites snapshot/LATEST (best effort).
func WriteLatestHint(ctx context.Context, store *storage.Store, id int64) error {
	return Snapshots.WriteLatestHint(ctx, store, id)
}

// WriteEarliestHint overwrites snapshot/EARLIEST (best effort).
func WriteEarliestHint(ctx context.Context, store *storage.Store, id int64) error {
	return Snapshots.WriteEarliestHint(ctx, store, id)
}
