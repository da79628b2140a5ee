package table_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
	"github.com/floelake/floe/table"
)

// The model-based test: random inserts, updates and deletes over random
// partitions and buckets, committed by one or several writers (some
// concurrently, some retried, some under injected storage faults), and
// after every step each snapshot's scan is compared with an in-memory
// model of what it must contain.

// modelRow is one row of the test table (p STRING, id INT, v STRING, n BIGINT).
type modelRow struct {
	p    string
	id   int32
	v    *string
	n    *int64
	kind string // +I, +U, -U, -D
}

func (r modelRow) key() string { return r.p + "\x00" + fmt.Sprint(r.id) }

func (r modelRow) text() string {
	v, n := "null", "null"
	if r.v != nil {
		v = *r.v
	}
	if r.n != nil {
		n = fmt.Sprint(*r.n)
	}
	return fmt.Sprintf("%s|%d|%s|%s", r.p, r.id, v, n)
}

// model is the expected content of a table: for primary-key tables one row
// per key, for append tables a multiset of rows.
type model struct {
	pk   bool
	rows map[string]string // pk: key -> row text
	bag  []string          // append: row texts

	firstRow bool             // merge-engine=first-row: the first insert of a key stays
	seqField bool             // sequence.field=n: the record with the largest n wins
	seq      map[string]int64 // seqField: key -> n of the winning record (retracts too)
	// engine "partial-update" (ignore-delete: writers drop retracts):
	// non-null fields overwrite. (With remove-record-on-delete a delete and
	// a later insert that meet in one merge without the key's older rows
	// fold into one insert, in Paimon as in floe, so what a read shows
	// depends on how files met: a model cannot predict it.) "aggregation" (inserts only): n sums, v keeps its
	// last non-null value.
	engine string
	state  map[string]modelRow // engine: key -> merged row (deleted rows kept as seeds)
	live   map[string]bool
}

func newModel(pk bool) *model { return &model{pk: pk, rows: map[string]string{}} }

// newCaseModel is the empty model of a case's table.
func newCaseModel(c modelCase) *model {
	m := newModel(c.pk)
	m.firstRow, m.seqField, m.engine = c.firstRow, c.seqField, c.engine
	if c.engine != "" {
		m.state, m.live = map[string]modelRow{}, map[string]bool{}
	}
	if c.seqField {
		m.seq = map[string]int64{}
	}
	return m
}

func (m *model) clone() *model {
	return &model{pk: m.pk, rows: maps.Clone(m.rows), bag: slices.Clone(m.bag),
		firstRow: m.firstRow, seqField: m.seqField, seq: maps.Clone(m.seq),
		engine: m.engine, state: maps.Clone(m.state), live: maps.Clone(m.live)}
}

func (m *model) apply(rows []modelRow) {
	for _, r := range rows {
		if !m.pk {
			m.bag = append(m.bag, r.text())
			continue
		}
		if m.engine != "" {
			m.applyEngine(r)
			continue
		}
		if m.firstRow {
			if _, ok := m.rows[r.key()]; !ok && (r.kind == "+I" || r.kind == "+U") {
				m.rows[r.key()] = r.text()
			}
			continue
		}
		if m.seqField {
			// Ties go to the later record.
			if old, ok := m.seq[r.key()]; ok && *r.n < old {
				continue
			}
			m.seq[r.key()] = *r.n
		}
		switch r.kind {
		case "-D", "-U":
			delete(m.rows, r.key())
		default:
			m.rows[r.key()] = r.text()
		}
	}
}

// applyEngine folds one record into a partial-update or aggregation key.
func (m *model) applyEngine(r modelRow) {
	k := r.key()
	st, ok := m.state[k]
	if !ok {
		st = modelRow{p: r.p, id: r.id}
	}
	switch {
	case r.kind == "-U" || r.kind == "-D":
		return
	case m.engine == "aggregation":
		if r.v != nil {
			st.v = r.v
		}
		if r.n != nil {
			x := *r.n
			if st.n != nil {
				x += *st.n
			}
			st.n = &x
		}
		m.live[k] = true
	default:
		if r.v != nil {
			st.v = r.v
		}
		if r.n != nil {
			st.n = r.n
		}
		m.live[k] = true
	}
	m.state[k] = st
	if m.live[k] {
		m.rows[k] = st.text()
	}
}

