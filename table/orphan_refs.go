package table

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// This file collects the names of the files that snapshots reference:
// manifest lists (base, delta, changelog), the manifests they list, the
// data and changelog files of every entry of those manifests (ADD and
// DELETE alike, with their extra files such as .index files), the index
// manifest and its index files, and the statistics file. Orphan cleanup
// uses it over every snapshot, tag and long-lived changelog of every
// branch; snapshot expiry can use fileRefs over the snapshots it keeps.
//
// Names are enough: every file Paimon and floe write carries a random
// UUID in its name, and Java's OrphanFilesClean matches by name too, so a
// file moved by a different partition path computation is still known.

// fileRefs is a set of referenced file names being collected. Manifests
// are read once each, however many snapshots list them, after the
// snapshots' lists (readPending), so memory is the set of names plus the
// manifests in flight. It remembers which sources need each metadata file
// it could not find (missing), so that a file that vanished with its
// snapshot (expired meanwhile) can be told from one that a live snapshot
// still needs. Not safe for concurrent use.
type fileRefs struct {
	st    *storage.Store // the table root: manifests are shared by branches
	mu    sync.Mutex     // guards names while manifests are read concurrently
	names map[string]struct{}
	meta  map[string]*metaRef // manifests and index manifests, by name
	// missing holds the metadata files not found, with the sources that
	// need them (none: only sources that may lose them, see addSnapshot).
	missing map[string]*metaRef
	// inflight is how many manifests readPending reads at once.
	inflight int
}

// metaKind says how a metadata file is read.
type metaKind uint8

const (
	metaList metaKind = iota
	metaManifest
	metaIndexManifest
)

// metaRef is a manifest or index manifest to read, and the sources that
// need it.
type metaRef struct {
	kind     metaKind
	read     bool
	notFound bool // read, and not found
	by       sourceSet
}

// sourceSet is a set of source indexes (a bit set).
type sourceSet []uint64

func (s *sourceSet) add(i int) {
	for len(*s) <= i/64 {
		*s = append(*s, 0)
	}
	(*s)[i/64] |= 1 << (i % 64)
}

func (s sourceSet) any() bool {
	for _, w := range s {
		if w != 0 {
			return true
		}
	}
	return false
}

func (s sourceSet) each(fn func(i int) bool) {
	for w, b := range s {
		for b != 0 {
			i := bits.TrailingZeros64(b)
			if !fn(w*64 + i) {
				return
			}
			b &^= 1 << i
		}
	}
}

func newFileRefs(st *storage.Store) *fileRefs {
	return &fileRefs{st: st, names: map[string]struct{}{}, meta: map[string]*metaRef{},
		missing: map[string]*metaRef{}, inflight: manifest.ReadLimit}
}

// has reports whether name is referenced.
func (r *fileRefs) has(name string) bool {
	_, ok := r.names[name]
	return ok
}

// len returns the number of distinct names referenced.
func (r *fileRefs) len() int { return len(r.names) }

func (r *fileRefs) add(name string) {
	if name == "" {
		return
	}
	if _, ok := r.names[name]; !ok {
		// Decoded strings may view a whole Avro block: keep a copy only.
		r.names[strings.Clone(name)] = struct{}{}
	}
}

// addMeta records that source src (-1: none that must have it) needs the
// metadata file name, to be read by readPending.
func (r *fileRefs) addMeta(name string, kind metaKind, src int) {
	m := r.meta[name]
	if m == nil {
		m = &metaRef{kind: kind}
		r.meta[strings.Clone(name)] = m
	}
	if src >= 0 {
		m.by.add(src)
		if m.notFound {
			// Not found while nothing needed it: look again, now that
			// something does.
			m.read, m.notFound = false, false
		}
	}
}

// addSnapshot adds the files snapshot s references, as source src (see
// addLists), reading its manifest lists; the manifests they list are read
// by readPending. Read errors other than a missing list are returned.
func (r *fileRefs) addSnapshot(ctx context.Context, s *snapshot.Snapshot, src int, keepsOnlyChangelog bool) error {
	sl, err := readSnapshotLists(ctx, r.st, s)
	if err != nil {
		return err
	}
	r.addLists(sl, src, keepsOnlyChangelog)
	return nil
}

