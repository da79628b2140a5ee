package table_test

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
	"github.com/floelake/floe/table"
)

// The compaction model: the random commits of the model test interleaved
// with dedicated compactions (full or picked, of random partitions), with
// compactions racing writers and other compactions in other Table
// instances, and with compactions under injected storage faults. Every
// snapshot must scan as the model says: the rows of the commits it holds,
// and for tables whose reads skip level 0 (first-row, deletion vectors)
// only the commits whose files compaction has moved out of level 0.

var compactModelCases = []modelCase{
	{name: "dedup-b1", pk: true, opts: []table.Option{
		{Key: "bucket", Value: "1"},
	}},
	{name: "dedup-b2-unpartitioned-small", pk: true, unpartitioned: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "target-file-size", Value: "1 kb"},
		{Key: "write-buffer-size", Value: "32 kb"},
	}},
	{name: "dedup-dynamic", pk: true, opts: []table.Option{
		{Key: "bucket", Value: "-1"},
		{Key: "dynamic-bucket.target-row-num", Value: "15"},
	}},
	{name: "dedup-b2-trigger2", pk: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "num-sorted-run.compaction-trigger", Value: "2"},
		{Key: "target-file-size", Value: "4 kb"},
	}},
	{name: "first-row", pk: true, firstRow: true, lookup: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "merge-engine", Value: "first-row"},
	}},
	{name: "dv", pk: true, lookup: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "deletion-vectors.enabled", Value: "true"},
	}},
	{name: "dv-unpartitioned-small", pk: true, lookup: true, unpartitioned: true, opts: []table.Option{
		{Key: "bucket", Value: "1"},
		{Key: "deletion-vectors.enabled", Value: "true"},
		{Key: "target-file-size", Value: "1 kb"},
	}},
	{name: "seq-field", pk: true, seqField: true, unpartitioned: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "sequence.field", Value: "n"},
	}},
	{name: "partial-update", pk: true, engine: "partial-update", opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "merge-engine", Value: "partial-update"},
		{Key: "ignore-delete", Value: "true"},
		{Key: "num-sorted-run.compaction-trigger", Value: "2"},
		{Key: "target-file-size", Value: "4 kb"},
	}},
	{name: "aggregation-spill", pk: true, engine: "aggregation", unpartitioned: true, opts: []table.Option{
		{Key: "bucket", Value: "1"},
		{Key: "merge-engine", Value: "aggregation"},
		{Key: "fields.n.aggregate-function", Value: "sum"},
		{Key: "write-buffer-size", Value: "32 kb"},
	}},
	{name: "append-unaware-small", opts: []table.Option{
		{Key: "bucket", Value: "-1"},
		{Key: "target-file-size", Value: "12 kb"},
		{Key: "compaction.min.file-num", Value: "2"},
	}},
	{name: "append-fixed", unpartitioned: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "bucket-key", Value: "id"},
		{Key: "compaction.min.file-num", Value: "2"},
	}},
	{name: "append-dv", opts: []table.Option{
		{Key: "bucket", Value: "-1"},
		{Key: "deletion-vectors.enabled", Value: "true"},
	}},
}

// compactSteps returns the step count and seeds of the compaction model:
// short by default, long with FLOE_MODEL_SOAK=<steps>.
func compactSteps() (steps int, seeds uint64) {
	steps, seeds = 10, 1
	if testing.Short() {
		steps = 5
	}
	if v := os.Getenv("FLOE_MODEL_SOAK"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			n = 60
		}
		steps, seeds = n, 4
	}
	return steps, seeds
}

func TestModelCompaction(t *testing.T) {
	steps, seeds := compactSteps()
	for _, c := range compactModelCases {
		for seed := uint64(1); seed <= seeds; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", c.name, seed), func(t *testing.T) {
				t.Parallel()
				runCompactModel(t, c, seed, steps, t.TempDir())
			})
		}
	}
}