func (m *model) lines() []string {
	var out []string
	if m.pk {
		out = slices.Collect(maps.Values(m.rows))
	} else {
		out = slices.Clone(m.bag)
	}
	slices.Sort(out)
	return out
}

type modelCase struct {
	name string
	pk   bool
	opts []table.Option

	unpartitioned bool   // p is an ordinary column
	firstRow      bool   // merge-engine=first-row: inserts only
	seqField      bool   // sequence.field=n: n is never null
	engine        string // partial-update or aggregation (see model.engine)
	// lookup: reads skip level 0 (first-row, deletion vectors), so a
	// snapshot shows the rows compaction has moved up only.
	lookup bool
}

var modelCases = []modelCase{
	{name: "pk-fixed-spill", pk: true, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "write-buffer-size", Value: "32 kb"},
		{Key: "target-file-size", Value: "8 kb"},
	}},
	{name: "pk-dynamic", pk: true, opts: []table.Option{
		{Key: "bucket", Value: "-1"},
		{Key: "dynamic-bucket.target-row-num", Value: "15"},
	}},
	{name: "pk-fixed-nospill", pk: true, opts: []table.Option{
		{Key: "bucket", Value: "3"},
		{Key: "write-buffer-size", Value: "24 kb"},
		{Key: "write-buffer-spillable", Value: "false"},
		{Key: "manifest.merge-min-count", Value: "3"},
		{Key: "manifest.target-file-size", Value: "4 kb"},
	}},
	{name: "partial-update-spill", pk: true, engine: "partial-update", opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "merge-engine", Value: "partial-update"},
		{Key: "ignore-delete", Value: "true"},
		{Key: "write-buffer-size", Value: "32 kb"},
	}},
	{name: "aggregation", pk: true, engine: "aggregation", opts: []table.Option{
		{Key: "bucket", Value: "-1"},
		{Key: "dynamic-bucket.target-row-num", Value: "15"},
		{Key: "merge-engine", Value: "aggregation"},
		{Key: "fields.n.aggregate-function", Value: "sum"},
	}},
	{name: "append-unaware", pk: false, opts: []table.Option{
		{Key: "target-file-size", Value: "16 kb"},
	}},
	{name: "append-fixed", pk: false, opts: []table.Option{
		{Key: "bucket", Value: "2"},
		{Key: "bucket-key", Value: "id"},
	}},
}

func TestModelRandomCommits(t *testing.T) {
	steps := 14
	if testing.Short() {
		steps = 6
	}
	for _, c := range modelCases {
		for seed := uint64(1); seed <= 2; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", c.name, seed), func(t *testing.T) {
				runModel(t, c, seed, steps)
			})
		}
	}
}

type modelEnv struct {
	t      *testing.T
	ctx    context.Context
	c      modelCase
	rng    *rand.Rand
	dir    string
	tbl    *table.Table
	faults *storage.Faults
	ftbl   *table.Table // the same table over a fault-injecting store
	cur    *model
	snaps  map[int64]*model
	nextID int64 // next commit identifier of the main commit user
	user   string
	alloc  *memory.CheckedAllocator

	spills, flushes int
	batch           int64 // rows() calls so far
}

// TestModelS3 runs one model case against the S3 server in FLOE_S3_URL
// (MinIO in CI, where the variable is required).
func TestModelS3(t *testing.T) {
	url := os.Getenv("FLOE_S3_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FLOE_S3_URL is not set (source .ci/minio.sh)")
		}
		t.Skip("FLOE_S3_URL is not set; source .ci/minio.sh to run against MinIO")
	}
	steps := 8
	if testing.Short() {
		steps = 4
	}
	for _, c := range modelCases[:2] {
		t.Run(c.name, func(t *testing.T) {
			runModelAt(t, c, 3, steps, joinURL(url, "model-"+uuid.NewString()))
		})
	}
}

// joinURL appends a path element to a storage URL, before its query.
func joinURL(base, elem string) string {
	if i := strings.IndexByte(base, '?'); i >= 0 {
		return strings.TrimSuffix(base[:i], "/") + "/" + elem + base[i:]
	}
	return strings.TrimSuffix(base, "/") + "/" + elem
}

