package table

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// Branches share the table's data files, manifests and index files: a
// branch made from a tag starts at a snapshot of its parent, and a
// fast-forward gives the target the branch's snapshots. Expiry, tag
// deletion and rollback decide what to delete from one branch's
// snapshots and tags only (as Paimon does), so before deleting they drop
// the files another branch still references (unshared). Paimon has no such
// check: there, a branch's copy of its tag keeps the files it shares with
// the parent (and the parent's tag the other way), and deleting either tag
// can delete files the other branch reads.

// unshared returns keys less the files that a branch other than t's (main
// included) references from a snapshot, a tag or a long-lived changelog.
// With no other branch it returns keys as they are, after one listing.
func (t *Table) unshared(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return keys, nil
	}
	names, err := t.Branches(ctx)
	if err != nil {
		return nil, err
	}
	var others []string
	if t.branch != MainBranch {
		others = append(others, MainBranch)
	}
	for _, n := range names {
		if n != t.branch {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		return keys, nil
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	var mu sync.Mutex
	shared := map[string]bool{}
	mark := func(ks ...string) {
		mu.Lock()
		for _, k := range ks {
			if want[k] {
				shared[k] = true
			}
		}
		mu.Unlock()
	}
	for _, n := range others {
		b, err := open(ctx, t.store, n)
		if err != nil {
			return nil, fmt.Errorf("files of branch %s (kept from deletion): %w", n, err)
		}
		if err := b.referenced(ctx, mark); err != nil {
			return nil, fmt.Errorf("files of branch %s (kept from deletion): %w", n, err)
		}
	}
	if len(shared) == 0 {
		return keys, nil
	}
	out := make([]string, 0, len(keys)-len(shared))
	for _, k := range keys {
		if !shared[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// referenced calls mark with the keys of every file t's snapshots, tags
// and long-lived changelogs reference: the live data files of its earliest
// snapshot and what the later deltas add (a data file lives in a
// contiguous range of snapshots), changelog files, manifest lists,
// manifests, index manifests and files, statistics. Snapshots that
// disappear meanwhile (a concurrent expiry) are skipped.
func (t *Table) referenced(ctx context.Context, mark func(...string)) error {
	ids, err := snapshot.List(ctx, t.meta)
	if err != nil {
		return err
	}
	have := make(map[int64]bool, len(ids))
	for _, id := range ids {
		have[id] = true
	}
	markRefs := func(r expireSnap) {
		mark(r.files()...)
		for k := range r.live {
			mark(k)
		}
		for _, d := range r.delta {
			if d.add {
				mark(d.key)
				mark(d.extras...)
			}
		}
	}
	gone := func(err error) bool {
		return errors.Is(err, snapshot.ErrNotFound) || errors.Is(err, storage.ErrNotFound)
	}
	// The earliest snapshot that reads in full gives the live files; the
	// later ones what their deltas add.
	first := -1
	for i, id := range ids {
		s, err := snapshot.Read(ctx, t.meta, id)
		if gone(err) {
			continue
		}
		if err != nil {
			return err
		}
		r, err := t.snapRefs(ctx, s, refsWant{meta: true, delta: true, changelog: true, live: true})
		if gone(err) {
			continue
		}
		if err != nil {
			return err
		}
		markRefs(r)
		first = i
		break
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(expireParallel)
	// markDelta marks what the snapshot (or long-lived changelog) read
	// returns adds; one gone meanwhile marks nothing.
	markDelta := func(read func(context.Context) (*snapshot.Snapshot, error)) func() error {
		return func() error {
			s, err := read(gctx)
			if gone(err) {
				return nil
			}
			if err != nil {
				return err
			}
			r, err := t.snapRefs(gctx, s, refsWant{meta: true, delta: true, changelog: true})
			if gone(err) {
				return nil
			}
			markRefs(r)
			return err
		}
	}
	if first >= 0 {
		for _, id := range ids[first+1:] {
			g.Go(markDelta(func(ctx context.Context) (*snapshot.Snapshot, error) { return snapshot.Read(ctx, t.meta, id) }))
		}
	}
	tags, err := snapshot.Tags(ctx, t.meta)
	if err != nil {
		return err
	}
	for _, tg := range tags {
		if have[tg.ID] {
			continue // the snapshot's own files, marked above
		}
		g.Go(func() error {
			r, err := t.snapRefs(gctx, &tg.Snapshot, refsWant{meta: true, changelog: true, live: true})
			if gone(err) {
				return nil
			}
			markRefs(r)
			return err
		})
	}
	cls, err := snapshot.ListChangelogs(ctx, t.meta)
	if err != nil {
		return err
	}
	for _, id := range cls {
		g.Go(markDelta(func(ctx context.Context) (*snapshot.Snapshot, error) { return snapshot.ReadChangelog(ctx, t.meta, id) }))
	}
	return g.Wait()
}
