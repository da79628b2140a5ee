package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// ErrInvalidCommit reports a commit request that cannot be made: files
// outside a static overwrite's partitions, a partition spec naming a
// non-partition column, compaction results in an overwrite.
var ErrInvalidCommit = errors.New("table: invalid commit")

// ErrCommitRetries reports a commit that lost the race for the next
// snapshot id more often than commit.max-retries allows (or for longer than
// commit.timeout). Nothing was published; the commit may be retried.
var ErrCommitRetries = errors.New("table: commit retries exhausted")

// overwriteSpec says which live files an overwrite deletes: those whose
// partition match accepts (nil: every file).
type overwriteSpec struct {
	match func(partition []byte) (bool, error)
}

// phase is one snapshot of a commit.
type phase struct {
	kind      snapshot.Kind
	entries   []manifest.Entry // ADD / DELETE, in order
	changelog []manifest.Entry // ADD
	indexAdd  []manifest.IndexEntry
	indexDel  []manifest.IndexEntry
	overwrite *overwriteSpec
	lookups   []lookupDep // lookup compactions' view of their buckets
}

// partitions lists the partitions a phase's rules look at: those of its
// entries and of its deletion-vector index files (in order, repeated).
func (p *phase) partitions() [][]byte {
	var out [][]byte
	for _, e := range p.entries {
		out = append(out, e.Partition)
	}
	for _, e := range p.indexAdd {
		if e.IndexType == manifest.IndexDeletionVectors {
			out = append(out, e.Partition)
		}
	}
	return out
}

// lookupDep is what a lookup compaction of one bucket relied on.
type lookupDep struct {
	part   []byte
	bucket int32
	base   []string // the bucket's files above level 0 it saw
}

func (p *phase) empty() bool {
	return len(p.entries) == 0 && len(p.changelog) == 0 && len(p.indexAdd) == 0 && len(p.indexDel) == 0 && p.overwrite == nil
}

// committer holds what one Commit call shares between its phases and
// attempts.
type committer struct {
	t         *Table
	opts      CommitOptions
	user      string
	ident     int64
	log       *slog.Logger
	enc       manifest.EncodeOptions
	schemaID  int64
	partTypes []schema.DataType // nullable
	keyTypes  []schema.DataType // nil for append tables

	manifests *manifest.NameGenerator
	lists     *manifest.NameGenerator
	indexes   *manifest.NameGenerator
}