// newModelEnv creates the case's table in a catalog at dir, and the same
// table over a fault-injecting store; t's cleanup closes them.
func newModelEnv(t *testing.T, c modelCase, seed uint64, dir string) *modelEnv {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, dir, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(ctx, "db", true); err != nil {
		t.Fatal(err)
	}
	spec := table.Spec{
		Columns: []table.Column{
			{Name: "p", Type: "STRING NOT NULL"},
			{Name: "id", Type: "INT NOT NULL"},
			{Name: "v", Type: "STRING"},
			{Name: "n", Type: "BIGINT"},
		},
		PartitionKeys: []string{"p"},
		Options:       c.opts,
	}
	if c.unpartitioned {
		spec.PartitionKeys = nil
	}
	if c.pk {
		spec.PrimaryKeys = []string{"p", "id"}
	}
	id := catalog.Identifier{Database: "db", Table: "t"}
	tbl, err := table.Create(ctx, cat, id, spec, table.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })

	faults := &storage.Faults{}
	fst := storage.WithFaults(cat.TableStore(id), faults)
	ftbl, err := table.OpenStore(ctx, fst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ftbl.Close() })

	return &modelEnv{
		t: t, ctx: ctx, c: c, rng: rand.New(rand.NewPCG(seed, 7)), dir: dir,
		tbl: tbl, faults: faults, ftbl: ftbl,
		cur: newCaseModel(c), snaps: map[int64]*model{}, nextID: 1,
		user:  fmt.Sprintf("model-user-%d", seed),
		alloc: memory.NewCheckedAllocator(memory.NewGoAllocator()),
	}
}

func runModel(t *testing.T, c modelCase, seed uint64, steps int) {
	runModelAt(t, c, seed, steps, t.TempDir())
}

func runModelAt(t *testing.T, c modelCase, seed uint64, steps int, dir string) {
	e := newModelEnv(t, c, seed, dir)
	ctx, tbl := e.ctx, e.tbl
	for step := 0; step < steps; step++ {
		switch r := e.rng.IntN(10); {
		case r < 4:
			e.stepSingle(false)
		case r < 6:
			e.stepConcurrent()
		case r < 8:
			e.stepFault()
		default:
			e.stepSingle(true) // one commit from several writers' messages
		}
		e.checkLatest()
	}
	// Time travel: every snapshot recorded reads back as it was.
	for sid, m := range e.snaps {
		got := e.scan(table.ScanOptions{SnapshotID: sid})
		if !slices.Equal(got, m.lines()) {
			t.Fatalf("snapshot %d: scan differs from model\n got %d rows: %v\nwant %d rows: %v", sid, len(got), head(got), len(m.lines()), head(m.lines()))
		}
	}
	e.alloc.AssertSize(t, 0)
	files, _, err := tbl.Files(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d snapshots checked, %d rows at the end, %d live files, %d writer spills, %d flushes",
		len(e.snaps), len(e.cur.lines()), len(files), e.spills, e.flushes)
}

func head(s []string) []string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

var partitions = []string{"a", "b", "c", ""}

// rows generates a batch for the given partitions.
func (e *modelEnv) rows(parts []string, n int) []modelRow {
	out := make([]modelRow, 0, n)
	e.batch++
	for range n {
		r := modelRow{p: parts[e.rng.IntN(len(parts))], id: int32(e.rng.IntN(40)), kind: "+I"}
		if e.rng.IntN(5) > 0 {
			s := fmt.Sprintf("v%d-%s", e.rng.IntN(1000), strings.Repeat("x", e.rng.IntN(30)))
			r.v = &s
		}
		if e.rng.IntN(4) > 0 || e.c.seqField {
			x := e.rng.Int64N(1 << 40)
			if e.c.seqField {
				// Increasing from batch to batch, in random order within
				// one: a retract dropped by a full compaction is never
				// older than a later batch's record of its key.
				x = e.batch<<40 | x
			}
			r.n = &x
		}
		if e.c.engine == "aggregation" {
			if e.rng.IntN(2) == 0 {
				r.kind = "+U"
			}
			x := e.rng.Int64N(1000)
			r.n = &x
		} else if e.c.pk && !e.c.firstRow {
			switch k := e.rng.IntN(10); {
			case k < 2:
				r.kind = "-D"
			case k < 4:
				r.kind = "+U"
			case k < 5:
				r.kind = "-U"
			}
		}
		out = append(out, r)
	}
	return out
}