// snapshotLists is a snapshot and what its manifest lists hold.
type snapshotLists struct {
	snap  *snapshot.Snapshot
	lists []readList
}

// readList is one manifest list of a snapshot, read.
type readList struct {
	name      string
	changelog bool // the changelog manifest list
	notFound  bool
	metas     []manifest.FileMeta
}

// readSnapshotLists reads the base, delta and changelog manifest lists of
// s. A list that is not found is marked so; other errors are returned.
func readSnapshotLists(ctx context.Context, st *storage.Store, s *snapshot.Snapshot) (*snapshotLists, error) {
	sl := &snapshotLists{snap: s}
	add := func(name string, changelog bool) error {
		if name == "" {
			return nil
		}
		l := readList{name: name, changelog: changelog}
		var err error
		l.metas, err = manifest.ReadList(ctx, st, name)
		if errors.Is(err, storage.ErrNotFound) {
			l.notFound = true
		} else if err != nil {
			return err
		}
		sl.lists = append(sl.lists, l)
		return nil
	}
	if err := add(s.BaseManifestList, false); err != nil {
		return nil, err
	}
	if err := add(s.DeltaManifestList, false); err != nil {
		return nil, err
	}
	if s.ChangelogManifestList != nil {
		if err := add(*s.ChangelogManifestList, true); err != nil {
			return nil, err
		}
	}
	return sl, nil
}

// addLists adds the files a snapshot references, as source src: its
// lists, the manifests they list (to be read by readPending), its index
// manifest and statistics file. A list that was not found goes to
// missing. With keepsOnlyChangelog (a long-lived changelog-<id>, whose
// base and delta lists and index manifest Paimon's expiry deletes while
// keeping the record for its changelog), only the changelog manifest list
// and its manifests must exist.
func (r *fileRefs) addLists(sl *snapshotLists, src int, keepsOnlyChangelog bool) {
	needs := func(changelog bool) int {
		if keepsOnlyChangelog && !changelog {
			return -1
		}
		return src
	}
	s := sl.snap
	for _, l := range sl.lists {
		r.add(l.name)
		if l.notFound {
			if by := needs(l.changelog); by >= 0 {
				m := r.missing[l.name]
				if m == nil {
					m = &metaRef{kind: metaList}
					r.missing[strings.Clone(l.name)] = m
				}
				m.by.add(by)
			}
			continue
		}
		for i := range l.metas {
			r.add(l.metas[i].FileName)
			r.addMeta(l.metas[i].FileName, metaManifest, needs(l.changelog))
		}
	}
	if s.IndexManifest != nil && *s.IndexManifest != "" {
		r.add(*s.IndexManifest)
		r.addMeta(*s.IndexManifest, metaIndexManifest, needs(false))
	}
	if s.Statistics != nil {
		r.add(*s.Statistics)
	}
}