func (t *Table) commit(ctx context.Context, msgs []CommitMessage, opts CommitOptions, ow *overwriteSpec) (*CommitResult, error) {
	c := &committer{
		t:         t,
		opts:      opts,
		user:      opts.CommitUser,
		ident:     opts.Identifier,
		log:       opts.Logger,
		manifests: manifest.NewNameGenerator(manifest.PrefixManifest),
		lists:     manifest.NewNameGenerator(manifest.PrefixList),
		indexes:   manifest.NewNameGenerator(manifest.PrefixIndexManifest),
	}
	if c.user == "" {
		c.user = uuid.NewString()
	}
	// A commit user given by the caller makes the commit exactly-once:
	// a retry with the same user and identifier (math.MaxInt64 for a batch
	// commit) is recognised. A random user is never seen before.
	explicit := opts.CommitUser != ""
	if c.ident == 0 {
		c.ident = math.MaxInt64
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.enc = manifestEncodeOptions(t.cfg)
	ids, err := schemaIDs(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		c.schemaID = ids[len(ids)-1]
	}
	for _, f := range t.latest.PartitionFields() {
		ty := f.Type
		ty.NotNull = false
		c.partTypes = append(c.partTypes, ty)
	}
	if len(t.latest.PrimaryKeys) > 0 {
		for _, f := range t.latest.TrimmedPrimaryKeyFields() {
			c.keyTypes = append(c.keyTypes, f.Type)
		}
	}

	phases, err := planPhases(msgs, ow)
	if err != nil {
		return nil, err
	}
	res := &CommitResult{}
	if len(phases) == 0 {
		return res, nil
	}
	if explicit {
		last, err := snapshot.LatestByUser(ctx, t.meta, c.user)
		switch {
		case errors.Is(err, snapshot.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("commit: find last commit of %s: %w", c.user, err)
		case last.CommitIdentifier > c.ident:
			res.AlreadyCommitted = true
			return res, nil
		case last.CommitIdentifier == c.ident:
			// Some phases landed. The last landed phase is last's kind; the
			// phases up to it are done.
			done := -1
			for i, p := range phases {
				if p.kind == last.CommitKind {
					done = i
				}
			}
			if done < 0 {
				return nil, fmt.Errorf("%w: identifier %d of %s was committed as %s", ErrAlreadyCommitted, c.ident, c.user, last.CommitKind)
			}
			phases = phases[done+1:]
			res.AlreadyCommitted = true
			if len(phases) == 0 {
				return res, nil
			}
		}
	}
	for i, p := range phases {
		snap, err := c.commitPhase(ctx, p, res)
		if err != nil && i > 0 && p.kind == snapshot.KindCompact && errors.Is(err, ErrCommitConflict) {
			// The data landed; only the compaction of a writer lost to a
			// concurrent commit (another writer of the same bucket, a
			// dedicated compaction). Its files stay unreferenced for a
			// later orphan cleanup: the writer may still build on them.
			res.CompactionAbandoned = err
			c.log.Warn("compaction result abandoned: it conflicts with a concurrent commit; the data was committed",
				"snapshot_id", res.Snapshots[len(res.Snapshots)-1].ID, "error", err)
			break
		}
		if err != nil {
			return res, err
		}
		res.Snapshots = append(res.Snapshots, snap)
	}
	res.Maintenance = t.maintain(ctx, c.log)
	return res, nil
}

// planPhases turns messages into the APPEND/OVERWRITE phase and the COMPACT
// phase. Changelog and index changes go with the append phase unless the
// commit only compacts; compaction changelog goes with the COMPACT phase.
// An overwrite carries no changelog (as in Paimon: its changelog files
// stay unreferenced, for orphan cleanup).
func planPhases(msgs []CommitMessage, ow *overwriteSpec) ([]*phase, error) {
	app := &phase{kind: snapshot.KindAppend, overwrite: ow}
	cmp := &phase{kind: snapshot.KindCompact}
	hasAppend, hasCompact := false, false
	for i := range msgs {
		m := &msgs[i]
		if len(m.NewFiles)+len(m.DeletedFiles) > 0 {
			hasAppend = true
		}
		if len(m.CompactBefore)+len(m.CompactAfter)+len(m.CompactChangelog) > 0 {
			hasCompact = true
		}
	}
	if ow != nil && hasCompact {
		return nil, fmt.Errorf("%w: an overwrite cannot carry compaction results", ErrInvalidCommit)
	}
	side := app
	if !hasAppend && hasCompact {
		side = cmp
	}
	entry := func(m *CommitMessage, k manifest.FileKind, f manifest.DataFile) manifest.Entry {
		return manifest.Entry{Kind: k, Partition: m.Partition, Bucket: m.Bucket, TotalBuckets: m.TotalBuckets, File: f}
	}
	for i := range msgs {
		m := &msgs[i]
		for _, f := range m.NewFiles {
			app.entries = append(app.entries, entry(m, manifest.Add, f))
		}
		for _, f := range m.DeletedFiles {
			app.entries = append(app.entries, entry(m, manifest.Delete, f))
		}
		for _, f := range m.CompactBefore {
			cmp.entries = append(cmp.entries, entry(m, manifest.Delete, f))
		}
		for _, f := range m.CompactAfter {
			cmp.entries = append(cmp.entries, entry(m, manifest.Add, f))
		}
		if len(m.LookupBase) > 0 && len(m.CompactBefore)+len(m.CompactAfter) > 0 {
			cmp.lookups = append(cmp.lookups, lookupDep{part: m.Partition, bucket: m.Bucket, base: m.LookupBase})
		}
		for _, f := range m.ChangelogFiles {
			if ow != nil {
				continue
			}
			side.changelog = append(side.changelog, entry(m, manifest.Add, f))
		}
		for _, f := range m.CompactChangelog {
			cmp.changelog = append(cmp.changelog, entry(m, manifest.Add, f))
		}
		// Deletion vectors change only through compaction in floe's
		// writes, so they travel with the compaction result when a message
		// carries one (Java's CompactIncrement index files).
		idxSide := func(e manifest.IndexEntry) *phase {
			if e.IndexType == manifest.IndexDeletionVectors && len(m.CompactBefore)+len(m.CompactAfter) > 0 {
				return cmp
			}
			return side
		}
		for _, e := range m.NewIndexFiles {
			e.Kind = manifest.Add
			p := idxSide(e)
			p.indexAdd = append(p.indexAdd, e)
		}
		for _, e := range m.DeletedIndexFiles {
			e.Kind = manifest.Delete
			p := idxSide(e)
			p.indexDel = append(p.indexDel, e)
		}
	}
	// An append phase that deletes files or changes deletion vectors is an
	// OVERWRITE (§2.1).
	if ow != nil {
		app.kind = snapshot.KindOverwrite
	} else {
		for _, e := range app.entries {
			if e.Kind == manifest.Delete {
				app.kind = snapshot.KindOverwrite
			}
		}
		for _, e := range append(append([]manifest.IndexEntry(nil), app.indexAdd...), app.indexDel...) {
			if e.IndexType == manifest.IndexDeletionVectors {
				app.kind = snapshot.KindOverwrite
			}
		}
	}
	var out []*phase
	if !app.empty() {
		out = append(out, app)
	}
	if !cmp.empty() {
		out = append(out, cmp)
	}
	return out, nil
}

// phaseFiles are the metadata files written for one phase that do not
// depend on the base snapshot, reused across attempts.
type phaseFiles struct {
	deltaList     string
	deltaListSize int64
	clList        string
	clListSize    int64
	written       []string
}

// commitPhase publishes one phase, retrying lost races.
func (c *committer) commitPhase(ctx context.Context, p *phase, res *CommitResult) (*snapshot.Snapshot, error) {
	cfg := c.t.cfg
	start := time.Now()
	var fixed phaseFiles
	published := false
	defer func() {
		if !published {
			// Nothing of this phase was published (or we would not be
			// here with published false after a definite answer); the
			// ambiguous case sets published to keep the files.
			c.cleanup(ctx, fixed.written)
		}
	}()
	for attempt := 0; ; attempt++ {
		latest, err := snapshot.Latest(ctx, c.t.meta)
		if errors.Is(err, snapshot.ErrNotFound) {
			latest, err = nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("commit: read latest snapshot: %w", err)
		}
		snap, attemptFiles, err := c.build(ctx, p, latest, &fixed)
		if err != nil {
			c.cleanup(ctx, attemptFiles)
			return nil, err
		}
		res.Attempts++
		if waited, err := c.t.awaitRollback(ctx); err != nil || waited {
			c.cleanup(ctx, attemptFiles)
			if err != nil {
				return nil, err
			}
			continue // built on what a rollback may have removed
		}
		pr, err := snapshot.Publish(ctx, c.t.meta, snap, snapshot.PublishOptions{Logger: c.log})
		if err == nil {
			published = true
			c.log.Info("commit published", "snapshot_id", snap.ID, "kind", string(snap.CommitKind),
				"commit_user", c.user, "attempts", attempt+1, "recovered", pr.Recovered)
			if latest != nil {
				if err := c.t.checkRolledBack(ctx, latest.ID, snap.ID, c.log); err != nil {
					return nil, err
				}
			}
			return snap, nil
		}
		var ce *snapshot.ConflictError
		if !errors.As(err, &ce) {
			// Unknown outcome (or a failure we cannot classify): the
			// snapshot may be live, so keep every file it names.
			published = true
			return nil, fmt.Errorf("commit snapshot %d: %w", snap.ID, err)
		}
		// Lost the race: our snapshot is certainly not there, and the
		// base-specific files were never referenced.
		c.cleanup(ctx, attemptFiles)
		c.log.Info("commit lost race", "snapshot_id", snap.ID, "attempt", attempt+1)
		if attempt >= cfg.CommitMaxRetries || (cfg.CommitTimeout > 0 && time.Since(start) > cfg.CommitTimeout) {
			return nil, fmt.Errorf("%w: %d attempts, last lost snapshot %d", ErrCommitRetries, attempt+1, snap.ID)
		}
		if err := sleepCtx(ctx, backoff(cfg.CommitMinRetryWait, cfg.CommitMaxRetryWait, attempt)); err != nil {
			return nil, err
		}
	}
}

func backoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	if minWait <= 0 {
		minWait = time.Millisecond
	}
	if maxWait < minWait {
		maxWait = minWait
	}
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	if d > maxWait {
		d = maxWait
	}
	// Full jitter above the minimum.
	return minWait + time.Duration(rand.Int64N(int64(d-minWait)+1))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// cleanup deletes metadata files that no snapshot references, best effort.
func (c *committer) cleanup(ctx context.Context, names []string) {
	if len(names) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, n := range names {
		if err := c.t.store.Delete(ctx, manifest.Key(n)); err != nil {
			c.log.Debug("commit cleanup", "file", n, "error", err)
		}
	}
}

// build writes the metadata files of one attempt on top of latest and
// returns the snapshot to publish. attemptFiles are the files written for
// this attempt only (to delete when it loses).
func (c *committer) build(ctx context.Context, p *phase, latest *snapshot.Snapshot, fixed *phaseFiles) (snap *snapshot.Snapshot, attemptFiles []string, err error) {
	st := c.t.store
	var latestID int64
	if latest != nil {
		latestID = latest.ID
	}

	// The latest snapshot's manifest lists, and its live files in the
	// partitions the commit changes, when a rule needs them.
	var lists *manifest.Lists
	if latest != nil {
		if lists, err = manifest.ReadLists(ctx, st, latest.BaseManifestList, latest.DeltaManifestList); err != nil {
			return nil, nil, fmt.Errorf("commit: %w", err)
		}
	}
	delta := p.entries
	needLive := latest != nil && (p.overwrite != nil || p.kind != snapshot.KindAppend)
	var live []manifest.Entry
	if needLive {
		fs, err := lists.Load(ctx, st, c.liveOptions(p))
		if err != nil {
			return nil, nil, fmt.Errorf("commit: read live files of snapshot %d: %w", latest.ID, err)
		}
		live = fs.Entries()
	}
	var removedParts map[string]bool // partitions an overwrite clears
	if p.overwrite != nil {
		var dels []manifest.Entry
		removedParts = map[string]bool{}
		for _, e := range live {
			ok := true
			if p.overwrite.match != nil {
				if ok, err = p.overwrite.match(e.Partition); err != nil {
					return nil, nil, err
				}
			}
			if ok {
				e.Kind = manifest.Delete
				dels = append(dels, e)
				removedParts[string(e.Partition)] = true
			}
		}
		delta = append(dels, p.entries...)
	}
	changed := map[string]bool{}
	for _, e := range delta {
		changed[string(e.Partition)] = true
	}
	for _, part := range p.partitions() {
		changed[string(part)] = true
	}
	var liveChanged []manifest.Entry
	for _, e := range live {
		if changed[string(e.Partition)] {
			liveChanged = append(liveChanged, e)
		}
	}
	err = checkConflicts(liveChanged, delta, c.keyTypes, p.overwrite != nil)
	if err == nil {
		err = checkVectorFiles(liveChanged, delta, p.indexAdd)
	}
	if err == nil {
		err = checkLookupBase(liveChanged, p.entries, p.lookups)
	}
	if err != nil {
		var ce *CommitConflictError
		if errors.As(err, &ce) {
			ce.SnapshotID = latestID
		}
		return nil, nil, err
	}

	// Base list: the latest snapshot's base and delta manifests, merged.
	var prev []manifest.FileMeta
	if lists != nil {
		for _, metas := range lists.Metas {
			prev = append(prev, metas...)
		}
	}
	base, mergedFiles, err := c.mergeManifests(ctx, prev)
	attemptFiles = append(attemptFiles, mergedFiles...)
	if err != nil {
		return nil, attemptFiles, err
	}
	baseName := c.lists.Next()
	attemptFiles = append(attemptFiles, baseName)
	baseSize, err := manifest.WriteList(ctx, st, baseName, base, c.enc)
	if err != nil {
		return nil, attemptFiles, fmt.Errorf("commit: write manifest list %s: %w", baseName, err)
	}

	// Delta list: fixed unless the delta depends on the latest snapshot.
	deltaName, deltaSize := fixed.deltaList, fixed.deltaListSize
	if p.overwrite != nil || deltaName == "" {
		metas, names, err := c.writeManifests(ctx, delta)
		if p.overwrite != nil {
			attemptFiles = append(attemptFiles, names...)
		} else {
			fixed.written = append(fixed.written, names...)
		}
		if err != nil {
			return nil, attemptFiles, err
		}
		deltaName = c.lists.Next()
		if p.overwrite != nil {
			attemptFiles = append(attemptFiles, deltaName)
		} else {
			fixed.written = append(fixed.written, deltaName)
		}
		if deltaSize, err = manifest.WriteList(ctx, st, deltaName, metas, c.enc); err != nil {
			return nil, attemptFiles, fmt.Errorf("commit: write manifest list %s: %w", deltaName, err)
		}
		if p.overwrite == nil {
			fixed.deltaList, fixed.deltaListSize = deltaName, deltaSize
		}
	}

	// Changelog list.
	if len(p.changelog) > 0 && fixed.clList == "" {
		metas, names, err := c.writeManifests(ctx, p.changelog)
		fixed.written = append(fixed.written, names...)
		if err != nil {
			return nil, attemptFiles, err
		}
		name := c.lists.Next()
		fixed.written = append(fixed.written, name)
		size, err := manifest.WriteList(ctx, st, name, metas, c.enc)
		if err != nil {
			return nil, attemptFiles, fmt.Errorf("commit: write manifest list %s: %w", name, err)
		}
		fixed.clList, fixed.clListSize = name, size
	}

	// Index manifest.
	var indexManifest *string
	if latest != nil {
		indexManifest = latest.IndexManifest
	}
	if len(p.indexAdd)+len(p.indexDel) > 0 || len(removedParts) > 0 {
		var prevIdx []manifest.IndexEntry
		if latest != nil && latest.IndexManifest != nil {
			if prevIdx, err = manifest.ReadIndexManifest(ctx, st, *latest.IndexManifest); err != nil {
				return nil, attemptFiles, fmt.Errorf("commit: read index manifest: %w", err)
			}
		}
		if err := checkIndexConflicts(prevIdx, p.indexAdd, p.indexDel); err != nil {
			var ce *CommitConflictError
			if errors.As(err, &ce) {
				ce.SnapshotID = latestID
			}
			return nil, attemptFiles, err
		}
		next := combineIndex(prevIdx, p.indexAdd, p.indexDel, removedParts)
		if !sameIndex(prevIdx, next) {
			indexManifest = nil
			if len(next) > 0 {
				name := c.indexes.Next()
				attemptFiles = append(attemptFiles, name)
				if _, err := manifest.WriteIndexManifest(ctx, st, name, next, c.enc); err != nil {
					return nil, attemptFiles, fmt.Errorf("commit: write index manifest %s: %w", name, err)
				}
				indexManifest = &name
			}
		}
	}

	// The snapshot.
	var addRows, delRows int64
	for _, e := range delta {
		if e.Kind == manifest.Delete {
			delRows += e.File.RowCount
		} else {
			addRows += e.File.RowCount
		}
	}
	s := &snapshot.Snapshot{
		Version:               snapshot.CurrentVersion,
		ID:                    latestID + 1,
		SchemaID:              c.schemaID,
		BaseManifestList:      baseName,
		BaseManifestListSize:  &baseSize,
		DeltaManifestList:     deltaName,
		DeltaManifestListSize: &deltaSize,
		IndexManifest:         indexManifest,
		CommitUser:            c.user,
		CommitIdentifier:      c.ident,
		CommitKind:            p.kind,
		TimeMillis:            c.t.now().UnixMilli(),
		DeltaRecordCount:      addRows - delRows,
		Watermark:             c.opts.Watermark,
	}
	if fixed.clList != "" {
		name, size := fixed.clList, fixed.clListSize
		s.ChangelogManifestList, s.ChangelogManifestListSize = &name, &size
		var n int64
		for _, e := range p.changelog {
			n += e.File.RowCount
		}
		s.ChangelogRecordCount = &n
	}
	if len(c.opts.Properties) > 0 {
		s.Properties = c.opts.Properties
	}
	var nextRowID int64
	s.NextRowID = &nextRowID
	s.TotalRecordCount = s.DeltaRecordCount
	if latest != nil {
		s.TotalRecordCount += latest.TotalRecordCount
		if latest.Watermark != nil && (s.Watermark == nil || *latest.Watermark > *s.Watermark) {
			w := *latest.Watermark
			s.Watermark = &w
		}
		if latest.Statistics != nil && latest.SchemaID == c.schemaID {
			s.Statistics = latest.Statistics
		}
		if latest.NextRowID != nil {
			nextRowID = *latest.NextRowID
		}
	}
	return s, attemptFiles, nil
}

// checkLookupBase refuses lookup compactions whose buckets changed above
// level 0 since they were planned: each bucket's live files above level 0
// (live: the latest snapshot's entries of the partitions the commit
// changes) must be exactly the files the compaction saw there, less those
// the commit itself removes. Another commit's file above level 0 could
// hold keys the compaction did not look up; a file of the base that is
// gone took rows the compaction's marks were meant for. It is a pure
// function.
func checkLookupBase(live, delta []manifest.Entry, deps []lookupDep) error {
	if len(deps) == 0 {
		return nil
	}
	key := func(part []byte, bucket int32) string { return fmt.Sprintf("%x/%d", part, bucket) }
	want := make(map[string]bool, len(deps))
	for _, d := range deps {
		want[key(d.part, d.bucket)] = true
	}
	upper := map[string][]string{}          // bucket -> its live files above level 0
	removed := map[string]map[string]bool{} // bucket -> files this commit deletes
	for _, e := range live {
		if k := key(e.Partition, e.Bucket); want[k] && e.File.Level > 0 {
			upper[k] = append(upper[k], e.File.FileName)
		}
	}
	for _, e := range delta {
		if k := key(e.Partition, e.Bucket); want[k] && e.Kind == manifest.Delete {
			if removed[k] == nil {
				removed[k] = map[string]bool{}
			}
			removed[k][e.File.FileName] = true
		}
	}
	for _, d := range deps {
		k := key(d.part, d.bucket)
		base := make(map[string]bool, len(d.base))
		for _, n := range d.base {
			base[n] = true
		}
		seen := map[string]bool{}
		for _, n := range upper[k] {
			seen[n] = true
			if !base[n] {
				return &CommitConflictError{Reason: "a lookup compaction's bucket gained a file above level 0 since it was planned", Files: []string{n}}
			}
		}
		for n := range base {
			if !seen[n] && !removed[k][n] {
				return &CommitConflictError{Reason: "a file a lookup compaction relied on is no longer live", Files: []string{n}}
			}
		}
	}
	return nil
}

// checkVectorFiles refuses deletion vectors for data files that are not
// live once the commit applies (live: the latest snapshot's live entries of
// the partitions the commit changes; delta: its entries). A compaction
// that marked rows of an upper-level file deleted relied on that file: if
// a concurrent commit rewrote it, the marks would miss the rewritten rows
// and a key would show twice. It is a pure function.
func checkVectorFiles(live, delta []manifest.Entry, add []manifest.IndexEntry) error {
	if len(add) == 0 {
		return nil
	}
	key := func(part []byte, bucket int32, name string) string {
		return fmt.Sprintf("%x/%d/%s", part, bucket, name)
	}
	names := map[string]bool{}
	for _, e := range live {
		names[key(e.Partition, e.Bucket, e.File.FileName)] = true
	}
	for _, e := range delta {
		names[key(e.Partition, e.Bucket, e.File.FileName)] = e.Kind != manifest.Delete
	}
	// An upgraded file is deleted and added again under its name: the
	// add comes last in delta, so it stays.
	var missing []string
	for _, ie := range add {
		if ie.IndexType != manifest.IndexDeletionVectors {
			continue
		}
		for _, r := range ie.DVRanges {
			if !names[key(ie.Partition, ie.Bucket, r.DataFile)] {
				missing = append(missing, r.DataFile)
			}
		}
	}
	if len(missing) > 0 {
		return &CommitConflictError{Reason: "deletion vectors for data files that are no longer live (rewritten by another commit?)", Files: missing}
	}
	return nil
}

// checkIndexConflicts refuses deletion-vector changes made against another
// index state than prev: every vector file deleted must still be live, and
// a bucket given a new vector file must not have gained one the commit
// did not know of (a concurrent compaction's marks would be lost, and the
// rows they delete would come back). It is a pure function.
func checkIndexConflicts(prev, add, del []manifest.IndexEntry) error {
	live := map[string]bool{}
	byBucket := map[string][]string{}
	key := func(e *manifest.IndexEntry) string { return fmt.Sprintf("%x/%d", e.Partition, e.Bucket) }
	for i := range prev {
		if prev[i].IndexType == manifest.IndexDeletionVectors {
			live[prev[i].FileName] = true
			byBucket[key(&prev[i])] = append(byBucket[key(&prev[i])], prev[i].FileName)
		}
	}
	known := map[string]bool{}
	var missing []string
	for i := range del {
		if del[i].IndexType != manifest.IndexDeletionVectors {
			continue
		}
		known[del[i].FileName] = true
		if !live[del[i].FileName] {
			missing = append(missing, del[i].FileName)
		}
	}
	if len(missing) > 0 {
		return &CommitConflictError{Reason: "deletion-vector index file deleted is not live (replaced by another commit?)", Files: missing}
	}
	added := map[string]string{}
	for i := range add {
		if add[i].IndexType != manifest.IndexDeletionVectors {
			continue
		}
		k := key(&add[i])
		if prior, ok := added[k]; ok {
			// Two writers of one bucket each rewrote its vectors: the
			// marks of one would be lost.
			return &CommitConflictError{Reason: "two deletion-vector index files for one bucket in one commit", Files: []string{prior, add[i].FileName}}
		}
		added[k] = add[i].FileName
		for _, name := range byBucket[k] {
			if !known[name] {
				return &CommitConflictError{Reason: "bucket gained a deletion-vector index file this commit did not see", Files: []string{name}}
			}
		}
	}
	return nil
}

// liveOptions selects the live files a phase's conflict checks need: those
// of the partitions its entries change, plus, for an overwrite, those it
// deletes (every partition when it has no partition filter). Manifests are
// skipped by their partition statistics unless an overwrite's filter
// decides.
func (c *committer) liveOptions(p *phase) manifest.FileSetOptions {
	changed := map[string]bool{}
	var parts [][]byte
	for _, part := range p.partitions() {
		if !changed[string(part)] {
			changed[string(part)] = true
			parts = append(parts, part)
		}
	}
	switch {
	case p.overwrite == nil:
		return manifest.FileSetOptions{
			Partition:      func(b []byte) (bool, error) { return changed[string(b)], nil },
			PartitionStats: partitionStatsFilter(c.t.partitionTypes(), parts),
		}
	case p.overwrite.match != nil:
		match := p.overwrite.match
		return manifest.FileSetOptions{Partition: func(b []byte) (bool, error) {
			if changed[string(b)] {
				return true, nil
			}
			return match(b)
		}}
	}
	return manifest.FileSetOptions{}
}

// combineIndex applies index changes to the previous full index state:
// HASH and DELETION_VECTORS files are keyed by (partition, bucket, type), so a
// new file replaces the old one; other index types are keyed by file name.
// Entries of partitions in removed (an overwrite) are dropped first.
func combineIndex(prev, add, del []manifest.IndexEntry, removed map[string]bool) []manifest.IndexEntry {
	keyOf := func(e *manifest.IndexEntry) string {
		if e.IndexType == manifest.IndexHash || e.IndexType == manifest.IndexDeletionVectors {
			return fmt.Sprintf("k/%x/%d/%s", e.Partition, e.Bucket, e.IndexType)
		}
		return "f/" + e.FileName
	}
	deleted := map[string]bool{}
	for _, e := range del {
		deleted[e.FileName] = true
	}
	replaced := map[string]bool{}
	for i := range add {
		replaced[keyOf(&add[i])] = true
	}
	var out []manifest.IndexEntry
	for i := range prev {
		e := prev[i]
		if removed[string(e.Partition)] || deleted[e.FileName] || replaced[keyOf(&e)] {
			continue
		}
		e.Kind = manifest.Add
		out = append(out, e)
	}
	for _, e := range add {
		e.Kind = manifest.Add
		out = append(out, e)
	}
	return out
}

func sameIndex(a, b []manifest.IndexEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].FileName != b[i].FileName || a[i].Bucket != b[i].Bucket || string(a[i].Partition) != string(b[i].Partition) {
			return false
		}
	}
	return true
}

