package table

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// TagOptions tunes CreateTag.
type TagOptions struct {
	// SnapshotID is the snapshot to tag (0: the latest).
	SnapshotID int64
	// TimeRetained is how long the tag lives (tagTimeRetained; 0: the
	// table's tag.default-time-retained, if set, else forever).
	TimeRetained time.Duration
	// Now is the tag's creation time (zero: now).
	Now time.Time
}

// Tags returns the table's tags, sorted by snapshot id and name.
func (t *Table) Tags(ctx context.Context) ([]*snapshot.Tag, error) {
	return snapshot.Tags(ctx, t.meta)
}

// CreateTag tags a snapshot: tag/tag-<name> is written create-only (an
// existing tag gives an error matching snapshot.ErrTagExists). A tag keeps
// its snapshot readable, and its files alive, after the snapshot expires.
//
// A tag races an expiry of its snapshot safely: after writing the tag,
// CreateTag checks the snapshot is still there. If it is, an expiry that
// deletes it later lists the tag before deleting any file (Expire re-reads
// the tags after deleting snapshot files); if not, the tag is removed and
// the call fails with ErrNoSnapshot.
func (t *Table) CreateTag(ctx context.Context, name string, opts TagOptions) (*snapshot.Tag, error) {
	if err := snapshot.ValidateTagName(name); err != nil {
		return nil, err
	}
	var s *snapshot.Snapshot
	var err error
	if opts.SnapshotID == 0 {
		s, err = snapshot.Latest(ctx, t.meta)
	} else {
		s, err = snapshot.Read(ctx, t.meta, opts.SnapshotID)
	}
	if errors.Is(err, snapshot.ErrNotFound) {
		if opts.SnapshotID == 0 {
			return nil, fmt.Errorf("%w: tag %s: the table has no snapshot", ErrNoSnapshot, name)
		}
		return nil, fmt.Errorf("%w: tag %s: snapshot %d does not exist (expired or not yet committed)", ErrNoSnapshot, name, opts.SnapshotID)
	}
	if err != nil {
		return nil, err
	}
	retained := opts.TimeRetained
	if retained == 0 {
		retained = t.cfg.TagDefaultTimeRetained
	}
	to := snapshot.TagOptions{CreateTime: opts.Now}
	if to.CreateTime.IsZero() {
		to.CreateTime = t.now()
	}
	if retained > 0 {
		to.TimeRetained = &retained
	}
	tag, err := snapshot.CreateTag(ctx, t.meta, name, s, to)
	if err != nil {
		return nil, err
	}
	ok, err := snapshot.Snapshots.Exists(ctx, t.meta, s.ID)
	if err == nil && !ok {
		err = fmt.Errorf("%w: tag %s: snapshot %d expired while it was tagged", ErrNoSnapshot, name, s.ID)
	}
	if err != nil {
		if derr := snapshot.DeleteTag(context.WithoutCancel(ctx), t.meta, name); derr != nil {
			return nil, errors.Join(err, derr)
		}
		return nil, err
	}
	return tag, nil
}

// RenameTag renames a tag: the new name is written create-only with the
// same content, then the old one removed.
func (t *Table) RenameTag(ctx context.Context, from, to string) error {
	if err := snapshot.ValidateTagName(to); err != nil {
		return err
	}
	tag, err := snapshot.ReadTag(ctx, t.meta, from)
	if err != nil {
		return err
	}
	b, err := tag.Encode()
	if err != nil {
		return err
	}
	if err := t.meta.Create(ctx, snapshot.TagPath(to), b); err != nil {
		if errors.Is(err, storage.ErrExist) {
			return fmt.Errorf("%w: %s", snapshot.ErrTagExists, to)
		}
		return fmt.Errorf("write %s: %w", snapshot.TagPath(to), err)
	}
	return snapshot.DeleteTag(ctx, t.meta, from)
}

// DeleteTagResult says what DeleteTag removed.
type DeleteTagResult struct {
	Tag *snapshot.Tag
	// DataFiles, ChangelogFiles and MetaFiles count the files deleted that
	// only the tag kept alive.
	DataFiles, ChangelogFiles, MetaFiles int
}

