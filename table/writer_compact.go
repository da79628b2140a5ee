package table

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/floelake/floe/internal/dv"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
)

// bucketTree is a primary-key bucket's LSM tree in a writer that compacts
// (write-only=false): its levels (restored from the base snapshot, then
// kept current with the writer's flushes and compactions), at most one
// compaction running in the background, and the compaction results not
// yet handed to Prepare.
type bucketTree struct {
	files  bucketFiles // deletion vectors and their index files, as of the last applied compaction
	levels *lsm.Levels
	univ   *lsm.Universal

	running *runningCompaction

	// Since the last Prepare, as Paimon's MergeTreeWriter keeps them.
	before    []manifest.DataFile
	inBefore  map[string]bool
	after     []manifest.DataFile
	changelog []manifest.DataFile   // compaction changelog files
	newIndex  []manifest.IndexEntry // index files written by this writer, not yet prepared
	// base names the files above level 0 as of the last Prepare (or the
	// base snapshot): what lookup compactions of this round rely on.
	base     []string
	delIndex []manifest.IndexEntry // prepared or committed index files replaced
	own      map[string]bool       // names in newIndex
}

type runningCompaction struct {
	done chan struct{}
	b    bucketFiles // the compaction's copy; it leaves the new vectors here
	msg  *CommitMessage
	res  *lsm.Result
	err  error
}

// compacts reports whether the writer compacts its buckets: primary-key
// tables, unless write-only.
func (w *Writer) compacts() bool {
	return w.hasPK && !w.cfg.WriteOnly
}

// initCompaction makes the writer's compactor (once).
func (w *Writer) initCompaction() error {
	if w.comp != nil {
		return nil
	}
	c, err := w.t.newCompactor(w.o.Alloc, w.log, w.o.SpillDir)
	if err != nil {
		return err
	}
	w.comp = c
	w.bgCtx, w.bgCancel = context.WithCancel(context.Background())
	w.compactSem = make(chan struct{}, runtime.GOMAXPROCS(0))
	return nil
}

// restoreTree builds a bucket's tree from the base snapshot's files and
// deletion vectors.
func (w *Writer) restoreTree(ctx context.Context, bs *bucketState) error {
	if err := w.initCompaction(); err != nil {
		return err
	}
	bf, err := w.baseBucket(ctx, bs)
	if err != nil {
		return err
	}
	files := bf.files
	tr := &bucketTree{files: *bf, inBefore: map[string]bool{}, own: map[string]bool{}, univ: w.comp.universal()}
	tr.levels = lsm.NewLevels(files, w.cfg.NumLevels, w.comp.keyCmp)
	if err := tr.levels.Validate(); err != nil {
		return fmt.Errorf("bucket %d of %s: %w: %w", bs.bucket, bs.dir, manifest.ErrCorrupt, err)
	}
	tr.base = upperNames(files)
	bs.tree = tr
	return nil
}

// baseBucket is a bucket's live files and deletion vectors in the base
// snapshot.
func (w *Writer) baseBucket(ctx context.Context, bs *bucketState) (*bucketFiles, error) {
	bf := &bucketFiles{part: bs.part.serialized, bucket: bs.bucket, total: w.totalBuckets(),
		manifests: map[string]string{}, deletes: map[string]*DeletionFile{}}
	for _, e := range w.baseSeq.files[bucketID{string(bs.part.serialized), bs.bucket}] {
		bf.files = append(bf.files, e.File)
	}
	if w.cfg.DeletionVectorsEnabled && len(bf.files) > 0 {
		if err := w.baseVectors(ctx, bf); err != nil {
			return nil, err
		}
	}
	return bf, nil
}

func (w *Writer) totalBuckets() int32 {
	if w.route.mode == bucketFixed {
		return int32(w.cfg.Bucket)
	}
	return -1
}

// baseVectors loads a bucket's deletion vectors from the base snapshot's
// index manifest.
func (w *Writer) baseVectors(ctx context.Context, b *bucketFiles) error {
	if w.base == nil || w.base.IndexManifest == nil {
		return nil
	}
	if w.baseDV == nil {
		entries, err := manifest.ReadIndexManifest(ctx, w.t.store, *w.base.IndexManifest)
		if err != nil {
			return fmt.Errorf("read index manifest of snapshot %d: %w", w.base.ID, err)
		}
		w.baseDV = entries
	}
	live := map[string]bool{}
	for _, f := range b.files {
		live[f.FileName] = true
	}
	for _, e := range w.baseDV {
		if e.IndexType != manifest.IndexDeletionVectors || e.Bucket != b.bucket || string(e.Partition) != string(b.part) {
			continue
		}
		for _, r := range e.DVRanges {
			if !live[r.DataFile] {
				continue // stale (apache/paimon#8778)
			}
			b.deletes[r.DataFile] = &DeletionFile{IndexManifest: *w.base.IndexManifest, IndexFile: e.FileName,
				IndexFileSize: e.FileSize, ExternalPath: e.ExternalPath, Offset: r.Offset, Length: r.Length, Cardinality: r.Cardinality}
		}
		// The bucket's next vectors replace every index file it has.
		b.indexFiles = append(b.indexFiles, e.FileName)
	}
	vs, err := w.comp.loadVectors(ctx, b)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = map[string]*dv.Vector{}
	}
	b.vectors = vs
	return nil
}