func manifestEncodeOptions(cfg *Config) manifest.EncodeOptions {
	switch strings.ToLower(cfg.ManifestCompression) {
	case "", "zstd", "zstandard":
		return manifest.EncodeOptions{Codec: manifest.CodecZstd, Level: cfg.ZstdLevel}
	case "none", "null", "uncompressed":
		return manifest.EncodeOptions{Codec: manifest.CodecNull}
	case "snappy":
		return manifest.EncodeOptions{Codec: manifest.CodecSnappy}
	case "deflate":
		return manifest.EncodeOptions{Codec: manifest.CodecDeflate}
	}
	return manifest.EncodeOptions{Codec: manifest.Codec(cfg.ManifestCompression)}
}

// overwriteFor builds the overwrite spec of a Commit with opts.Overwrite.
func (t *Table) overwriteFor(opts CommitOptions, msgs []CommitMessage) (*overwriteSpec, error) {
	switch {
	case opts.DynamicOverwrite:
		parts := map[string]bool{}
		for i := range msgs {
			parts[string(msgs[i].Partition)] = true
		}
		return &overwriteSpec{match: func(p []byte) (bool, error) { return parts[string(p)], nil }}, nil
	case len(opts.OverwritePartition) > 0:
		m, err := t.partitionMatcher(opts.OverwritePartition)
		if err != nil {
			return nil, err
		}
		// Every new file must belong to the overwritten partitions.
		for i := range msgs {
			if len(msgs[i].NewFiles) == 0 {
				continue
			}
			ok, err := m(msgs[i].Partition)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%w: new files outside the overwritten partition %v", ErrInvalidCommit, opts.OverwritePartition)
			}
		}
		return &overwriteSpec{match: m}, nil
	}
	return &overwriteSpec{}, nil
}