func (e *modelEnv) record(rows []modelRow) arrow.Record {
	mem := e.alloc
	fields := []arrow.Field{
		{Name: "p", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: table.RowKindColumn, Type: arrow.BinaryTypes.String},
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r.p)
		b.Field(1).(*array.Int32Builder).Append(r.id)
		if r.v != nil {
			b.Field(2).(*array.StringBuilder).Append(*r.v)
		} else {
			b.Field(2).AppendNull()
		}
		if r.n != nil {
			b.Field(3).(*array.Int64Builder).Append(*r.n)
		} else {
			b.Field(3).AppendNull()
		}
		b.Field(4).(*array.StringBuilder).Append(r.kind)
	}
	return b.NewRecord()
}

// write runs one writer over tbl with rows split into a few record batches
// and returns its commit messages.
func (e *modelEnv) write(tbl *table.Table, rows []modelRow) []table.CommitMessage {
	w, err := tbl.NewWriter(e.ctx, table.WriterOptions{Alloc: e.alloc, SpillDir: e.t.TempDir()})
	if err != nil {
		e.t.Fatal(err)
	}
	defer w.Close()
	for len(rows) > 0 {
		n := min(len(rows), 1+e.rng.IntN(200))
		rec := e.record(rows[:n])
		err := w.Write(e.ctx, rec)
		rec.Release()
		if err != nil {
			e.t.Fatal(err)
		}
		rows = rows[n:]
	}
	msgs, err := w.Prepare(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	st := w.Stats()
	e.spills += st.Spills
	e.flushes += st.Flushes
	// Messages travel between processes serialized.
	for i := range msgs {
		b, err := msgs[i].MarshalBinary()
		if err != nil {
			e.t.Fatal(err)
		}
		var m table.CommitMessage
		if err := m.UnmarshalBinary(b); err != nil {
			e.t.Fatal(err)
		}
		msgs[i] = m
	}
	return msgs
}

func (e *modelEnv) commit(tbl *table.Table, msgs []table.CommitMessage, user string, id int64) (*table.CommitResult, error) {
	return tbl.Commit(e.ctx, msgs, table.CommitOptions{CommitUser: user, Identifier: id})
}

// remember records the model for every snapshot a commit created.
func (e *modelEnv) remember(res *table.CommitResult, m *model) {
	for _, s := range res.Snapshots {
		e.snaps[s.ID] = m.clone()
	}
}

// stepSingle: one or several writers (disjoint partitions), one commit,
// then a retry of the same commit, which must be recognised.
func (e *modelEnv) stepSingle(multi bool) {
	nw := 1
	if multi {
		nw = 2 + e.rng.IntN(2)
	}
	parts := slices.Clone(partitions)
	e.rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	var all []table.CommitMessage
	var applied []modelRow
	for i := range nw {
		ps := parts[i : i+1]
		if nw == 1 {
			ps = parts[:1+e.rng.IntN(len(parts))]
		}
		rows := e.rows(ps, 1+e.rng.IntN(600))
		all = append(all, e.write(e.tbl, rows)...)
		applied = append(applied, rows...)
	}
	id := e.nextID
	e.nextID++
	res, err := e.commit(e.tbl, all, e.user, id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.cur.apply(applied)
	e.remember(res, e.cur)
	// The retry of a landed commit changes nothing.
	again, err := e.commit(e.tbl, all, e.user, id)
	if err != nil {
		e.t.Fatalf("retried commit: %v", err)
	}
	if !again.AlreadyCommitted || len(again.Snapshots) != 0 {
		e.t.Fatalf("retried commit %d was applied again: %+v", id, again)
	}
}

// stepConcurrent: writers on disjoint partitions, each through its own
// Table instance (as separate processes would), commit at the same time.
func (e *modelEnv) stepConcurrent() {
	parts := slices.Clone(partitions)
	e.rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	nw := 2 + e.rng.IntN(2)
	type job struct {
		tbl  *table.Table
		rows []modelRow
		msgs []table.CommitMessage
	}
	jobs := make([]*job, nw)
	for i := range jobs {
		tb, err := table.Open(e.ctx, e.tablePath())
		if err != nil {
			e.t.Fatal(err)
		}
		defer tb.Close()
		j := &job{tbl: tb, rows: e.rows(parts[i:i+1], 1+e.rng.IntN(400))}
		j.msgs = e.write(tb, j.rows)
		jobs[i] = j
	}
	var wg sync.WaitGroup
	errs := make([]error, nw)
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = j.tbl.Commit(e.ctx, j.msgs, table.CommitOptions{CommitUser: fmt.Sprintf("%s-concurrent-%d", e.user, i), Identifier: e.nextID})
		}()
	}
	wg.Wait()
	e.nextID++
	for _, err := range errs {
		if err != nil {
			e.t.Fatalf("concurrent commit: %v", err)
		}
	}
	for _, j := range jobs {
		e.cur.apply(j.rows)
	}
	// Intermediate snapshots hold a subset of the writers' data; only the
	// latest one is recorded.
	latest, err := e.tbl.Snapshot(e.ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	e.snaps[latest.ID] = e.cur.clone()
}

func (e *modelEnv) tablePath() string { return joinURL(e.dir, "db.db/t") }

// stepFault commits through the fault-injecting store: the snapshot
// create fails before reaching storage or after storage applied it, or a
// manifest write fails; then the commit is retried with the same
// identifier until it succeeds, and must land exactly once.
func (e *modelEnv) stepFault() {
	rows := e.rows(partitions[:1+e.rng.IntN(len(partitions))], 1+e.rng.IntN(500))
	msgs := e.write(e.tbl, rows)
	f := storage.Fault{Op: storage.OpCreate, Key: "snapshot/snapshot-", Times: 2}
	if e.rng.IntN(4) == 0 {
		f.Times = 1000 // Publish gives up: the outcome stays ambiguous
	}
	switch e.rng.IntN(3) {
	case 0:
		f.Phase = storage.Before
	case 1:
		f.Phase = storage.After
	default:
		f = storage.Fault{Op: storage.OpWrite, Key: "manifest/", Phase: storage.Before, Times: 1}
		if e.rng.IntN(2) == 0 {
			f.Op = storage.OpCreate
		}
	}
	e.faults.Add(f)
	id := e.nextID
	e.nextID++
	before, _ := snapshot.LatestID(e.ctx, e.tbl.Store())
	_, err := e.commit(e.ftbl, msgs, e.user, id)
	e.faults.Clear()
	res, err2 := e.commit(e.tbl, msgs, e.user, id)
	if err2 != nil {
		e.t.Fatalf("commit after fault (first error %v): %v", err, err2)
	}
	after, _ := snapshot.LatestID(e.ctx, e.tbl.Store())
	if err == nil && !res.AlreadyCommitted {
		e.t.Fatalf("first commit succeeded but the retry applied it again")
	}
	if after <= before {
		e.t.Fatalf("no snapshot after commit with fault %+v (err %v)", f, err)
	}
	e.cur.apply(rows)
	for sid := before + 1; sid <= after; sid++ {
		s, err := snapshot.Read(e.ctx, e.tbl.Store(), sid)
		if err != nil {
			e.t.Fatal(err)
		}
		if s.CommitUser != e.user || s.CommitIdentifier != id {
			e.t.Fatalf("unexpected snapshot %d by %s/%d", sid, s.CommitUser, s.CommitIdentifier)
		}
		e.snaps[sid] = e.cur.clone()
	}
	if err != nil {
		e.t.Logf("fault %+v: first commit: %v", f, err)
	}
}

func (e *modelEnv) checkLatest() {
	got := e.scan(table.ScanOptions{})
	want := e.cur.lines()
	if !slices.Equal(got, want) {
		e.t.Fatalf("latest scan differs from model\n got %d rows: %v\nwant %d rows: %v\n%s", len(got), head(got), len(want), head(want), diffLines(got, want))
	}
}

// scan reads the table fully and returns its rows as sorted text lines.
func (e *modelEnv) scan(o table.ScanOptions) []string {
	rr, err := e.tbl.ReadAll(e.ctx, o, table.ReadOptions{Alloc: e.alloc})
	if err != nil {
		e.t.Fatal(err)
	}
	defer rr.Release()
	var out []string
	for rr.Next() {
		rec := rr.Record()
		p := rec.Column(0).(*array.String)
		id := rec.Column(1).(*array.Int32)
		v := rec.Column(2).(*array.String)
		n := rec.Column(3).(*array.Int64)
		for i := range int(rec.NumRows()) {
			r := modelRow{p: p.Value(i), id: id.Value(i)}
			if v.IsValid(i) {
				s := v.Value(i)
				r.v = &s
			}
			if n.IsValid(i) {
				x := n.Value(i)
				r.n = &x
			}
			out = append(out, r.text())
		}
	}
	if err := rr.Err(); err != nil {
		e.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