// afterFlush runs after a bucket flushed level-0 files: it takes in a
// finished compaction, stalls while the bucket has more sorted runs than
// num-sorted-run.stop-trigger and a compaction runs, and starts the next
// compaction when the picker finds one.
func (w *Writer) afterFlush(ctx context.Context, bs *bucketState, files []manifest.DataFile) error {
	tr := bs.tree
	for _, f := range files {
		tr.levels.AddLevel0(f)
	}
	wait := tr.running != nil && tr.levels.NumRuns() > w.cfg.NumSortedRunStopTrigger
	if wait {
		w.stats.CompactionStalls++
	}
	if err := w.syncCompaction(ctx, bs, wait); err != nil {
		return err
	}
	return w.triggerCompaction(bs, false)
}

// triggerCompaction starts a compaction of the bucket in the background
// when none runs and the picker (or full) finds one.
func (w *Writer) triggerCompaction(bs *bucketState, full bool) error {
	tr := bs.tree
	if tr.running != nil {
		return nil
	}
	u, ok := w.comp.pick(tr.levels, full, tr.univ, tr.files.hasDV)
	if !ok || len(u.Files) == 0 {
		return nil
	}
	plan := w.comp.plan(tr.levels, u)
	rc := &runningCompaction{done: make(chan struct{}), b: tr.files}
	tr.running = rc
	w.compactWG.Add(1)
	go func() {
		defer w.compactWG.Done()
		defer close(rc.done)
		select {
		case w.compactSem <- struct{}{}:
		case <-w.bgCtx.Done():
			rc.err = w.bgCtx.Err()
			return
		}
		defer func() { <-w.compactSem }()
		rc.msg, rc.res, rc.err = w.comp.rewriteUnit(w.bgCtx, &rc.b, plan)
	}()
	return nil
}