// DeleteTag removes a tag and then the files only it kept alive: those of
// its snapshot, when that snapshot has expired, that neither the nearest
// older tag, nor the nearest newer tag or snapshot, references (a file's
// life is a contiguous range of snapshots, so no other can). The tag file
// goes first: a crash after it leaves unreferenced files for
// RemoveOrphanFiles, never a tag naming missing files.
func (t *Table) DeleteTag(ctx context.Context, name string) (*DeleteTagResult, error) {
	tags, err := snapshot.Tags(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(tags, func(x *snapshot.Tag) bool { return x.Name == name })
	if i < 0 {
		if err := snapshot.ValidateTagName(name); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: tag %s", snapshot.ErrNotFound, name)
	}
	tag := tags[i]
	if err := snapshot.DeleteTag(ctx, t.meta, name); err != nil {
		return nil, err
	}
	res := &DeleteTagResult{Tag: tag}
	others := slices.Delete(slices.Clone(tags), i, i+1)
	if err := t.cleanTagFiles(context.WithoutCancel(ctx), tag, others, res); err != nil {
		return res, fmt.Errorf("tag %s deleted; removing its files: %w", name, err)
	}
	return res, nil
}

// cleanTagFiles deletes the files of a deleted tag that nothing else
// references.
func (t *Table) cleanTagFiles(ctx context.Context, tag *snapshot.Tag, others []*snapshot.Tag, res *DeleteTagResult) error {
	id := tag.ID
	if slices.ContainsFunc(others, func(x *snapshot.Tag) bool { return x.ID == id }) {
		return nil // another tag holds the same snapshot
	}
	if ok, err := snapshot.Snapshots.Exists(ctx, t.meta, id); err != nil || ok {
		return err // the snapshot itself still holds the files
	}
	want := refsWant{meta: true, changelog: true, live: true}
	mine, err := t.snapRefs(ctx, &tag.Snapshot, want)
	if err != nil {
		return err
	}
	// A neighbour may go while its files are read (an expiry of the
	// earliest snapshot, another tag's deletion): then the next one out is
	// the neighbour, so look again. A neighbour that is still there with a
	// file missing is a real error.
	var keep map[string]bool
	var lastErr error
	var last []*snapshot.Snapshot
	tags := others
	for attempt := 0; keep == nil; attempt++ {
		if attempt > 0 {
			if tags, err = snapshot.Tags(ctx, t.meta); err != nil {
				return err
			}
		}
		neighbours, keepAll, err := t.tagNeighbours(ctx, id, tags)
		if err != nil || keepAll {
			return err
		}
		if lastErr != nil && (attempt == 10 || sameSnapshots(neighbours, last)) {
			return lastErr
		}
		if testHookTagNeighbours != nil {
			testHookTagNeighbours(attempt)
		}
		keep, err = t.neighbourFiles(ctx, neighbours, want)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		last, lastErr = neighbours, err
	}
	drop := func(keys []string) []string {
		return slices.DeleteFunc(keys, func(k string) bool { return keep[k] })
	}
	data := drop(sortedKeys(mine.live))
	changelog := drop(mine.changelog)
	meta := drop(slices.Concat(mine.lists, mine.clMeta, mine.meta, mine.index))
	for _, batch := range [][]string{data, changelog, meta} {
		if err := t.deleteAll(ctx, batch); err != nil {
			return err
		}
	}
	res.DataFiles, res.ChangelogFiles, res.MetaFiles = len(data), len(changelog), len(meta)
	return nil
}

// testHookTagNeighbours, when set by a test, runs after DeleteTag has
// chosen a deleted tag's neighbours and before it reads their files.
var testHookTagNeighbours func(attempt int)

// tagNeighbours returns the snapshots whose files a deleted tag on the
// expired snapshot id must keep, given the other tags (sorted by id): the
// nearest older tag, and the nearest newer tag or snapshot (the earliest
// snapshot when it comes first). keepAll says the id is inside the live
// range of snapshots although its file is gone (a concurrent expiry or
// rollback): then nothing is deleted.
func (t *Table) tagNeighbours(ctx context.Context, id int64, tags []*snapshot.Tag) (ns []*snapshot.Snapshot, keepAll bool, err error) {
	var prev, next *snapshot.Tag
	for _, x := range tags {
		switch {
		case x.ID < id:
			prev = x
		case next == nil:
			next = x
		}
	}
	if prev != nil {
		ns = append(ns, &prev.Snapshot)
	}
	earliest, err := snapshot.Earliest(ctx, t.meta)
	if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
		return nil, false, err
	}
	switch {
	case earliest != nil && earliest.ID < id:
		return nil, true, nil
	case next != nil && (earliest == nil || next.ID <= earliest.ID):
		ns = append(ns, &next.Snapshot)
	case earliest != nil:
		ns = append(ns, earliest)
	}
	return ns, false, nil
}

// neighbourFiles returns the set of file keys the snapshots reference.
func (t *Table) neighbourFiles(ctx context.Context, ns []*snapshot.Snapshot, want refsWant) (map[string]bool, error) {
	keep := map[string]bool{}
	for _, n := range ns {
		r, err := t.snapRefs(ctx, n, want)
		if err != nil {
			return nil, err
		}
		for _, k := range r.files() {
			keep[k] = true
		}
		for k := range r.live {
			keep[k] = true
		}
	}
	return keep, nil
}

// sameSnapshots says whether a and b name the same snapshots in order.
func sameSnapshots(a, b []*snapshot.Snapshot) bool {
	return slices.EqualFunc(a, b, func(x, y *snapshot.Snapshot) bool { return x.ID == y.ID })
}
