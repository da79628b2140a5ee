package table

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/floelake/floe/snapshot"
)

// RollbackOptions names the state to return to: one of SnapshotID and Tag.
type RollbackOptions struct {
	SnapshotID int64
	Tag        string
}

// RollbackResult says what Rollback removed.
type RollbackResult struct {
	// To is the snapshot the table is at now.
	To int64
	// Snapshots, Tags and Changelogs count the snapshot, tag and
	// long-lived changelog files removed (those after To).
	Snapshots, Tags, Changelogs int
	// DataFiles, ChangelogFiles and MetaFiles count the files deleted
	// that only the removed snapshots and tags referenced.
	DataFiles, ChangelogFiles, MetaFiles int
}

// Rollback returns the table to a snapshot or tag, as Paimon's
// rollback_to does: every later snapshot, tag and long-lived changelog is
// removed, newest first, so each state on the way (also after a crash) is
// an earlier table that reads in full; then the files only they
// referenced are deleted. Rolling back to a tag whose snapshot expired
// writes that snapshot back first.
//
// Rollback must not run while writers commit to the table: a commit
// prepared before it and published after it would build on removed
// snapshots (as in Paimon). Readers of removed snapshots fail.
func (t *Table) Rollback(ctx context.Context, opts RollbackOptions) (*RollbackResult, error) {
	var target *snapshot.Snapshot
	switch {
	case (opts.SnapshotID != 0) == (opts.Tag != ""):
		return nil, fmt.Errorf("%w: a rollback needs a snapshot id or a tag (one of them)", ErrInvalidOption)
	case opts.Tag != "":
		tag, err := snapshot.ReadTag(ctx, t.store, opts.Tag)
		if errors.Is(err, snapshot.ErrNotFound) {
			return nil, fmt.Errorf("%w: rollback: tag %q does not exist", ErrNoSnapshot, opts.Tag)
		}
		if err != nil {
			return nil, err
		}
		s := tag.Snapshot
		target = &s
	default:
		s, err := snapshot.Read(ctx, t.store, opts.SnapshotID)
		if errors.Is(err, snapshot.ErrNotFound) {
			return nil, fmt.Errorf("%w: rollback to snapshot %d: it does not exist (expired or never committed)", ErrNoSnapshot, opts.SnapshotID)
		}
		if err != nil {
			return nil, err
		}
		target = s
	}
	n := target.ID
	res := &RollbackResult{To: n}
	ids, err := snapshot.List(ctx, t.store)
	if err != nil {
		return nil, err
	}
	later := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id <= n })
	tags, err := snapshot.Tags(ctx, t.store)
	if err != nil {
		return nil, err
	}
	var laterTags []*snapshot.Tag
	for _, tg := range tags {
		if tg.ID > n {
			laterTags = append(laterTags, tg)
		}
	}
	plan, err := t.planRollback(ctx, target, later, laterTags)
	if err != nil {
		return nil, err
	}
	// The target's snapshot file first, when it expired (a tag target).
	if !slices.Contains(ids, n) {
		b, err := target.Encode()
		if err != nil {
			return nil, err
		}
		if err := t.store.Create(ctx, snapshot.SnapshotPath(n), b); err != nil {
			return nil, fmt.Errorf("write back %s: %w", snapshot.SnapshotPath(n), err)
		}
	}
	// Newest first: each step leaves a shorter history.
	for i := len(later) - 1; i >= 0; i-- {
		if err := t.deleteQuiet(ctx, snapshot.SnapshotPath(later[i])); err != nil {
			return res, err
		}
		res.Snapshots++
	}
	if err := snapshot.WriteLatestHint(ctx, t.store, n); err != nil {
		return res, err
	}
	if !slices.Contains(ids, n) {
		if err := snapshot.WriteEarliestHint(ctx, t.store, n); err != nil {
			return res, err
		}
	}
	for i := len(laterTags) - 1; i >= 0; i-- {
		if err := t.deleteQuiet(ctx, snapshot.TagPath(laterTags[i].Name)); err != nil {
			return res, err
		}
		res.Tags++
	}
	cls, err := snapshot.ListChangelogs(ctx, t.store)
	if err != nil {
		return res, err
	}
	for i := len(cls) - 1; i >= 0 && cls[i] > n; i-- {
		if err := t.deleteQuiet(ctx, snapshot.ChangelogPath(cls[i])); err != nil {
			return res, err
		}
		res.Changelogs++
	}
	ctx = context.WithoutCancel(ctx)
	for _, batch := range [][]string{plan.data, plan.changelog, plan.meta} {
		if err := t.deleteAll(ctx, batch); err != nil {
			return res, err
		}
	}
	res.DataFiles, res.ChangelogFiles, res.MetaFiles = len(plan.data), len(plan.changelog), len(plan.meta)
	return res, nil
}

// planRollback lists the files only the removed snapshots (ids, in order)
// and tags reference: the full references of the first removed snapshot
// and of each removed tag whose snapshot is gone, and what the later
// snapshots add, less what the target references (a file's life is a
// contiguous range of snapshots, so a file of the target's past that a
// removed snapshot holds is the target's too).
func (t *Table) planRollback(ctx context.Context, target *snapshot.Snapshot, ids []int64, tags []*snapshot.Tag) (expirePlan, error) {
	full := refsWant{meta: true, changelog: true, live: true}
	keepRefs, err := t.snapRefs(ctx, target, full)
	if err != nil {
		return expirePlan{}, err
	}
	keep := map[string]bool{}
	for _, k := range keepRefs.files() {
		keep[k] = true
	}
	for k := range keepRefs.live {
		keep[k] = true
	}
	data, changelog, meta := map[string]bool{}, map[string]bool{}, map[string]bool{}
	add := func(r expireSnap) {
		for k := range r.live {
			data[k] = true
		}
		for _, f := range r.delta {
			if f.add {
				data[f.key] = true
				for _, x := range f.extras {
					data[x] = true
				}
			}
		}
		for _, k := range r.changelog {
			changelog[k] = true
		}
		for _, k := range slices.Concat(r.lists, r.clMeta, r.meta, r.index) {
			meta[k] = true
		}
	}
	for i, id := range ids {
		s, err := snapshot.Read(ctx, t.store, id)
		if errors.Is(err, snapshot.ErrNotFound) {
			continue
		}
		if err != nil {
			return expirePlan{}, err
		}
		w := refsWant{meta: true, changelog: true, delta: true}
		if i == 0 {
			w.live = true
		}
		r, err := t.snapRefs(ctx, s, w)
		if err != nil {
			return expirePlan{}, err
		}
		add(r)
	}
	for _, tg := range tags {
		if slices.Contains(ids, tg.ID) {
			continue
		}
		r, err := t.snapRefs(ctx, &tg.Snapshot, full)
		if err != nil {
			return expirePlan{}, fmt.Errorf("read files of tag %s: %w", tg.Name, err)
		}
		add(r)
	}
	drop := func(m map[string]bool) []string {
		return slices.DeleteFunc(sortedKeys(m), func(k string) bool { return keep[k] })
	}
	return expirePlan{snapshots: ids, data: drop(data), changelog: drop(changelog), meta: drop(meta)}, nil
}
