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

	"golang.org/x/sync/errgroup"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// ExpireOptions tunes one snapshot expiry. The zero value expires as the
// table's options say (snapshot.num-retained.min/max,
// snapshot.time-retained, snapshot.expire.limit).
type ExpireOptions struct {
	// RetainMin and RetainMax override snapshot.num-retained.min/max when
	// positive (a RetainMax alone below the table's min lowers the min).
	RetainMin, RetainMax int
	// OlderThan, when set, overrides snapshot.time-retained: a snapshot
	// expires (within the counts) once the snapshot after it was committed
	// before this time.
	OlderThan time.Time
	// Limit overrides snapshot.expire.limit when positive; -1 means no
	// limit.
	Limit int
	// DryRun plans and reports without deleting anything.
	DryRun bool
	// Now is the current time (zero: time.Now()); for tests.
	Now    time.Time
	Logger *slog.Logger
}

// ExpireResult says what an expiry did.
type ExpireResult struct {
	// Begin and End are the expired snapshot ids, [Begin, End); End <=
	// Begin when nothing expired.
	Begin, End int64
	// Snapshots is the number of snapshot files deleted.
	Snapshots int
	// DataFiles, ChangelogFiles and MetaFiles count the files deleted (or,
	// in a dry run, that would be): data files and their extra files,
	// changelog files, and manifests, manifest lists, index manifests,
	// index files and statistics.
	DataFiles, ChangelogFiles, MetaFiles int
	// Paths lists those files in a dry run.
	Paths []string
	// Changelogs counts the long-lived changelogs written
	// (changelog/changelog-<id>, with decoupled changelog retention);
	// ExpiredChangelogs those expired, whose files are counted above.
	Changelogs, ExpiredChangelogs int
}

// expireBatch is how many snapshots one step of an expiry removes: what it
// holds in memory is the metadata of that many snapshots.
const expireBatch = 64

// expireParallel bounds the concurrent reads and deletes of an expiry.
const expireParallel = 16

// Expire removes the snapshots that the table's retention (or opts) no
// longer keeps, with the files only they referenced.
//
// It never removes the snapshot a consumer will read next or a later one,
// nor a file a tag or a kept snapshot references. Every state it leaves,
// also when it is killed midway, is a table whose every snapshot file
// reads in full: each step deletes its snapshot files first, oldest first
// (so the earliest snapshot only moves forward), then writes the EARLIEST
// hint, then re-reads the tags (a tag created meanwhile keeps its files),
// and only then deletes the data files, changelog files and metadata that
// no kept snapshot or tag references. A run killed after the snapshot files
// went leaves those files unreferenced: RemoveOrphanFiles removes them.
// Concurrent expiries of the same table are safe (one of them finds the
// snapshots gone and stops); while a Rollback runs, Expire does nothing.
func (t *Table) Expire(ctx context.Context, opts ExpireOptions) (*ExpireResult, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := &ExpireResult{}
	if busy, err := t.meta.Exists(ctx, rollbackMarker); err != nil || busy {
		if busy {
			log.Info("snapshot expiry skipped: a rollback is in progress")
		}
		return res, err
	}
	latest, err := snapshot.LatestID(ctx, t.meta)
	if errors.Is(err, snapshot.ErrNotFound) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	earliest, err := snapshot.EarliestID(ctx, t.meta)
	if errors.Is(err, snapshot.ErrNotFound) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	r := snapshot.Retention{
		Min: t.cfg.SnapshotNumRetainedMin, Max: t.cfg.SnapshotNumRetainedMax,
		Time: t.cfg.SnapshotTimeRetained, Limit: t.cfg.SnapshotExpireLimit,
	}
	if opts.RetainMin > 0 {
		r.Min = opts.RetainMin
	}
	if opts.RetainMax > 0 {
		r.Max = opts.RetainMax
		if opts.RetainMin <= 0 {
			r.Min = min(r.Min, r.Max) // a max alone lowers the table's min
		}
	}
	if r.Max < r.Min {
		return nil, fmt.Errorf("%w: retain max %d is less than retain min %d", ErrInvalidOption, r.Max, r.Min)
	}
	if !opts.OlderThan.IsZero() {
		r.Time = now.Sub(opts.OlderThan)
	}
	switch {
	case opts.Limit > 0:
		r.Limit = opts.Limit
	case opts.Limit < 0:
		r.Limit = 0
	}
	next, err := t.minConsumerNext(ctx)
	if err != nil {
		return nil, err
	}
	// Snapshot times, read as the range decision asks for them.
	times := map[int64]int64{}
	var timeErr error
	in := snapshot.ExpireInput{
		Earliest: earliest, Latest: latest, Retention: r, Now: now, ConsumerNext: next,
		TimeMillis: func(id int64) (int64, bool) {
			if ms, ok := times[id]; ok {
				return ms, true
			}
			if timeErr != nil {
				return 0, false
			}
			s, err := snapshot.Read(ctx, t.meta, id)
			if errors.Is(err, snapshot.ErrNotFound) {
				return 0, false
			}
			if err != nil {
				timeErr = err
				return 0, false
			}
			times[id] = s.TimeMillis
			return s.TimeMillis, true
		},
	}
	begin, end := snapshot.ExpireRange(in)
	if timeErr != nil {
		return nil, timeErr
	}
	res.Begin, res.End = begin, end
	if end <= begin {
		if !opts.DryRun {
			t.ensureEarliestHint(ctx, earliest, log)
		}
	}
	for b := begin; b < end; b += expireBatch {
		e := min(b+expireBatch, end)
		done, err := t.expireStep(ctx, b, e, opts.DryRun, res, log)
		if err != nil {
			return res, err
		}
		if !done {
			break // a concurrent expiry got there first
		}
	}
	if res.Snapshots > 0 {
		log.Info("expired snapshots", "begin", res.Begin, "end", res.End, "snapshots", res.Snapshots,
			"data_files", res.DataFiles, "changelog_files", res.ChangelogFiles, "meta_files", res.MetaFiles)
	}
	if t.changelogDecoupled() {
		if err := t.expireChangelogs(ctx, now, next, opts, res, log); err != nil {
			return res, err
		}
	}
	return res, nil
}