// TestModelCompactionS3 runs a few compaction model cases against the S3
// server in FLOE_S3_URL (MinIO in CI, where the variable is required).
func TestModelCompactionS3(t *testing.T) {
	url := os.Getenv("FLOE_S3_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FLOE_S3_URL is not set (source .ci/minio.sh)")
		}
		t.Skip("FLOE_S3_URL is not set; source .ci/minio.sh to run against MinIO")
	}
	steps := 6
	if testing.Short() {
		steps = 3
	}
	for _, name := range []string{"dedup-b2-trigger2", "dv", "append-unaware-small", "partial-update"} {
		i := slices.IndexFunc(compactModelCases, func(c modelCase) bool { return c.name == name })
		c := compactModelCases[i]
		t.Run(c.name, func(t *testing.T) {
			runCompactModel(t, c, 5, steps, joinURL(url, "model-compact-"+uuid.NewString()))
		})
	}
}

// commitRec is one writer commit that landed: its first snapshot, its rows
// and its files by partition.
type commitRec struct {
	snap  int64
	rows  []modelRow
	files map[string][]string // partition value ("" unpartitioned) -> file names
}

type compactEnv struct {
	*modelEnv
	log []commitRec
	// statistics for the log line
	compactions, retried, empty, lost, faulted, ambiguous, leaked, racedWrites int
}