// syncCompaction takes in the bucket's compaction if it finished (or,
// with wait, once it finishes).
func (w *Writer) syncCompaction(ctx context.Context, bs *bucketState, wait bool) error {
	tr := bs.tree
	rc := tr.running
	if rc == nil {
		return nil
	}
	if wait {
		select {
		case <-rc.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		select {
		case <-rc.done:
		default:
			return nil
		}
	}
	tr.running = nil
	if rc.err != nil {
		return fmt.Errorf("compact %s: %w", bs.dir, rc.err)
	}
	return w.applyCompaction(bs, rc)
}

// applyCompaction records a finished compaction in the bucket's levels and
// in the results for the next Prepare. A file a compaction of this round
// wrote and a later one rewrote is deleted at once (no snapshot ever
// names it), unless it took part in an upgrade.
func (w *Writer) applyCompaction(bs *bucketState, rc *runningCompaction) error {
	tr := bs.tree
	if rc.msg == nil {
		return nil
	}
	if err := tr.levels.Update(rc.res.Before, rc.res.After); err != nil {
		return fmt.Errorf("compact %s: %w", bs.dir, err)
	}
	afterNames := map[string]bool{}
	for _, f := range rc.res.After {
		afterNames[f.FileName] = true
	}
	for _, f := range rc.res.Before {
		if i := slices.IndexFunc(tr.after, func(a manifest.DataFile) bool { return a.FileName == f.FileName && a.Level == f.Level }); i >= 0 {
			tr.after = slices.Delete(tr.after, i, i+1)
			if !tr.inBefore[f.FileName] && !afterNames[f.FileName] {
				if err := w.t.store.Delete(context.Background(), bs.dir+"/"+f.FileName); err != nil {
					w.log.Warn("delete intermediate compaction file", "file", f.FileName, "error", err)
				}
			}
			continue
		}
		tr.before = append(tr.before, f)
		tr.inBefore[f.FileName] = true
	}
	tr.after = append(tr.after, rc.res.After...)
	tr.changelog = append(tr.changelog, rc.msg.CompactChangelog...)
	for _, e := range rc.msg.DeletedIndexFiles {
		if tr.own[e.FileName] {
			delete(tr.own, e.FileName)
			tr.newIndex = slices.DeleteFunc(tr.newIndex, func(x manifest.IndexEntry) bool { return x.FileName == e.FileName })
			_ = w.t.store.Delete(context.Background(), w.t.indexKey(bs.part.serialized, bs.bucket, e.FileName))
			continue
		}
		tr.delIndex = append(tr.delIndex, e)
	}
	for _, e := range rc.msg.NewIndexFiles {
		tr.newIndex = append(tr.newIndex, e)
		tr.own[e.FileName] = true
	}
	tr.files = rc.b
	w.stats.Compactions++
	return nil
}

// prepareTree finishes a bucket's compactions for Prepare and moves their
// results into m. With wait (batch writes, lookup-wait), a running
// compaction is waited for, one more is picked and waited for, as Paimon's
// prepareCommit(waitCompaction) does; full forces a full compaction.
func (w *Writer) prepareTree(ctx context.Context, bs *bucketState, m *CommitMessage, wait, full bool) error {
	tr := bs.tree
	if err := w.syncCompaction(ctx, bs, wait || full); err != nil {
		return err
	}
	if wait || full {
		if err := w.triggerCompaction(bs, full); err != nil {
			return err
		}
		if err := w.syncCompaction(ctx, bs, true); err != nil {
			return err
		}
	}
	m.CompactBefore, m.CompactAfter, m.CompactChangelog = tr.before, tr.after, tr.changelog
	if w.comp.lookup && len(tr.before)+len(tr.after) > 0 {
		m.LookupBase = tr.base
	}
	tr.base = upperNames(tr.levels.Files())
	m.NewIndexFiles = append(m.NewIndexFiles, tr.newIndex...)
	m.DeletedIndexFiles = append(m.DeletedIndexFiles, tr.delIndex...)
	tr.before, tr.after, tr.changelog, tr.newIndex, tr.delIndex = nil, nil, nil, nil, nil
	tr.inBefore, tr.own = map[string]bool{}, map[string]bool{}
	return nil
}

// closeCompactions stops the writer's compactions and removes what they
// wrote that no Prepare handed out.
func (w *Writer) closeCompactions() error {
	if w.comp == nil {
		return nil
	}
	w.bgCancel()
	w.compactWG.Wait()
	ctx := context.Background()
	var errs []error
	for _, bs := range w.buckets {
		tr := bs.tree
		if tr == nil {
			continue
		}
		if rc := tr.running; rc != nil {
			tr.running = nil
			if rc.err == nil && rc.msg != nil {
				w.comp.removeOutputs(ctx, []CommitMessage{*rc.msg})
			}
		}
		for _, f := range tr.after {
			if !tr.inBefore[f.FileName] {
				if err := w.t.store.Delete(ctx, bs.dir+"/"+f.FileName); err != nil {
					errs = append(errs, err)
				}
			}
		}
		for _, f := range tr.changelog {
			if err := w.t.store.Delete(ctx, bs.dir+"/"+f.FileName); err != nil {
				errs = append(errs, err)
			}
		}
		tr.changelog = nil
		for _, e := range tr.newIndex {
			if err := w.t.store.Delete(ctx, w.t.indexKey(bs.part.serialized, bs.bucket, e.FileName)); err != nil {
				errs = append(errs, err)
			}
		}
		tr.after, tr.newIndex = nil, nil
	}
	w.comp.close()
	return errors.Join(errs...)
}

// compactsAppend reports whether the writer compacts an append table's
// small files (write-only=false).
func (w *Writer) compactsAppend() bool { return !w.hasPK && !w.cfg.WriteOnly }

// compactAppendBucket compacts an append bucket's small files when Prepare
// hands over new ones (Paimon's append writers compact inline the same
// way), recording the result in m.
func (w *Writer) compactAppendBucket(ctx context.Context, bs *bucketState, m *CommitMessage) error {
	if err := w.initCompaction(); err != nil {
		return err
	}
	if bs.live == nil {
		bf, err := w.baseBucket(ctx, bs)
		if err != nil {
			return err
		}
		bs.live = bf
	}
	bf := bs.live
	bf.files = append(bf.files, m.NewFiles...)
	msg, _, err := w.comp.compactAppend(ctx, bf, false)
	if err != nil {
		return fmt.Errorf("compact %s: %w", bs.dir, err)
	}
	if msg == nil {
		return nil
	}
	m.CompactBefore, m.CompactAfter = msg.CompactBefore, msg.CompactAfter
	m.NewIndexFiles = append(m.NewIndexFiles, msg.NewIndexFiles...)
	m.DeletedIndexFiles = append(m.DeletedIndexFiles, msg.DeletedIndexFiles...)
	gone := map[string]bool{}
	for _, f := range msg.CompactBefore {
		gone[f.FileName] = true
	}
	bf.files = slices.DeleteFunc(bf.files, func(f manifest.DataFile) bool { return gone[f.FileName] })
	bf.files = append(bf.files, msg.CompactAfter...)
	w.stats.Compactions++
	return nil
}