// expireMode is how this table's expiry treats changelog.
func (t *Table) expireMode() expireMode {
	return expireMode{decoupled: t.changelogDecoupled(), produce: t.cfg.ChangelogProducer != ChangelogNone}
}

// changelogDecoupled reports whether changelog retention outlives the
// snapshots' (Paimon's changelogLifecycleDecoupled).
func (t *Table) changelogDecoupled() bool {
	c := t.cfg
	return c.ChangelogNumRetainedMax > c.SnapshotNumRetainedMax ||
		c.ChangelogNumRetainedMin > c.SnapshotNumRetainedMin ||
		c.ChangelogTimeRetained > c.SnapshotTimeRetained
}

// ensureEarliestHint writes the EARLIEST hint when it is missing.
func (t *Table) ensureEarliestHint(ctx context.Context, id int64, log *slog.Logger) {
	ok, err := t.meta.Exists(ctx, snapshot.SnapshotDir+"/"+snapshot.EarliestHint)
	if err == nil && !ok {
		if err := snapshot.WriteEarliestHint(ctx, t.meta, id); err != nil {
			log.Warn("write EARLIEST hint", "error", err)
		}
	}
}

// minConsumerNext is the smallest next snapshot of the table's live
// consumers (0: none). An expired consumer (consumer.expiration-time)
// protects nothing.
func (t *Table) minConsumerNext(ctx context.Context) (int64, error) {
	cs, err := snapshot.Consumers(ctx, t.meta)
	if err != nil {
		return 0, err
	}
	var next int64
	for id := range cs {
		c, err := t.readConsumer(ctx, id)
		if errors.Is(err, snapshot.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if next == 0 || c.NextSnapshot < next {
			next = c.NextSnapshot
		}
	}
	return next, nil
}

// errGone says a snapshot being expired disappeared: a concurrent expiry.
var errGone = errors.New("expire: snapshot removed concurrently")

// expireStep expires [begin, end) keeping snapshot end. It returns false
// when it found the range taken by a concurrent expiry.
func (t *Table) expireStep(ctx context.Context, begin, end int64, dry bool, res *ExpireResult, log *slog.Logger) (bool, error) {
	snaps, err := t.readSnapshots(ctx, begin, end)
	if err != nil {
		return false, err
	}
	last := snaps[len(snaps)-1]
	if last == nil || last.ID != end {
		return false, nil // the kept snapshot is gone: someone expired past it
	}
	expired := snaps[:len(snaps)-1]
	if len(expired) == 0 {
		return true, nil
	}
	tags, err := snapshot.Tags(ctx, t.meta)
	if err != nil {
		return false, err
	}
	plan, err := t.planExpireStep(ctx, expired, last, tags)
	if errors.Is(err, errGone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if dry {
		res.Snapshots += len(plan.snapshots)
		res.DataFiles += len(plan.data)
		res.ChangelogFiles += len(plan.changelog)
		res.MetaFiles += len(plan.meta)
		for _, id := range plan.snapshots {
			res.Paths = append(res.Paths, snapshot.SnapshotPath(id))
		}
		res.Paths = append(res.Paths, plan.data...)
		res.Paths = append(res.Paths, plan.changelog...)
		res.Paths = append(res.Paths, plan.meta...)
		return true, nil
	}
	// Snapshot files first, oldest first: every snapshot left reads in
	// full. With decoupled changelog each is first copied to
	// changelog/changelog-<id>, which keeps its changelog readable.
	// A rollback that began after Expire's own check: stop. One that
	// begins while the snapshot files below go is seen by the check after
	// them, which keeps every file; the rollback writes back its target's
	// snapshot file if it went.
	if busy, err := t.meta.Exists(ctx, rollbackMarker); err != nil || busy {
		if busy {
			log.Info("snapshot expiry stopped: a rollback began")
		}
		return false, err
	}
	decoupled := t.changelogDecoupled()
	for _, s := range expired {
		if decoupled {
			if err := snapshot.WriteChangelog(ctx, t.meta, s); err != nil && !errors.Is(err, snapshot.ErrHint) {
				return false, err
			}
			res.Changelogs++
		}
		if err := t.deleteMeta(ctx, snapshot.SnapshotPath(s.ID)); err != nil {
			return false, err
		}
		res.Snapshots++
	}
	if err := snapshot.WriteEarliestHint(ctx, t.meta, end); err != nil {
		log.Warn("write EARLIEST hint", "error", err)
	}
	// A tag created meanwhile on a snapshot of the range was written
	// before its snapshot file went (CreateTag checks after writing), so
	// it is listed now: plan again with it.
	again, err := snapshot.Tags(ctx, t.meta)
	if err != nil {
		return false, err
	}
	if !sameTags(tags, again, end) {
		if plan, err = t.planExpireStep(ctx, expired, last, again); err != nil {
			return false, err
		}
	}
	// A rollback that began meanwhile may have checked its target before
	// the snapshot files above went; it writes the target back, and needs
	// its files: leave them all (orphan cleanup takes what no one uses).
	if busy, err := t.meta.Exists(ctx, rollbackMarker); err != nil || busy {
		if busy {
			log.Info("snapshot expiry left the expired snapshots' files: a rollback began")
		}
		return false, err
	}
	for _, batch := range [][]string{plan.data, plan.changelog, plan.meta} {
		if err := t.deleteAll(ctx, batch); err != nil {
			return false, err
		}
	}
	res.DataFiles += len(plan.data)
	res.ChangelogFiles += len(plan.changelog)
	res.MetaFiles += len(plan.meta)
	return true, nil
}

// sameTags reports whether two tag listings agree on the tags before end.
func sameTags(a, b []*snapshot.Tag, end int64) bool {
	key := func(ts []*snapshot.Tag) []string {
		var out []string
		for _, t := range ts {
			if t.ID < end {
				out = append(out, fmt.Sprintf("%s@%d", t.Name, t.ID))
			}
		}
		return out
	}
	return slices.Equal(key(a), key(b))
}

// readSnapshots reads snapshots [begin, end] in parallel; missing ones are
// left out (nil entries are dropped), the last entry is end's or absent.
func (t *Table) readSnapshots(ctx context.Context, begin, end int64) ([]*snapshot.Snapshot, error) {
	out := make([]*snapshot.Snapshot, end-begin+1)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(expireParallel)
	for id := begin; id <= end; id++ {
		g.Go(func() error {
			s, err := snapshot.Read(gctx, t.meta, id)
			if errors.Is(err, snapshot.ErrNotFound) {
				return nil
			}
			out[id-begin] = s
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(s *snapshot.Snapshot) bool { return s == nil }), nil
}

// planExpireStep reads what the plan needs and plans.
func (t *Table) planExpireStep(ctx context.Context, expired []*snapshot.Snapshot, end *snapshot.Snapshot, tags []*snapshot.Tag) (expirePlan, error) {
	ids := make([]int64, len(tags))
	for i, tg := range tags {
		ids[i] = tg.ID
	}
	dataNeed, metaNeed := expireTagNeeds(ids, expired[0].ID, end.ID)
	refs := make([]tagRefs, len(tags))
	for i, tg := range tags {
		refs[i].id = tg.ID
	}
	ex := make([]expireSnap, len(expired))
	var endRefs expireSnap
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(expireParallel)
	for i, s := range expired {
		g.Go(func() error {
			var err error
			ex[i], err = t.snapRefs(gctx, s, refsWant{meta: true, delta: i > 0, changelog: true})
			return t.goneIfMissing(gctx, s.ID, err)
		})
	}
	g.Go(func() error {
		var err error
		endRefs, err = t.snapRefs(gctx, end, refsWant{meta: true, delta: true})
		return err
	})
	for _, i := range dataNeed {
		g.Go(func() error {
			r, err := t.snapRefs(gctx, &tags[i].Snapshot, refsWant{live: true})
			refs[i].data = r.live
			return t.tagErr(tags[i].Name, err)
		})
	}
	for _, i := range metaNeed {
		g.Go(func() error {
			r, err := t.snapRefs(gctx, &tags[i].Snapshot, refsWant{meta: true, changelog: true})
			if err != nil {
				return t.tagErr(tags[i].Name, err)
			}
			refs[i].meta = map[string]bool{}
			for _, k := range r.files() {
				refs[i].meta[k] = true
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return expirePlan{}, err
	}
	// A tag keeps its snapshot's changelog (incremental reads between
	// tags read it): changelog files a tag names are not deleted.
	p := planExpire(ex, endRefs, refs, t.expireMode())
	if len(p.changelog) > 0 {
		keep := map[string]bool{}
		for _, r := range refs {
			for k := range r.meta {
				keep[k] = true
			}
		}
		p.changelog = slices.DeleteFunc(p.changelog, func(k string) bool { return keep[k] })
	}
	return p, nil
}

func (t *Table) tagErr(name string, err error) error {
	if err != nil {
		return fmt.Errorf("read files of tag %s: %w", name, err)
	}
	return nil
}

// goneIfMissing turns a missing file of snapshot id into errGone when the
// snapshot itself is gone too (a concurrent expiry deleted both).
func (t *Table) goneIfMissing(ctx context.Context, id int64, err error) error {
	if err == nil || !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if ok, xerr := snapshot.Snapshots.Exists(ctx, t.meta, id); xerr == nil && !ok {
		return errGone
	}
	return err
}

// refsWant says what snapRefs reads.
type refsWant struct {
	lists     bool // base and delta lists and their manifests
	meta      bool // lists, and index manifest and files, statistics
	delta     bool // the delta manifests' entries
	changelog bool // the changelog list, its manifests and files
	live      bool // the live data files
}

// snapRefs reads the files a snapshot references, as store keys.
func (t *Table) snapRefs(ctx context.Context, s *snapshot.Snapshot, w refsWant) (refs expireSnap, err error) {
	refs.id = s.ID
	keys := newKeyer(t)
	addList := func(name string, into *[]string, entries func([]manifest.Entry)) error {
		if name == "" {
			return nil
		}
		metas, err := manifest.ReadList(ctx, t.store, name)
		if err != nil {
			return err
		}
		if into != nil {
			*into = append(*into, manifest.Key(name))
			for _, m := range metas {
				*into = append(*into, manifest.Key(m.FileName))
			}
		}
		if entries == nil {
			return nil
		}
		for _, m := range metas {
			es, err := manifest.ReadManifest(ctx, t.store, m.FileName)
			if err != nil {
				return err
			}
			entries(es)
		}
		return nil
	}
	var lists *[]string
	if w.meta || w.lists {
		lists = &refs.lists
	}
	var live map[string]bool
	if w.live {
		live = map[string]bool{}
	}
	// Live files with their extra files: an ADD enters them, a DELETE of
	// the same file (an upgrade or a compaction) removes them.
	liveFn := func(es []manifest.Entry) {
		for i := range es {
			e := &es[i]
			add := e.Kind == manifest.Add
			for _, k := range append([]string{keys.data(e)}, keys.extras(e)...) {
				if add {
					live[k] = true
				} else {
					delete(live, k)
				}
			}
		}
	}
	var baseFn func([]manifest.Entry)
	if w.live {
		baseFn = liveFn
	}
	if lists != nil || w.live {
		if err := addList(s.BaseManifestList, lists, baseFn); err != nil {
			return refs, err
		}
	}
	var deltaFn func([]manifest.Entry)
	if w.delta || w.live {
		deltaFn = func(es []manifest.Entry) {
			if w.live {
				liveFn(es)
			}
			if !w.delta {
				return
			}
			for i := range es {
				e := &es[i]
				input := e.File.FileSource == nil || *e.File.FileSource == manifest.FileSourceAppend
				refs.delta = append(refs.delta, fileRef{key: keys.data(e), extras: keys.extras(e), add: e.Kind == manifest.Add, input: input})
			}
		}
	}
	if lists != nil || w.delta || w.live {
		if err := addList(s.DeltaManifestList, lists, deltaFn); err != nil {
			return refs, err
		}
	}
	if w.changelog && s.ChangelogManifestList != nil {
		if err := addList(*s.ChangelogManifestList, &refs.clMeta, func(es []manifest.Entry) {
			for i := range es {
				if es[i].Kind == manifest.Add {
					refs.changelog = append(refs.changelog, keys.data(&es[i]))
				}
			}
		}); err != nil {
			return refs, err
		}
	}
	if w.meta {
		if s.IndexManifest != nil && *s.IndexManifest != "" {
			es, err := manifest.ReadIndexManifest(ctx, t.store, *s.IndexManifest)
			if err != nil {
				return refs, err
			}
			refs.meta = append(refs.meta, manifest.Key(*s.IndexManifest))
			for i := range es {
				refs.index = append(refs.index, keys.index(&es[i]))
			}
		}
		if s.Statistics != nil && *s.Statistics != "" {
			refs.meta = append(refs.meta, statisticsDir+"/"+*s.Statistics)
		}
	}
	refs.live = live
	return refs, nil
}

// keyer turns manifest entries into store keys, caching partition paths.
type keyer struct {
	t     *Table
	mu    sync.Mutex
	parts map[string]string
}

func newKeyer(t *Table) *keyer { return &keyer{t: t, parts: map[string]string{}} }

func (k *keyer) bucketDir(part []byte, bucket int32) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	ck := string(part) + "\x00" + fmt.Sprint(bucket)
	if d, ok := k.parts[ck]; ok {
		return d
	}
	d, err := k.t.BucketPath(part, bucket)
	if err != nil {
		// An undecodable partition was refused when the manifest was
		// read; keep a key that matches nothing real.
		d = fmt.Sprintf("?partition-%x/bucket-%d", part, bucket)
	}
	k.parts[ck] = d
	return d
}

func (k *keyer) data(e *manifest.Entry) string {
	if e.File.ExternalPath != nil {
		return *e.File.ExternalPath
	}
	return k.bucketDir(e.Partition, e.Bucket) + "/" + e.File.FileName
}

func (k *keyer) extras(e *manifest.Entry) []string {
	if len(e.File.ExtraFiles) == 0 {
		return nil
	}
	dir := k.bucketDir(e.Partition, e.Bucket)
	if e.File.ExternalPath != nil {
		dir = path.Dir(*e.File.ExternalPath)
	}
	out := make([]string, len(e.File.ExtraFiles))
	for i, x := range e.File.ExtraFiles {
		out[i] = dir + "/" + x
	}
	return out
}

func (k *keyer) index(e *manifest.IndexEntry) string {
	if e.ExternalPath != nil {
		return *e.ExternalPath
	}
	return k.t.indexKey(e.Partition, e.Bucket, e.FileName)
}

// deleteQuiet deletes a file; a missing one is fine.
func (t *Table) deleteQuiet(ctx context.Context, key string) error {
	err := t.store.Delete(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// deleteAll deletes keys in parallel; missing ones are fine.
func (t *Table) deleteAll(ctx context.Context, keys []string) error {
	keys, err := t.unshared(ctx, keys) // files other branches use stay (branch_shared.go)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(expireParallel)
	for _, k := range keys {
		if strings.Contains(k, "://") {
			continue // external paths are outside the table's store
		}
		g.Go(func() error { return t.deleteQuiet(gctx, k) })
	}
	return g.Wait()
}