func runCompactModel(t *testing.T, c modelCase, seed uint64, steps int, dir string) {
	start := time.Now()
	// Each case draws its own sequence of steps.
	h := fnv.New64a()
	h.Write([]byte(c.name))
	e := &compactEnv{modelEnv: newModelEnv(t, c, seed^h.Sum64(), dir)}
	for step := 0; step < steps; step++ {
		switch r := e.rng.IntN(12); {
		case r < 4:
			e.stepWrite(e.rng.IntN(3) == 0)
		case r < 7:
			e.stepCompact(e.tbl)
		case r < 9:
			e.stepRace()
		default:
			e.stepCompactFault()
		}
		e.checkSnapshot(0)
		// A sample of earlier snapshots still reads as it did.
		if ids := e.snapshotIDs(); len(ids) > 1 {
			e.checkSnapshot(ids[e.rng.IntN(len(ids)-1)])
		}
	}
	// A full compaction at the end makes every row visible, on every
	// kind of table.
	e.stepWrite(false)
	res, err := e.tbl.Compact(e.ctx, table.CompactOptions{Full: true, Alloc: e.alloc, CommitUser: "final"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Snapshot == nil && c.pk {
		// Nothing to do is right only when the writer's inline compaction
		// already left every bucket one run at the top level.
		files, _, err := e.tbl.Files(e.ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		levels := map[string]map[int32]bool{}
		for _, f := range files {
			k := fmt.Sprint(f.Partition, f.Bucket)
			if levels[k] == nil {
				levels[k] = map[int32]bool{}
			}
			levels[k][f.Level] = true
		}
		for k, ls := range levels {
			if len(ls) != 1 || ls[0] {
				t.Fatalf("final full compaction after a write did nothing, but bucket %s has levels %v: %+v", k, ls, res)
			}
		}
	}
	all := newCaseModel(c)
	for _, r := range e.sortedLog() {
		all.apply(r.rows)
	}
	if got, want := e.scan(table.ScanOptions{}), all.lines(); !slices.Equal(got, want) {
		t.Fatalf("after the final full compaction the scan differs from all commits\n got %d rows: %v\nwant %d rows: %v", len(got), head(got), len(want), head(want))
	}
	// Time travel to every snapshot; a COMPACT snapshot of a table that
	// reads level 0 scans as its predecessor.
	snaps, err := e.tbl.Snapshots(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var prev []string
	kinds := map[snapshot.Kind]int{}
	for _, s := range snaps {
		got := e.checkSnapshot(s.ID)
		kinds[s.CommitKind]++
		if s.CommitKind == snapshot.KindCompact && !c.lookup && prev != nil && !slices.Equal(got, prev) {
			t.Fatalf("COMPACT snapshot %d changed the rows of snapshot %d", s.ID, s.ID-1)
		}
		prev = got
	}
	e.alloc.AssertSize(t, 0)
	files, _, err := e.tbl.Files(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	index := 0
	for k := range e.objects() {
		if strings.HasPrefix(k, "index/") {
			index++
		}
	}
	t.Logf("%d steps in %v: %d snapshots %v, %d commits, %d rows, %d live files, %d index files; compactions: %d committed, %d with nothing to do, %d planned again after a lost conflict, %d lost a conflict, %d failed by a fault (%d ambiguous), %d leftover files, %d writes raced a compaction",
		steps, time.Since(start).Round(time.Millisecond), len(snaps), kinds, len(e.log), len(all.lines()), len(files), index,
		e.compactions, e.empty, e.retried, e.lost, e.faulted, e.ambiguous, e.leaked, e.racedWrites)
}

func (e *compactEnv) partOf(r modelRow) string {
	if e.c.unpartitioned {
		return ""
	}
	return r.p
}

// partValue decodes a message's partition ("" unpartitioned).
func (e *compactEnv) partValue(tbl *table.Table, part []byte) string {
	if e.c.unpartitioned {
		return ""
	}
	vs, err := tbl.DecodePartition(part)
	if err != nil || len(vs) != 1 {
		e.t.Fatalf("decode partition %x: %v %v", part, vs, err)
	}
	return fmt.Sprint(vs[0])
}

// logCommit records a writer commit that landed in snapshot snap.
func (e *compactEnv) logCommit(tbl *table.Table, snap int64, rows []modelRow, msgs []table.CommitMessage) {
	r := commitRec{snap: snap, rows: rows, files: map[string][]string{}}
	for _, m := range msgs {
		p := e.partValue(tbl, m.Partition)
		for _, f := range slices.Concat(m.NewFiles, m.CompactAfter) {
			r.files[p] = append(r.files[p], f.FileName)
		}
	}
	e.log = append(e.log, r)
}

func (e *compactEnv) sortedLog() []commitRec {
	out := slices.Clone(e.log)
	sort.SliceStable(out, func(i, j int) bool { return out[i].snap < out[j].snap })
	return out
}

// expect returns the rows snapshot sid must scan to: the rows of the
// commits it holds, in commit order; for tables whose reads skip level 0
// only the partitions of a commit none of whose files is still at level 0.
func (e *compactEnv) expect(sid int64) []string {
	var level0 map[string]bool
	if e.c.lookup {
		files, _, err := e.tbl.Files(e.ctx, sid)
		if err != nil {
			e.t.Fatal(err)
		}
		level0 = map[string]bool{}
		for _, f := range files {
			if f.Level == 0 {
				level0[f.Name] = true
			}
		}
	}
	m := newCaseModel(e.c)
	for _, r := range e.sortedLog() {
		if r.snap > sid {
			break
		}
		rows := r.rows
		if level0 != nil {
			hidden := map[string]bool{}
			for p, names := range r.files {
				hidden[p] = slices.ContainsFunc(names, func(n string) bool { return level0[n] })
			}
			rows = slices.DeleteFunc(slices.Clone(rows), func(row modelRow) bool { return hidden[e.partOf(row)] })
		}
		m.apply(rows)
	}
	return m.lines()
}

func (e *compactEnv) snapshotIDs() []int64 {
	snaps, err := e.tbl.Snapshots(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]int64, len(snaps))
	for i, s := range snaps {
		ids[i] = s.ID
	}
	return ids
}

// checkSnapshot compares the scan of snapshot sid (0 = latest) with the
// model and returns it.
func (e *compactEnv) checkSnapshot(sid int64) []string {
	e.t.Helper()
	if sid == 0 {
		id, err := snapshot.LatestID(e.ctx, e.tbl.Store())
		if err != nil {
			e.t.Fatal(err)
		}
		if id == 0 {
			return nil
		}
		sid = id
	}
	got := e.scan(table.ScanOptions{SnapshotID: sid})
	want := e.expect(sid)
	if !slices.Equal(got, want) {
		e.t.Fatalf("snapshot %d: scan differs from the model\n got %d rows: %v\nwant %d rows: %v\n%s",
			sid, len(got), head(got), len(want), head(want), diffLines(got, want))
	}
	return got
}

// diffLines lists up to 10 lines only one side has.
func diffLines(got, want []string) string {
	var b strings.Builder
	n := 0
	count := func(s []string) map[string]int {
		m := map[string]int{}
		for _, x := range s {
			m[x]++
		}
		return m
	}
	g, w := count(got), count(want)
	for x, c := range g {
		if c > w[x] && n < 10 {
			fmt.Fprintf(&b, "  extra %dx %s\n", c-w[x], x)
			n++
		}
	}
	for x, c := range w {
		if c > g[x] && n < 10 {
			fmt.Fprintf(&b, "  missing %dx %s\n", c-g[x], x)
			n++
		}
	}
	return b.String()
}

// stepWrite: one or several writers' messages in one commit.
func (e *compactEnv) stepWrite(multi bool) {
	parts := slices.Clone(partitions)
	e.rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	nw := 1
	if multi {
		nw = 2
	}
	var msgs []table.CommitMessage
	var rows []modelRow
	for i := range nw {
		ps := parts[i : i+1]
		if nw == 1 {
			ps = parts[:1+e.rng.IntN(len(parts))]
		}
		rs := e.rows(ps, 1+e.rng.IntN(400))
		msgs = append(msgs, e.write(e.tbl, rs)...)
		rows = append(rows, rs...)
	}
	id := e.nextID
	e.nextID++
	res, err := e.commit(e.tbl, msgs, e.user, id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.logCommit(e.tbl, res.Snapshots[0].ID, rows, msgs)
}

// compactOptions draws a compaction: full or picked, of all partitions or
// of a random subset.
func (e *compactEnv) compactOptions(user string) (table.CompactOptions, string) {
	o := table.CompactOptions{Full: e.rng.IntN(3) == 0, Parallelism: 1 + e.rng.IntN(3),
		CommitUser: user, Alloc: e.alloc, TempDir: e.t.TempDir()}
	desc := fmt.Sprintf("full=%v", o.Full)
	if !e.c.unpartitioned && e.rng.IntN(2) == 0 {
		var vs []any
		for _, p := range partitions {
			if e.rng.IntN(2) == 0 {
				vs = append(vs, p)
			}
		}
		switch len(vs) {
		case 0:
			o.Where = predicate.NotEqual("p", "b")
		case 1:
			o.Where = predicate.Equal("p", vs[0])
		default:
			o.Where = predicate.In("p", vs...)
		}
		desc += fmt.Sprintf(" where=%v", vs)
	}
	return o, desc
}

// stepCompact: a dedicated compaction with nothing racing it succeeds.
func (e *compactEnv) stepCompact(tbl *table.Table) {
	o, desc := e.compactOptions("compact-" + uuid.NewString())
	before, _ := snapshot.LatestID(e.ctx, e.tbl.Store())
	res, err := tbl.Compact(e.ctx, o)
	if err != nil {
		e.t.Fatalf("compact %s: %v", desc, err)
	}
	e.checkCompactResult(res, before, desc)
}

func (e *compactEnv) checkCompactResult(res *table.CompactResult, before int64, desc string) {
	if res.Attempts > 1 {
		e.retried++
	}
	if res.Snapshot == nil {
		e.empty++
		return
	}
	e.compactions++
	s := res.Snapshot
	if s.CommitKind != snapshot.KindCompact || s.ID <= before {
		e.t.Fatalf("compact %s: snapshot %d kind %s after snapshot %d", desc, s.ID, s.CommitKind, before)
	}
	if res.FilesIn == 0 && res.FilesOut == 0 {
		e.t.Fatalf("compact %s published snapshot %d that changes no file: %+v", desc, s.ID, res)
	}
}

// stepRace: a writer in one Table instance commits while one or two
// compactions run in others. Each ends committed or with a clean
// conflict; no row is lost.
func (e *compactEnv) stepRace() {
	wt := e.open()
	rows := e.rows(partitions[:1+e.rng.IntN(len(partitions))], 1+e.rng.IntN(300))
	msgs := e.write(wt, rows)
	ncomp := 1 + e.rng.IntN(2)
	type comp struct {
		tbl  *table.Table
		o    table.CompactOptions
		desc string
		res  *table.CompactResult
		err  error
	}
	comps := make([]*comp, ncomp)
	samePlan := e.rng.IntN(2) == 0 // both compact everything: one must lose
	for i := range comps {
		o, desc := e.compactOptions(fmt.Sprintf("race-%d-%s", i, uuid.NewString()))
		o.MaxAttempts = 1 + e.rng.IntN(3)
		if ncomp > 1 && samePlan {
			o.Full, o.Where = true, predicate.Predicate{}
			desc = "full=true"
		}
		// A little store latency makes the compactions overlap.
		f := &storage.Faults{}
		f.SetLatency(time.Duration(e.rng.IntN(800)) * time.Microsecond)
		tb, err := table.OpenStore(e.ctx, storage.WithFaults(e.tbl.Store(), f))
		if err != nil {
			e.t.Fatal(err)
		}
		e.t.Cleanup(func() { tb.Close() })
		comps[i] = &comp{tbl: tb, o: o, desc: desc}
	}
	delay := time.Duration(e.rng.IntN(3000)) * time.Microsecond
	before, _ := snapshot.LatestID(e.ctx, e.tbl.Store())
	id := e.nextID
	e.nextID++
	var wg sync.WaitGroup
	var wres *table.CommitResult
	var werr error
	wg.Go(func() {
		time.Sleep(delay)
		wres, werr = wt.Commit(e.ctx, msgs, table.CommitOptions{CommitUser: e.user, Identifier: id})
	})
	for _, c := range comps {
		wg.Go(func() { c.res, c.err = c.tbl.Compact(e.ctx, c.o) })
	}
	wg.Wait()
	switch {
	case werr == nil:
		e.logCommit(wt, wres.Snapshots[0].ID, rows, msgs)
		e.racedWrites++
	case errors.Is(werr, table.ErrCommitConflict):
		// An append that lost a conflict to a compaction: allowed, but
		// worth knowing.
		e.t.Logf("writer lost a conflict to a compaction: %v", werr)
	default:
		e.t.Fatalf("writer racing a compaction: %v", werr)
	}
	for _, c := range comps {
		switch {
		case c.err == nil:
			e.checkCompactResult(c.res, before, c.desc)
		case errors.Is(c.err, table.ErrCommitConflict):
			e.lost++
		default:
			e.t.Fatalf("compaction %s racing a writer: %v", c.desc, c.err)
		}
	}
	e.checkLiveFilesExist()
}

// open opens the table again, as another process would.
func (e *compactEnv) open() *table.Table {
	tb, err := table.Open(e.ctx, e.tablePath())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { tb.Close() })
	return tb
}

// compactFaults are the storage faults a compaction meets: its reads,
// its new data and index files, its manifests, its snapshot (before the
// store applied it, or after: ambiguous), and the deletes of its cleanup.
var compactFaults = []storage.Fault{
	{Op: storage.OpRead, Key: "/data-", Phase: storage.Before, Times: 1},
	{Op: storage.OpRead, Key: "/data-", Phase: storage.After, Times: 3},
	{Op: storage.OpWrite, Key: "/data-", Phase: storage.Before, Times: 1},
	{Op: storage.OpWrite, Key: "/data-", Phase: storage.After, Times: 2},
	{Op: storage.OpWrite, Key: "index/", Phase: storage.Before, Times: 1},
	{Op: storage.OpWrite, Key: "manifest/", Phase: storage.Before, Times: 1},
	{Op: storage.OpCreate, Key: "manifest/", Phase: storage.After, Times: 1},
	{Op: storage.OpCreate, Key: "snapshot/snapshot-", Phase: storage.Before, Times: 1000},
	{Op: storage.OpCreate, Key: "snapshot/snapshot-", Phase: storage.After, Times: 1},
	{Op: storage.OpCreate, Key: "snapshot/snapshot-", Phase: storage.After, Times: 1000},
	{Op: storage.OpRead, Key: "snapshot/", Phase: storage.Before, Times: 2},
	{Op: storage.OpList, Key: "", Phase: storage.Before, Times: 1},
}

// stepCompactFault: a compaction through the fault-injecting store. A
// failed compaction leaves every live file in place and the table equal
// to the model; one that certainly did not publish leaves none of its new
// files behind; an ambiguous one never duplicates or loses a row.
func (e *compactEnv) stepCompactFault() {
	// Something to compact first, most of the time.
	if e.rng.IntN(4) > 0 {
		e.stepWrite(false)
	}
	f := compactFaults[e.rng.IntN(len(compactFaults))]
	withDeleteFault := e.rng.IntN(5) == 0
	o, desc := e.compactOptions("fault-" + uuid.NewString())
	o.MaxAttempts = 1
	desc += fmt.Sprintf(" fault=%+v", f)
	beforeObjs := e.objects()
	before, _ := snapshot.LatestID(e.ctx, e.tbl.Store())
	e.faults.Add(f)
	if withDeleteFault {
		e.faults.Add(storage.Fault{Op: storage.OpDelete, Phase: storage.Before})
		desc += " +deletes fail"
	}
	res, err := e.ftbl.Compact(e.ctx, o)
	fired := e.faults.Fired()
	e.faults.Clear()
	_ = fired
	after, _ := snapshot.LatestID(e.ctx, e.tbl.Store())
	if err == nil {
		e.checkCompactResult(res, before, desc)
		e.checkLiveFilesExist()
		return
	}
	e.faulted++
	if !errors.Is(err, storage.ErrInjected) {
		e.t.Fatalf("compact %s: error %v does not wrap the injected fault", desc, err)
	}
	ambiguous := errors.Is(err, snapshot.ErrAmbiguous)
	if ambiguous {
		e.ambiguous++
	}
	// Did the compaction publish after all?
	published := false
	for sid := before + 1; sid <= after; sid++ {
		s, err := snapshot.Read(e.ctx, e.tbl.Store(), sid)
		if err != nil {
			e.t.Fatal(err)
		}
		if s.CommitUser != o.CommitUser || s.CommitKind != snapshot.KindCompact {
			e.t.Fatalf("compact %s: unexpected snapshot %d by %s (%s)", desc, sid, s.CommitUser, s.CommitKind)
		}
		published = true
	}
	if published && !ambiguous {
		e.t.Fatalf("compact %s published snapshot %d but returned an unambiguous error: %v", desc, after, err)
	}
	e.checkLiveFilesExist()
	// New objects under the buckets and the index directory must be live
	// files of the latest snapshot; a compaction that certainly did not
	// publish and could delete removes all of its outputs.
	live := map[string]bool{}
	if after > 0 {
		files, _, ferr := e.tbl.Files(e.ctx, 0)
		if ferr != nil {
			e.t.Fatal(ferr)
		}
		for _, f := range files {
			live[f.Path] = true
		}
	}
	var left []string
	for k := range e.objects() {
		if beforeObjs[k] || live[k] || strings.HasPrefix(k, "index/") && published {
			continue
		}
		left = append(left, k)
	}
	if len(left) > 0 {
		e.leaked += len(left)
		switch {
		case knownLeakOnFailedClose && f.Op == storage.OpWrite && f.Phase == storage.After && !ambiguous && !withDeleteFault:
			e.t.Logf("compact %s: KNOWN BUG (lsm.Rewrite and table compactAppend do not Abort a data-file writer whose Close failed): %d files left: %v", desc, len(left), head(left))
		case !ambiguous && !withDeleteFault:
			e.t.Errorf("compact %s failed (%v) and left %d unreferenced files: %v", desc, err, len(left), head(left))
		default:
			e.t.Logf("compact %s: %d files left after an ambiguous or undeletable failure (orphans): %v", desc, len(left), head(left))
		}
	}
}

// knownLeakOnFailedClose: when the Close of a compaction's data-file
// writer fails (the store may hold the object: a write whose response was
// lost), lsm.Rewrite drops the writer from its cleanup list before
// checking the error and table.compactAppend never calls Abort, so the
// writer's files (the ambiguous one and any it rolled before) stay behind
// as orphans. Set to false once fixed to make the model strict again.
const knownLeakOnFailedClose = false

// objects lists the data and index files under the table.
func (e *compactEnv) objects() map[string]bool {
	objs, err := e.tbl.Store().List(e.ctx, "")
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, o := range objs {
		if strings.Contains(o.Key, "/data-") || strings.HasPrefix(o.Key, "data-") || strings.HasPrefix(o.Key, "index/") {
			out[o.Key] = true
		}
	}
	return out
}

// checkLiveFilesExist: every data file the latest snapshot lists exists
// (reads of first-row and DV tables skip level 0, so a scan alone would
// not notice a missing one).
func (e *compactEnv) checkLiveFilesExist() {
	if id, err := snapshot.LatestID(e.ctx, e.tbl.Store()); err != nil || id == 0 {
		return
	}
	files, s, err := e.tbl.Files(e.ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range files {
		ok, err := e.tbl.Store().Exists(e.ctx, f.Path)
		if err != nil {
			e.t.Fatal(err)
		}
		if !ok {
			e.t.Fatalf("snapshot %d lists data file %s (level %d), which does not exist", s.ID, f.Path, f.Level)
		}
	}
}

// TestCompactFailedCloseLeavesNoFile is the minimal reproduction of the
// leak the model meets (knownLeakOnFailedClose): the store applies the
// write of a compaction's output file but the writer's Close sees an
// error; the failed compaction must delete the object. It skips, naming
// the bug, while the leak reproduces and is known.
func TestCompactFailedCloseLeavesNoFile(t *testing.T) {
	for _, c := range []modelCase{
		{name: "pk", pk: true, unpartitioned: true, opts: []table.Option{{Key: "bucket", Value: "1"}, {Key: "write-only", Value: "true"}}},
		{name: "append", unpartitioned: true, opts: []table.Option{{Key: "bucket", Value: "-1"}, {Key: "write-only", Value: "true"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &compactEnv{modelEnv: newModelEnv(t, c, 1, t.TempDir())}
			for range 6 {
				e.stepWrite(false)
			}
			before := e.objects()
			e.faults.Add(storage.Fault{Op: storage.OpWrite, Key: "/data-", Phase: storage.After, Times: 1})
			_, err := e.ftbl.Compact(e.ctx, table.CompactOptions{Full: true, Alloc: e.alloc})
			e.faults.Clear()
			if !errors.Is(err, storage.ErrInjected) {
				t.Fatalf("compaction with a failing output write: %v", err)
			}
			e.checkLiveFilesExist()
			e.checkSnapshot(0)
			var left []string
			for k := range e.objects() {
				if !before[k] {
					left = append(left, k)
				}
			}
			if len(left) > 0 {
				msg := fmt.Sprintf("a compaction whose output Close failed left %v", left)
				if knownLeakOnFailedClose {
					t.Skip("KNOWN BUG (see knownLeakOnFailedClose): " + msg)
				}
				t.Fatal(msg)
			}
		})
	}
}
