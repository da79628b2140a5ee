package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// DefaultOrphanAge is how old an unreferenced file must be before
// RemoveOrphanFiles deletes it when RemoveOrphansOptions.OlderThan is
// zero: one day, as in Paimon.
const DefaultOrphanAge = 24 * time.Hour

// ErrOrphanThreshold reports an orphan-file age threshold that is not in
// the past. *OrphanThresholdError matches it.
var ErrOrphanThreshold = errors.New("table: orphan file threshold not in the past")

// OrphanThresholdError reports a RemoveOrphansOptions.OlderThan below zero:
// the cutoff would lie in the future, and every file being written now,
// which no snapshot references yet, would be deleted. It matches
// ErrOrphanThreshold.
type OrphanThresholdError struct {
	OlderThan time.Duration
}

func (e *OrphanThresholdError) Error() string {
	return fmt.Sprintf("table: orphan files must be older than a time in the past, not %v from now "+
		"(the files of commits in flight are not referenced yet)", (-e.OlderThan).Round(time.Second))
}

// Is makes an *OrphanThresholdError match ErrOrphanThreshold.
func (e *OrphanThresholdError) Is(target error) bool { return target == ErrOrphanThreshold }

// RemoveOrphansOptions tunes RemoveOrphanFiles. The zero value removes the
// orphan files older than a day.
type RemoveOrphansOptions struct {
	// OlderThan keeps every file modified less than this long ago (zero:
	// DefaultOrphanAge; below zero is refused with an
	// *OrphanThresholdError). It must be longer than any write may take
	// from the first file it writes to its commit (a writer's files are
	// unreferenced until then), and longer than the clock difference
	// between this machine and the storage.
	OlderThan time.Duration
	// DryRun lists the orphan files without deleting them.
	DryRun bool
	// Logger receives a summary at Info (nil discards it).
	Logger *slog.Logger
}

// OrphanFile is a file RemoveOrphanFiles deleted (or, in a dry run, would
// delete).
type OrphanFile struct {
	// Path is relative to the table root.
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
	// Temp marks the local driver's temporary file of a write that never
	// finished (.floe-<uuid>.tmp, see storage.Store.ListTemp).
	Temp bool `json:"temp,omitempty"`
}

// RemoveOrphansResult is what RemoveOrphanFiles did.
type RemoveOrphansResult struct {
	// Files are the files deleted (in a dry run: that would be), sorted
	// by path, and Bytes their total size.
	Files []OrphanFile `json:"files"`
	Bytes int64        `json:"bytes"`
	// DryRun is set when nothing was deleted on purpose.
	DryRun bool `json:"dryRun"`
	// Cutoff: only files modified before it were considered.
	Cutoff time.Time `json:"cutoff"`
	// Candidates counts the files considered (old enough, in the places
	// orphan files can be); Referenced the distinct file names the
	// snapshots, tags and changelogs reference; Sources how many of those
	// were read, over every branch.
	Candidates int `json:"candidates"`
	Referenced int `json:"referenced"`
	Sources    int `json:"sources"`
}