// partitionMatcher returns a predicate on serialized partition rows that
// accepts the partitions whose values, formatted as in partition paths,
// equal spec's (a partial spec matches on the named columns only).
func (t *Table) partitionMatcher(spec map[string]string) (func([]byte) (bool, error), error) {
	fields := t.latest.PartitionFields()
	idx := map[string]int{}
	for i, f := range fields {
		idx[f.Name] = i
	}
	for k := range spec {
		if _, ok := idx[k]; !ok {
			return nil, fmt.Errorf("%w: %q is not a partition column", ErrInvalidCommit, k)
		}
	}
	types := make([]schema.DataType, len(fields))
	for i, f := range fields {
		types[i] = f.Type
	}
	cache := map[string]bool{}
	return func(p []byte) (bool, error) {
		if v, ok := cache[string(p)]; ok {
			return v, nil
		}
		vals, err := decodeSerialized(types, p)
		if err != nil {
			return false, fmt.Errorf("commit: partition: %w", err)
		}
		ok := true
		for k, want := range spec {
			i := idx[k]
			s, err := binrow.PartitionValue(types[i], vals[i], t.cfg.PartitionLegacyName)
			if err != nil {
				return false, fmt.Errorf("commit: partition %s: %w", k, err)
			}
			if strings.TrimSpace(s) == "" {
				s = t.cfg.PartitionDefaultName
			}
			if s != want {
				ok = false
				break
			}
		}
		cache[string(p)] = ok
		return ok, nil
	}, nil
}