// readPending reads every manifest and index manifest not read yet,
// inflight at once, and adds the files they name. One that is not found
// goes to missing (with the sources that need it); other errors are
// returned.
func (r *fileRefs) readPending(ctx context.Context) error {
	var todo []string
	for name, m := range r.meta {
		if !m.read {
			todo = append(todo, name)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.inflight)
	var missing []string
	for _, name := range todo {
		m := r.meta[name]
		g.Go(func() error {
			var names []string
			var err error
			switch m.kind {
			case metaManifest:
				var es []manifest.Entry
				es, err = manifest.ReadManifest(gctx, r.st, name)
				for i := range es {
					names = append(names, es[i].File.FileName)
					names = append(names, es[i].File.ExtraFiles...)
				}
			case metaIndexManifest:
				var es []manifest.IndexEntry
				es, err = manifest.ReadIndexManifest(gctx, r.st, name)
				for i := range es {
					names = append(names, es[i].FileName)
				}
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if errors.Is(err, storage.ErrNotFound) {
				missing = append(missing, name)
				return nil
			}
			if err != nil {
				return err
			}
			for _, n := range names {
				r.add(n)
			}
			return nil
		})
	}
	err := g.Wait()
	for _, name := range todo {
		r.meta[name].read = true
	}
	if err != nil {
		return err
	}
	for _, name := range missing {
		m := r.meta[name]
		m.notFound = true
		if m.by.any() {
			r.missing[name] = &metaRef{kind: m.kind, by: append(sourceSet(nil), m.by...)}
		}
	}
	return nil
}

// refSource is a file that keeps other files alive: a snapshot, a tag or
// a long-lived changelog of a branch.
type refSource struct {
	branch string // "" for the main branch
	kind   refKind
	id     int64         // snapshot or changelog id
	tag    *snapshot.Tag // a tag, read when listed
}

type refKind uint8

const (
	refSnapshot refKind = iota
	refTag
	refChangelog
)

// branchKeyPrefix is the key prefix of a branch's directory ("" for main).
func branchKeyPrefix(branch string) string {
	if branch == "" {
		return ""
	}
	return "branch/branch-" + branch + "/"
}

// key identifies the source: its path, and for a tag the snapshot it
// names (a tag replaced by another is another source).
func (s refSource) key() string {
	switch s.kind {
	case refTag:
		return branchKeyPrefix(s.branch) + snapshot.TagPath(s.tag.Name) + "@" + strconv.FormatInt(s.tag.ID, 10)
	case refChangelog:
		return branchKeyPrefix(s.branch) + snapshot.ChangelogPath(s.id)
	}
	return branchKeyPrefix(s.branch) + snapshot.SnapshotPath(s.id)
}

// path is the source's file, relative to the table root.
func (s refSource) path() string {
	if s.kind == refTag {
		return branchKeyPrefix(s.branch) + snapshot.TagPath(s.tag.Name)
	}
	return s.key()
}

// refCollection gathers the references of every source of a table,
// re-listing the sources until the set is stable (see collectRefs).
type refCollection struct {
	*fileRefs
	root    *storage.Store
	sources []refSource
	index   map[string]int // by key
	done    []bool
	// Sources counts the sources read; Vanished the files (sources and
	// the metadata files they name) that were not found and whose sources
	// are gone (expired, rolled back, deleted) since.
	Sources, Vanished int
}

// Retries of the reference collection.
var (
	// refsRetryWait is the first wait before the sources that need a
	// missing file are listed again (doubling each time).
	refsRetryWait = 100 * time.Millisecond
	// refsMissingAttempts bounds how often a missing file is looked for
	// again while a source that needs it still exists.
	refsMissingAttempts = 5
	// refsNewRounds bounds the extra rounds for sources that appear during
	// the collection (commits keep coming; files they add are too young
	// for any cleanup that respects its threshold).
	refsNewRounds = 3
)

// collectRefs collects the names of every file referenced by the
// snapshots, tags and long-lived changelogs of every branch of the table
// rooted at root. Call it after listing the files to be judged: a
// snapshot committed meanwhile is then included. It lists the sources,
// reads them, then lists again and reads those not read yet (new commits,
// long-lived changelogs written by an expiry), until no new one appears
// (at most refsNewRounds extra rounds). A source that vanished before it
// was read (expired, rolled back, tag deleted) is skipped: files only it
// referenced are being deleted with it, and files still in use are
// referenced by the sources that remain. A metadata file that is not
// found is looked for again, after a wait, for as long as a source that
// needs it still exists; if it is still missing after
// refsMissingAttempts, the table is damaged and the error (matching
// storage.ErrNotFound) names the file and the source. Any other read or
// listing error is returned.
func collectRefs(ctx context.Context, root *storage.Store) (*refCollection, error) {
	c := &refCollection{fileRefs: newFileRefs(root), root: root, index: map[string]int{}}
	tries := map[string]int{} // how often a missing file was looked for again
	for round := 0; ; round++ {
		listed, err := c.listSources(ctx)
		if err != nil {
			return nil, err
		}
		present := make([]bool, len(c.sources)+len(listed))
		var work []int
		for _, s := range listed {
			k := s.key()
			i, ok := c.index[k]
			if !ok {
				i = len(c.sources)
				c.index[k] = i
				c.sources = append(c.sources, s)
				c.done = append(c.done, false)
			}
			present[i] = true
			if !c.done[i] {
				work = append(work, i)
			}
		}
		// A missing file still counts while a source needing it exists:
		// wait, then read it (or the source naming it) again.
		wait := time.Duration(0)
		for name, m := range c.missing {
			alive := -1
			m.by.each(func(i int) bool {
				if i < len(present) && present[i] {
					alive = i
					return false
				}
				return true
			})
			if alive < 0 {
				delete(c.missing, name)
				delete(tries, name)
				c.Vanished++
				continue
			}
			if tries[name] >= refsMissingAttempts {
				return nil, fmt.Errorf("collect referenced files: %s, which %s needs, is missing: %w",
					name, c.sources[alive].path(), storage.ErrNotFound)
			}
			wait = max(wait, refsRetryWait<<tries[name])
			tries[name]++
			if m.kind == metaList {
				c.done[alive] = false
			} else {
				m := c.meta[name]
				m.read, m.notFound = false, false
			}
		}
		if len(c.missing) > 0 {
			if err := sleepCtx(ctx, wait); err != nil {
				return nil, err
			}
			clear(c.missing)
			work = work[:0]
			for i := range c.sources {
				if i < len(present) && present[i] && !c.done[i] {
					work = append(work, i)
				}
			}
		} else if len(work) == 0 || round > refsNewRounds {
			return c, nil
		}
		if err := c.readSources(ctx, work); err != nil {
			return nil, err
		}
		if err := c.readPending(ctx); err != nil {
			return nil, err
		}
	}
}

// readSources reads the sources work (a few at once) and adds their
// references. A source or list that is not found goes to missing.
func (c *refCollection) readSources(ctx context.Context, work []int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.inflight)
	for _, i := range work {
		s := c.sources[i]
		g.Go(func() error {
			var snap *snapshot.Snapshot
			st := c.root.Sub(branchKeyPrefix(s.branch))
			var err error
			switch s.kind {
			case refTag:
				snap = &s.tag.Snapshot
			case refSnapshot:
				snap, err = snapshot.Read(gctx, st, s.id)
			case refChangelog:
				snap, err = snapshot.ReadChangelog(gctx, st, s.id)
			}
			var sl *snapshotLists
			if err == nil {
				sl, err = readSnapshotLists(gctx, c.root, snap)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			c.done[i] = true
			if errors.Is(err, storage.ErrNotFound) {
				// Gone since it was listed (expired, rolled back), or a
				// list of it is: the next listing tells.
				m := &metaRef{kind: metaList}
				m.by.add(i)
				c.missing[s.path()] = m
				return nil
			}
			if err != nil {
				return err
			}
			c.Sources++
			c.addLists(sl, i, s.kind == refChangelog)
			return nil
		})
	}
	return g.Wait()
}

// listSources lists the sources of every branch: per branch its
// snapshots, then its tags, then its long-lived changelogs. Snapshots
// come before changelogs because an expiry writes changelog-<id> before
// it deletes snapshot-<id>: a snapshot missed by this listing is found by
// the next one.
func (c *refCollection) listSources(ctx context.Context) ([]refSource, error) {
	branches, err := listBranches(ctx, c.root)
	if err != nil {
		return nil, err
	}
	var out []refSource
	for _, b := range append([]string{""}, branches...) {
		st := c.root.Sub(branchKeyPrefix(b))
		ids, err := snapshot.List(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, refSource{branch: b, kind: refSnapshot, id: id})
		}
		tags, err := snapshot.Tags(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, t := range tags {
			out = append(out, refSource{branch: b, kind: refTag, tag: t})
		}
		ids, err = snapshot.ListChangelogs(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, refSource{branch: b, kind: refChangelog, id: id})
		}
	}
	return out, nil
}

// listBranches returns the names of the table's branches
// (branch/branch-<name>/ directories). A branch without a schema file is
// refused, as Java's orphan cleanup does: it is being created or deleted,
// or damaged, and its files cannot be told apart.
func listBranches(ctx context.Context, root *storage.Store) ([]string, error) {
	names, err := root.ListDir(ctx, "branch")
	if err != nil {
		return nil, fmt.Errorf("list branch: %w", err)
	}
	var out []string
	for _, n := range names {
		name, ok := strings.CutPrefix(n, "branch-")
		if !ok || !strings.HasSuffix(name, "/") || name == "/" {
			continue
		}
		name = strings.TrimSuffix(name, "/")
		ids, err := schemaIDs(ctx, root.Sub(branchKeyPrefix(name)))
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("branch %s has no schema file (being created or deleted?): %w", name, ErrNotTable)
		}
		out = append(out, name)
	}
	return out, nil
}