// RemoveOrphanFiles deletes the files under the table's directory that
// no snapshot, tag or long-lived changelog of any branch references and
// that were last modified more than opts.OlderThan ago (Paimon's
// remove_orphan_files). Those are the files of commits that never
// happened or were abandoned (data and changelog files, manifests,
// manifest lists, index files, statistics), and the temporary files of
// interrupted writes (floe's .floe-<uuid>.tmp, Paimon's .<name>.<uuid>.tmp).
//
// It looks at files in the places Paimon writes them: manifest/, index/,
// statistics/, the bucket directories (at the table's partition depth,
// below data-file.path-directory; and their index/ sub-directory), and in
// snapshot/ and changelog/ of each branch everything that is not a
// snapshot, changelog or hint file, as Java does. In schema/, tag/ and
// consumer/ only temporary files are removed. Files at external paths are
// not looked at. Directories are never removed, nor anything recursively.
//
// All files are listed first, then the references are collected from the
// snapshots and tags that exist after the listing, re-listing them until
// no new one appears, so a commit that lands during the run keeps its
// files. A commit still being written is protected by the age threshold
// only. Any listing or read error stops the run before anything is
// deleted; a snapshot that disappears while it is read (expired) is
// skipped after listing the snapshots again, but a metadata file that a
// snapshot still present needs and that cannot be found fails the run
// (the table is damaged; nothing is deleted). A deletion error stops the
// deletions; the result holds what was deleted until then.
//
// It is safe to run beside writers, compactions and expiry of this table
// in this or other processes, given the threshold. Nothing is deleted in
// a dry run. Writers' spill and lookup-cache directories are local
// (WriterOptions.SpillDir), never under the table; writers sweep those of
// dead processes themselves.
func (t *Table) RemoveOrphanFiles(ctx context.Context, opts RemoveOrphansOptions) (*RemoveOrphansResult, error) {
	if opts.OlderThan < 0 {
		return nil, &OrphanThresholdError{OlderThan: opts.OlderThan}
	}
	if opts.OlderThan == 0 {
		opts.OlderThan = DefaultOrphanAge
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res := &RemoveOrphansResult{DryRun: opts.DryRun, Cutoff: time.Now().Add(-opts.OlderThan), Files: []OrphanFile{}}
	layout := t.orphanLayout()
	cands, err := listOrphanCandidates(ctx, t.store, layout, res.Cutoff)
	if err != nil {
		return nil, fmt.Errorf("remove orphan files: %w", err)
	}
	res.Candidates = len(cands)
	refs, err := collectRefs(ctx, t.store)
	if err != nil {
		return nil, fmt.Errorf("remove orphan files: %w", err)
	}
	res.Referenced, res.Sources = refs.len(), refs.Sources
	var orphans []OrphanFile
	for _, c := range cands {
		if c.Temp || !refs.has(path.Base(c.Path)) {
			orphans = append(orphans, c)
		}
	}
	deleted, err := deleteOrphans(ctx, t.store, orphans, opts.DryRun)
	res.Files = append(res.Files, deleted...)
	for _, f := range res.Files {
		res.Bytes += f.Size
	}
	log.Info("remove orphan files", "dry_run", opts.DryRun, "older_than", opts.OlderThan.String(),
		"candidates", res.Candidates, "referenced", res.Referenced, "sources", res.Sources,
		"vanished", refs.Vanished, "files_deleted", len(res.Files), "bytes_deleted", res.Bytes)
	if err != nil {
		return res, fmt.Errorf("remove orphan files: %w", err)
	}
	return res, nil
}

// deleteOrphans deletes files (a few at once), or none in a dry run, and
// returns those it deleted, sorted by path. A file already gone (another
// cleanup, an expiry) is not counted. The first other error stops it.
func deleteOrphans(ctx context.Context, st *storage.Store, files []OrphanFile, dryRun bool) ([]OrphanFile, error) {
	if dryRun {
		return files, nil
	}
	var mu sync.Mutex
	var out []OrphanFile
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(orphanDeleteLimit)
	for _, f := range files {
		g.Go(func() error {
			var err error
			if f.Temp {
				err = st.DeleteTemp(gctx, f.Path)
			} else {
				err = st.Delete(gctx, f.Path)
			}
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			mu.Lock()
			out = append(out, f)
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	slices.SortFunc(out, func(a, b OrphanFile) int { return strings.Compare(a.Path, b.Path) })
	return out, err
}

// orphanDeleteLimit and orphanListLimit bound the storage calls in flight.
const (
	orphanDeleteLimit = 8
	orphanListLimit   = 8
)

// orphanLayout says where a table's files are (see orphanCandidate).
type orphanLayout struct {
	// dataDir is data-file.path-directory with a trailing "/", or "".
	dataDir string
	// partitions is the number of partition columns.
	partitions int
}

func (t *Table) orphanLayout() orphanLayout {
	l := orphanLayout{partitions: len(t.latest.PartitionKeys)}
	if v, ok := t.latest.Option("data-file.path-directory"); ok && strings.Trim(v, "/") != "" {
		l.dataDir = strings.Trim(v, "/") + "/"
	}
	return l
}

// orphanCandidate reports whether the file at key (relative to the table
// root) is in a place where orphan cleanup may delete it once no snapshot
// references it, and why ("" when it is not):
//
//   - manifest/, index/, statistics/: every file;
//   - a bucket directory (<dataDir><k1=v1>/…/bucket-<n>/ at the
//     partition depth) and its index/ sub-directory: every file;
//   - snapshot/ and changelog/ of any branch: every file but snapshot-*
//     (changelog-*) and the LATEST and EARLIEST hints, as Java does;
//   - schema/, tag/, consumer/ of any branch: Paimon's temporary files
//     .<name>.<uuid>.tmp only.
//
// Anything deeper or elsewhere is never a candidate. floe's own
// temporary files are listed apart (storage.Store.ListTemp) and are
// candidates anywhere.
func orphanCandidate(key string, l orphanLayout) string {
	segs := strings.Split(key, "/")
	name := segs[len(segs)-1]
	meta := segs
	if len(segs) >= 3 && segs[0] == "branch" && strings.HasPrefix(segs[1], "branch-") && len(segs[1]) > len("branch-") {
		meta = segs[2:]
	}
	if len(meta) == 2 {
		switch meta[0] {
		case snapshot.SnapshotDir:
			if !strings.HasPrefix(name, snapshot.SnapshotPrefix) && !isHint(name) {
				return "not a snapshot"
			}
			return ""
		case snapshot.ChangelogDir:
			if !strings.HasPrefix(name, snapshot.ChangelogPrefix) && !isHint(name) {
				return "not a changelog"
			}
			return ""
		case "schema", snapshot.TagDir, snapshot.ConsumerDir:
			if isPaimonTemp(name) {
				return "temporary"
			}
			return ""
		}
	}
	if len(segs) == 2 {
		switch segs[0] {
		case manifest.Dir:
			return "manifest"
		case "index":
			return "index"
		case "statistics":
			return "statistics"
		}
	}
	rest, ok := strings.CutPrefix(key, l.dataDir)
	if !ok {
		return ""
	}
	segs = strings.Split(rest, "/")
	switch {
	case len(segs) == l.partitions+2:
	case len(segs) == l.partitions+3 && segs[l.partitions+1] == "index":
	default:
		return ""
	}
	for _, p := range segs[:l.partitions] {
		if !strings.Contains(p, "=") {
			return ""
		}
	}
	if !strings.HasPrefix(segs[l.partitions], "bucket-") {
		return ""
	}
	return "bucket"
}

// isHint reports the hint files, and floe's rollback marker (a running or
// killed Rollback: never an orphan, however old).
func isHint(name string) bool {
	return name == snapshot.LatestHint || name == snapshot.EarliestHint || name == path.Base(rollbackMarker)
}

// isPaimonTemp reports whether name is Java Paimon's temporary file of an
// atomic write, .<target name>.<uuid>.tmp (Path.createTempPath).
func isPaimonTemp(name string) bool {
	const uuidLen = 36
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, ".tmp")
	if !ok || len(rest) < uuidLen+2 || rest[len(rest)-uuidLen-1] != '.' {
		return false
	}
	_, err := uuid.Parse(rest[len(rest)-uuidLen:])
	return err == nil
}

// listOrphanCandidates lists the files that orphanCandidate accepts and
// that were modified before cutoff, and floe's temporary files modified
// before it, sorted by path. Files without a modification time are never
// candidates. Any listing error is returned.
func listOrphanCandidates(ctx context.Context, st *storage.Store, l orphanLayout, cutoff time.Time) ([]OrphanFile, error) {
	branches, err := listBranches(ctx, st)
	if err != nil {
		return nil, err
	}
	dirs := []string{manifest.Dir + "/", "index/", "statistics/"}
	for _, b := range append([]string{""}, branches...) {
		for _, d := range []string{snapshot.SnapshotDir, snapshot.ChangelogDir, "schema", snapshot.TagDir, snapshot.ConsumerDir} {
			dirs = append(dirs, branchKeyPrefix(b)+d+"/")
		}
	}
	buckets, err := listBucketDirs(ctx, st, l)
	if err != nil {
		return nil, err
	}
	dirs = append(dirs, buckets...)

	old := func(o storage.Object) bool { return !o.ModTime.IsZero() && o.ModTime.Before(cutoff) }
	var mu sync.Mutex
	var out []OrphanFile
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(orphanListLimit)
	for _, d := range dirs {
		g.Go(func() error {
			objs, err := st.List(gctx, d)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, o := range objs {
				if old(o) && orphanCandidate(o.Key, l) != "" {
					out = append(out, OrphanFile{Path: o.Key, Size: o.Size, ModTime: o.ModTime})
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		objs, err := st.ListTemp(gctx, "")
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, o := range objs {
			if old(o) {
				out = append(out, OrphanFile{Path: o.Key, Size: o.Size, ModTime: o.ModTime, Temp: true})
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b OrphanFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// listBucketDirs returns the bucket directories (ending in "/") below the
// data directory: at each of the partition levels the sub-directories
// named k=v, then those named bucket-*. Directories of other names are
// not Paimon's and are skipped, as in Java.
func listBucketDirs(ctx context.Context, st *storage.Store, l orphanLayout) ([]string, error) {
	level := []string{l.dataDir}
	for depth := 0; depth <= l.partitions; depth++ {
		var mu sync.Mutex
		var next []string
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(orphanListLimit)
		for _, dir := range level {
			g.Go(func() error {
				names, err := st.ListDir(gctx, dir)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				for _, n := range names {
					sub, ok := strings.CutSuffix(n, "/")
					if !ok {
						continue
					}
					if depth < l.partitions && strings.Contains(sub, "=") ||
						depth == l.partitions && strings.HasPrefix(sub, "bucket-") {
						next = append(next, dir+n)
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		level = next
	}
	slices.Sort(level)
	return level, nil
}
