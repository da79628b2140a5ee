package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
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
// floe's writers may commit meanwhile: Rollback first writes a marker
// (snapshot/FLOE-ROLLBACK) that commits wait for before publishing; a
// commit that was already past that wait and lands on the history being
// removed is removed too (Rollback looks again after its deletes) and
// withdraws itself, failing with ErrRolledBack (checkRolledBack). A
// rollback killed midway leaves the marker: running it again (same
// target) finishes it. Other engines' writers (Java's) do not know the
// marker: stop them first, as Paimon requires. Readers of removed
// snapshots fail.
func (t *Table) Rollback(ctx context.Context, opts RollbackOptions) (*RollbackResult, error) {
	var target *snapshot.Snapshot
	switch {
	case (opts.SnapshotID != 0) == (opts.Tag != ""):
		return nil, fmt.Errorf("%w: a rollback needs a snapshot id or a tag (one of them)", ErrInvalidOption)
	case opts.Tag != "":
		tag, err := snapshot.ReadTag(ctx, t.meta, opts.Tag)
		if errors.Is(err, snapshot.ErrNotFound) {
			return nil, fmt.Errorf("%w: rollback: tag %q does not exist", ErrNoSnapshot, opts.Tag)
		}
		if err != nil {
			return nil, err
		}
		s := tag.Snapshot
		target = &s
	default:
		s, err := snapshot.Read(ctx, t.meta, opts.SnapshotID)
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
	if err := t.markRollback(ctx, n); err != nil {
		return nil, err
	}
	// Expiry stands still while the marker stands; the target may have
	// expired just before.
	if opts.Tag == "" {
		if ok, err := snapshot.Snapshots.Exists(ctx, t.meta, n); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("%w: rollback to snapshot %d: it expired as the rollback began", ErrNoSnapshot, n)
			}
			return nil, errors.Join(err, t.deleteMeta(context.WithoutCancel(ctx), rollbackMarker))
		}
	}
	ids, err := snapshot.List(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	later := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id <= n })
	tags, err := snapshot.Tags(ctx, t.meta)
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
	// The target's snapshot file first, when it expired (a tag target, or
	// an expiry that checked for the marker before it was written deleted
	// it: such an expiry leaves the files, see expireStep).
	wroteBack, err := t.restoreTarget(ctx, target)
	if err != nil {
		return nil, err
	}
	// Newest first: each step leaves a shorter history.
	for i := len(later) - 1; i >= 0; i-- {
		if err := t.deleteMeta(ctx, snapshot.SnapshotPath(later[i])); err != nil {
			return res, err
		}
		res.Snapshots++
	}
	// A floe commit that passed its marker check before the marker was
	// written may still have landed on the history being removed: remove
	// such snapshots too (no commit can start on the target while the
	// marker stands, so every snapshot after it now is one of those).
	for {
		ids, err := snapshot.List(ctx, t.meta)
		if err != nil {
			return res, err
		}
		extra := slices.DeleteFunc(ids, func(id int64) bool { return id <= n })
		if len(extra) == 0 {
			break
		}
		for i := len(extra) - 1; i >= 0; i-- {
			if err := t.deleteMeta(ctx, snapshot.SnapshotPath(extra[i])); err != nil {
				return res, err
			}
			res.Snapshots++
		}
	}
	// Once more: an expiry may have deleted it after the first look.
	again, err := t.restoreTarget(ctx, target)
	if err != nil {
		return res, err
	}
	wroteBack = wroteBack || again
	if err := snapshot.WriteLatestHint(ctx, t.meta, n); err != nil {
		return res, err
	}
	if wroteBack {
		if err := snapshot.WriteEarliestHint(ctx, t.meta, n); err != nil {
			return res, err
		}
	}
	for i := len(laterTags) - 1; i >= 0; i-- {
		if err := t.deleteMeta(ctx, snapshot.TagPath(laterTags[i].Name)); err != nil {
			return res, err
		}
		res.Tags++
	}
	cls, err := snapshot.ListChangelogs(ctx, t.meta)
	if err != nil {
		return res, err
	}
	for i := len(cls) - 1; i >= 0 && cls[i] > n; i-- {
		if err := t.deleteMeta(ctx, snapshot.ChangelogPath(cls[i])); err != nil {
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
	if err := t.deleteMeta(ctx, rollbackMarker); err != nil {
		return res, err
	}
	return res, nil
}

// restoreTarget writes the rollback target's snapshot file back when it
// is missing, and says whether it did.
func (t *Table) restoreTarget(ctx context.Context, target *snapshot.Snapshot) (bool, error) {
	key := snapshot.SnapshotPath(target.ID)
	if ok, err := t.meta.Exists(ctx, key); err != nil || ok {
		return false, err
	}
	b, err := target.Encode()
	if err != nil {
		return false, err
	}
	if err := t.meta.Create(ctx, key, b); err != nil && !errors.Is(err, storage.ErrExist) {
		return false, fmt.Errorf("write back %s: %w", key, err)
	}
	return true, nil
}

// rollbackMarker is written while a Rollback runs: floe's commits wait
// for it to go before publishing and withdraw a snapshot they published
// while it stood (Java ignores it; Paimon requires writers stopped).
const rollbackMarker = snapshot.SnapshotDir + "/FLOE-ROLLBACK"

// ErrRollbackInProgress reports a commit that waited too long for a
// running (or crashed) Rollback; run the rollback again to finish it.
var ErrRollbackInProgress = errors.New("table: a rollback is in progress")

// markRollback writes the rollback marker, naming the target. A marker
// for the same target (a rollback killed midway) is taken over; one for
// another target is refused.
func (t *Table) markRollback(ctx context.Context, target int64) error {
	b := []byte(strconv.FormatInt(target, 10))
	err := t.meta.Create(ctx, rollbackMarker, b)
	if err == nil || !errors.Is(err, storage.ErrExist) {
		return err
	}
	got, rerr := t.meta.Read(ctx, rollbackMarker)
	if rerr != nil {
		return rerr
	}
	if string(got) != string(b) {
		return fmt.Errorf("%w: a rollback to snapshot %s is unfinished (%s); run it again, or delete the file if it is stale", ErrRollbackInProgress, got, rollbackMarker)
	}
	return nil
}

// awaitRollback waits (with backoff, at most the commit timeout or a
// minute) while a rollback marker stands, and says whether it waited (the
// commit must then be built again on what the rollback left).
func (t *Table) awaitRollback(ctx context.Context) (bool, error) {
	limit := t.cfg.CommitTimeout
	if limit <= 0 {
		limit = time.Minute
	}
	start := time.Now()
	for attempt := 0; ; attempt++ {
		ok, err := t.meta.Exists(ctx, rollbackMarker)
		if err != nil || !ok {
			return attempt > 0, err
		}
		if time.Since(start) > limit {
			return true, fmt.Errorf("%w: %s stands since before %s", ErrRollbackInProgress, rollbackMarker, start.Format(time.RFC3339))
		}
		if err := sleepCtx(ctx, backoff(10*time.Millisecond, time.Second, attempt)); err != nil {
			return true, err
		}
	}
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
		s, err := snapshot.Read(ctx, t.meta, id)
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

// ErrRolledBack reports a commit withdrawn because a concurrent Rollback
// removed the snapshot it built on: nothing of it is in the table.
var ErrRolledBack = errors.New("table: commit withdrawn: a concurrent rollback removed its base snapshot")

// checkRolledBack is run by a commit that just published snapshot id on
// base. If a rollback marker stands (the commit passed its check before
// the rollback began), or base is gone while an older snapshot exists (a
// rollback removed it and finished; expiry removes the oldest snapshots
// first, a rollback the newest), the new snapshot sits on a removed
// history and names removed files: it is deleted again and the commit
// fails with ErrRolledBack. Otherwise the commit stands.
func (t *Table) checkRolledBack(ctx context.Context, base, id int64, log *slog.Logger) error {
	marked, err := t.meta.Exists(ctx, rollbackMarker)
	if err != nil {
		return nil
	}
	if !marked {
		ok, err := snapshot.Snapshots.Exists(ctx, t.meta, base)
		if err != nil || ok {
			return nil
		}
		earliest, err := snapshot.EarliestID(ctx, t.meta)
		if err != nil || earliest >= base {
			return nil
		}
	}
	log.Warn("commit withdrawn: a concurrent rollback removed its base snapshot", "snapshot_id", id, "base", base)
	if err := t.deleteMeta(context.WithoutCancel(ctx), snapshot.SnapshotPath(id)); err != nil {
		return fmt.Errorf("%w: snapshot %d (on removed snapshot %d) could not be withdrawn: %w", ErrRolledBack, id, base, err)
	}
	return fmt.Errorf("%w: snapshot %d built on snapshot %d, which a rollback removed", ErrRolledBack, id, base)
}
