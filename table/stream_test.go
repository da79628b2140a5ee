package table

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// streamText reads a stream to its end: one line per row, "snapshot kind
// columns…", in the order returned.
func (e *castEnv) streamText(opts StreamOptions) (string, error) {
	e.t.Helper()
	tb := e.open()
	opts.Alloc = e.alloc
	s, err := tb.NewStream(e.ctx, opts)
	if err != nil {
		return "", err
	}
	defer s.Close()
	var rows []string
	for {
		b, err := s.Next(e.ctx)
		if errors.Is(err, io.EOF) {
			return strings.Join(rows, "\n"), nil
		}
		if err != nil {
			return strings.Join(rows, "\n"), err
		}
		rows = append(rows, batchLines(b)...)
	}
}

func batchLines(b ChangeBatch) []string {
	var out []string
	rec := b.Record
	for i := range int(rec.NumRows()) {
		row := []string{fmt.Sprint(b.SnapshotID)}
		for c := range int(rec.NumCols()) {
			row = append(row, rec.Column(c).ValueStr(i))
		}
		out = append(out, strings.Join(row, " "))
	}
	return out
}

func pkStreamSpec(opts ...Option) Spec {
	return Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: append([]Option{{"bucket", "1"}}, opts...)}
}

// TestStreamDelta: without a changelog producer a stream reads the delta
// files of APPEND snapshots, each key as the writer merged it with its
// row kind, and skips compactions; a full start reads the snapshot merged.
func TestStreamDelta(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"write-only", "true"}))
	e.writeKinds(`[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":1,"v":"a1"}]`)
	e.writeKinds(`[{"id":1,"v":"a2","_ROW_KIND":"+U"},{"id":2,"v":"b","_ROW_KIND":"-D"}]`)
	e.compact(CompactOptions{Full: true}) // snapshot 3, COMPACT
	e.writeKinds(`[{"id":3,"v":"c"}]`)

	got, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
	if err != nil {
		t.Fatal(err)
	}
	want := "1 +I 1 a1\n1 +I 2 b\n2 +U 1 a2\n2 -D 2 b\n4 +I 3 c"
	if got != want {
		t.Fatalf("from snapshot 1:\n%s\nwant\n%s", got, want)
	}
	got, err = e.streamText(StreamOptions{Until: UntilLatest})
	if err != nil {
		t.Fatal(err)
	}
	if want := "4 +U 1 a2\n4 +I 3 c"; got != want {
		t.Fatalf("latest full:\n%s\nwant\n%s", got, want)
	}
	got, err = e.streamText(StreamOptions{Start: StartFromSnapshotFull, SnapshotID: 2, Until: 3,
		Columns: []string{"v"}, Filter: predicate.Equal("id", int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if want := "2 +U a2"; got != want {
		t.Fatalf("from snapshot 2 full, v of id 1, until 3:\n%s\nwant\n%s", got, want)
	}
	got, err = e.streamText(StreamOptions{Start: StartLatest, Until: UntilLatest})
	if err != nil || got != "" {
		t.Fatalf("latest, until latest: %q, %v", got, err)
	}
	got, err = e.streamText(StreamOptions{Start: StartFromSnapshotFull, SnapshotID: 4, Until: 2})
	if err != nil || got != "" {
		t.Fatalf("a full start after Until: %q, %v", got, err)
	}
}

// TestStreamAppendTable: an append table's stream is its new files, +I.
func TestStreamAppendTable(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "v", Type: "STRING"}}, Options: []Option{{"bucket", "-1"}}})
	e.write(`[{"v":"a"},{"v":"b"}]`)
	e.write(`[{"v":"c"}]`)
	got, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 2, Until: UntilLatest})
	if err != nil || got != "2 +I c" {
		t.Fatalf("got %q, %v", got, err)
	}
	got, err = e.streamText(StreamOptions{Until: UntilLatest})
	if err != nil || got != "2 +I a\n2 +I b\n2 +I c" {
		t.Fatalf("latest full: got %q, %v", got, err)
	}
}

// TestStreamFollows: a stream waiting for the next snapshot returns its
// rows once it is committed, and stops on its context.
func TestStreamFollows(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	tb := e.open()
	s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartLatest, Alloc: e.alloc, MaxWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type result struct {
		lines []string
		err   error
	}
	got := make(chan result, 1)
	go func() {
		b, err := s.Next(e.ctx)
		if err != nil {
			got <- result{err: err}
			return
		}
		got <- result{lines: batchLines(b)}
	}()
	time.Sleep(50 * time.Millisecond)
	e.writeKinds(`[{"id":2,"v":"b"}]`)
	select {
	case r := <-got:
		if r.err != nil || strings.Join(r.lines, "\n") != "2 +I 2 b" {
			t.Fatalf("got %q, %v", r.lines, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not see snapshot 2")
	}
	if n := s.NextSnapshot(); n != 3 {
		t.Fatalf("position %d after the last batch of snapshot 2", n)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("idle stream: %v", err)
	}
}

// TestStreamExpired: a stream whose next snapshot is gone fails with
// SnapshotExpiredError, whether a later snapshot is left or none is.
func TestStreamExpired(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	for i := range 3 {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"x"}]`, i))
	}
	tb := e.open()
	s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Alloc: e.alloc, MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Next(e.ctx); err != nil {
		t.Fatal(err)
	}
	// Expire snapshot 2 (the test deletes it as expiry would).
	root := tb.Store()
	if err := root.Delete(e.ctx, snapshot.SnapshotPath(2)); err != nil {
		t.Fatal(err)
	}
	var exp *SnapshotExpiredError
	if _, err := s.Next(e.ctx); !errors.As(err, &exp) || exp.Next != 2 || !errors.Is(err, ErrSnapshotExpired) {
		t.Fatalf("next after an expired snapshot: %v", err)
	}

	// Nothing left between the position and the earliest: found on the
	// 16th miss.
	s2, err := tb.NewStream(e.ctx, StreamOptions{Start: StartLatest, Alloc: e.alloc, MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for i := 4; i <= 6; i++ {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"y"}]`, i))
	}
	for _, id := range []int64{1, 3, 4, 5} {
		if err := root.Delete(e.ctx, snapshot.SnapshotPath(id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s2.Next(e.ctx); !errors.As(err, &exp) || exp.Next != 4 || exp.Earliest != 6 {
		t.Fatalf("next after expired snapshots: %v", err)
	}
}

// TestStreamConsumer: a stream with a consumer id saves its position after
// whole snapshots; a stream started again with the id continues there
// (whatever its Start), with no gap and no duplicate, and writes the
// consumer file as Java does.
func TestStreamConsumer(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	for i := 1; i <= 3; i++ {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"x"},{"id":%d,"v":"y"}]`, i, 10+i))
	}
	tb := e.open()
	read := func(opts StreamOptions, stopAfter int) []string {
		t.Helper()
		opts.Alloc, opts.BatchSize, opts.ConsumerID, opts.Until = e.alloc, 1, "c1", UntilLatest
		s, err := tb.NewStream(e.ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var got []string
		for len(got) < stopAfter {
			b, err := s.Next(e.ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, batchLines(b)...)
			if b.Last {
				if err := s.SaveProgress(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		return got
	}
	// Stop in the middle of snapshot 2 (batches of one row): progress 2.
	first := read(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1}, 3)
	if want := "1 +I 1 x,1 +I 11 y,2 +I 2 x"; strings.Join(first, ",") != want {
		t.Fatalf("first run %v", first)
	}
	b, err := tb.Store().Read(e.ctx, snapshot.ConsumerPath("c1"))
	if err != nil || string(b) != "{\n  \"nextSnapshot\" : 2\n}" {
		t.Fatalf("consumer file %q, %v", b, err)
	}
	// The consumer's progress wins over Start: snapshot 2 again, whole.
	second := read(StreamOptions{Start: StartLatest}, 100)
	if want := "2 +I 2 x,2 +I 12 y,3 +I 3 x,3 +I 13 y"; strings.Join(second, ",") != want {
		t.Fatalf("second run %v", second)
	}
	if third := read(StreamOptions{}, 100); len(third) != 0 {
		t.Fatalf("third run %v", third)
	}
	// IgnoreProgress starts as Start says.
	if got := read(StreamOptions{Start: StartFromSnapshot, SnapshotID: 3, IgnoreProgress: true}, 100); len(got) != 2 {
		t.Fatalf("ignoring progress: %v", got)
	}
}

// TestReadKeepDeletes: RowKinds with KeepDeletes reads as Paimon's
// audit_log system table does: each key's merged row with its kind,
// deletes included, merged or not.
func TestReadKeepDeletes(t *testing.T) {
	for _, full := range []bool{false, true} {
		e := newCastEnv(t, pkStreamSpec(Option{"write-only", "true"}))
		e.writeKinds(`[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":3,"v":"c"}]`)
		e.writeKinds(`[{"id":1,"v":"a","_ROW_KIND":"-D"},{"id":2,"v":"b","_ROW_KIND":"-U"},{"id":2,"v":"b2","_ROW_KIND":"+U"}]`)
		if full {
			e.compact(CompactOptions{Full: true})
		}
		tb := e.open()
		plan, err := tb.NewScan(e.ctx, ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range plan.Splits {
			rr, err := tb.Read(e.ctx, s, ReadOptions{Alloc: e.alloc, RowKinds: true, KeepDeletes: true})
			if err != nil {
				t.Fatal(err)
			}
			for rr.Next() {
				got = append(got, batchLines(ChangeBatch{Record: rr.RecordBatch()})...)
			}
			if err := rr.Err(); err != nil {
				t.Fatal(err)
			}
			rr.Release()
		}
		want := "0 -D 1 a,0 +U 2 b2,0 +I 3 c"
		if full {
			want = "0 +U 2 b2,0 +I 3 c" // a full compaction drops deletes
		}
		if strings.Join(got, ",") != want {
			t.Errorf("full compaction %v: %v, want %s", full, got, want)
		}
	}
}

// TestStreamConsumerRestarts: an exactly-once consumer that crashes at
// random points (store faults on reads and on saving its progress, or
// killed between batches) and restarts with the same consumer id
// outputs every change once, in order: no gap, no duplicate. The sink
// takes a snapshot's rows only when its progress is saved (as a sink
// committing both in one transaction would).
func TestStreamConsumerRestarts(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "2"}, {"num-sorted-run.compaction-trigger", "3"}}})
	var want []string
	for c := 1; c <= 12; c++ {
		var rows []string
		for j := range 5 {
			rows = append(rows, fmt.Sprintf(`{"id":%d,"v":"c%d"}`, c*100+j, c))
		}
		e.writeKinds("[" + strings.Join(rows, ",") + "]")
	}
	// The reference: one uninterrupted stream.
	ref, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Split(ref, "\n")
	if len(want) != 60 {
		t.Fatalf("reference stream has %d rows", len(want))
	}

	rng := rand.New(rand.NewPCG(7, 11))
	var out []string
	crashes := 0
	for run := 0; ; run++ {
		if run > 500 {
			t.Fatalf("no progress after %d runs (%d rows out)", run, len(out))
		}
		faults := &storage.Faults{}
		tb, err := OpenStore(e.ctx, storage.WithFaults(e.cat.TableStore(e.id), faults))
		if err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(4) {
		case 0:
			faults.Add(storage.Fault{Op: storage.OpRead, Key: []string{"snapshot/", "manifest/", "bucket-"}[rng.IntN(3)],
				Phase: storage.Phase(rng.IntN(2)), Times: 1 + rng.IntN(2)})
		case 1:
			faults.Add(storage.Fault{Key: "consumer/", Phase: storage.Before, Times: 1})
		}
		killAfter := 1 + rng.IntN(12)
		s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest,
			ConsumerID: "exactly", BatchSize: 2, Alloc: e.alloc, MaxWait: time.Millisecond})
		var pending []string
		finished := false
		for n := 0; err == nil; n++ {
			if n == killAfter {
				break // killed
			}
			var b ChangeBatch
			b, err = s.Next(e.ctx)
			if errors.Is(err, io.EOF) {
				finished = true
				break
			}
			if err != nil {
				break
			}
			pending = append(pending, batchLines(b)...)
			if b.Last {
				if err = s.SaveProgress(e.ctx); err != nil {
					break
				}
				out, pending = append(out, pending...), nil
			}
		}
		if s != nil {
			s.Close()
		}
		tb.Close()
		if finished {
			break
		}
		if err != nil && !errors.Is(err, storage.ErrInjected) {
			t.Fatalf("run %d: %v", run, err)
		}
		crashes++
	}
	if crashes < 5 {
		t.Fatalf("only %d crashes", crashes)
	}
	t.Logf("%d rows out exactly once across %d crashes and restarts", len(out), crashes)
	if strings.Join(out, "\n") != ref {
		t.Fatalf("after %d crashes:\n%s\nwant\n%s", crashes, strings.Join(out, "\n"), ref)
	}
}

// TestStreamExpiredUnderRead: when expiry deletes the snapshot a stream is
// reading, with its files, the stream fails with SnapshotExpiredError
// (wrapping the read's error), never with wrong or missing rows.
func TestStreamExpiredUnderRead(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "2"}}})
	var rows []string
	for i := range 20 {
		rows = append(rows, fmt.Sprintf(`{"id":%d,"v":"x"}`, i))
	}
	e.writeKinds("[" + strings.Join(rows, ",") + "]")
	e.writeKinds(`[{"id":1,"v":"y"}]`)
	tb := e.open()
	s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, BatchSize: 1, Alloc: e.alloc, MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Next(e.ctx); err != nil {
		t.Fatal(err)
	}
	// Expire snapshot 1: its file and its data files go.
	files, _, err := tb.Files(e.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	st := tb.Store()
	if err := st.Delete(e.ctx, snapshot.SnapshotPath(1)); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := st.Delete(e.ctx, f.Path); err != nil {
			t.Fatal(err)
		}
	}
	var exp *SnapshotExpiredError
	for n := 0; ; n++ {
		b, err := s.Next(e.ctx)
		if err != nil {
			if !errors.As(err, &exp) || exp.Next != 1 || exp.Cause == nil {
				t.Fatalf("after expiry under the read: %v", err)
			}
			break
		}
		if b.SnapshotID != 1 || n > 20 {
			t.Fatalf("read on past the expired snapshot: snapshot %d, %d batches", b.SnapshotID, n)
		}
	}
}

// TestStreamCompactedFull: compacted-full reads the latest compaction's
// snapshot in full, then the changes after it; with
// full-compaction.delta-commits only compactions whose identifier is a
// multiple of it count; with none it reads the latest in full.
func TestStreamCompactedFull(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		// Snapshot 6 (identifier 5) is the latest compaction.
		{nil, "6 +I 1 a2\n6 +I 2 b\n6 +I 3 c\n6 +I 4 d\n7 +I 5 e"},
		// Snapshot 3 (identifier 2) is the latest with an even identifier.
		{[]Option{{"full-compaction.delta-commits", "2"}}, "3 +I 1 a2\n3 +I 2 b\n4 +I 3 c\n5 +I 4 d\n7 +I 5 e"},
	} {
		e := newCastEnv(t, pkStreamSpec(append([]Option{{"write-only", "true"}}, tc.opts...)...))
		e.writeKinds(`[{"id":1,"v":"a"},{"id":2,"v":"b"}]`)
		e.writeKinds(`[{"id":1,"v":"a2"}]`)
		e.compact(CompactOptions{Full: true}) // 3, identifier 2
		e.writeKinds(`[{"id":3,"v":"c"}]`)
		e.writeKinds(`[{"id":4,"v":"d"}]`)
		e.compact(CompactOptions{Full: true}) // 6, identifier 5
		e.writeKinds(`[{"id":5,"v":"e"}]`)
		got, err := e.streamText(StreamOptions{Start: StartCompactedFull, Until: UntilLatest})
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("options %v:\n%s\nwant\n%s", tc.opts, got, tc.want)
		}
	}
	// No compaction yet: the latest in full.
	e := newCastEnv(t, pkStreamSpec())
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	e.writeKinds(`[{"id":2,"v":"b"}]`)
	got, err := e.streamText(StreamOptions{Start: StartCompactedFull, Until: UntilLatest})
	if err != nil || got != "2 +I 1 a\n2 +I 2 b" {
		t.Fatalf("no compaction: %q, %v", got, err)
	}
	// An empty table: every change from snapshot 1.
	e = newCastEnv(t, pkStreamSpec())
	tb := e.open()
	s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartCompactedFull})
	if err != nil || s.NextSnapshot() != 1 {
		t.Fatalf("empty table: %v", err)
	}
	s.Close()
}

// TestFullCompacted: which snapshots a compacted-full stream starts from.
func TestFullCompacted(t *testing.T) {
	for _, tc := range []struct {
		kind         snapshot.Kind
		ident        int64
		deltaCommits int
		want         bool
	}{
		{snapshot.KindCompact, 7, 0, true},
		{snapshot.KindAppend, 8, 0, false},
		{snapshot.KindCompact, 7, 1, true},
		{snapshot.KindCompact, 7, 2, false},
		{snapshot.KindCompact, 8, 2, true},
		{snapshot.KindCompact, math.MaxInt64, 3, true},
		{snapshot.KindAppend, math.MaxInt64, 3, false},
		{snapshot.KindOverwrite, 6, 3, false},
	} {
		s := &snapshot.Snapshot{CommitKind: tc.kind, CommitIdentifier: tc.ident}
		if got := fullCompacted(s, tc.deltaCommits); got != tc.want {
			t.Errorf("%s %d, delta commits %d: %v", tc.kind, tc.ident, tc.deltaCommits, got)
		}
	}
}

// TestStreamNextSnapshotRace: a stream looks for its next snapshot just
// before two commits publish it and the one after. Finding the later
// snapshot must not make it call the next one expired: that one exists
// now, so the stream reads it.
func TestStreamNextSnapshotRace(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	for i := range 3 {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"a%d"}]`, i, i))
	}
	faults := &storage.Faults{}
	tb, err := OpenStore(e.ctx, storage.WithFaults(e.cat.TableStore(e.id), faults))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 2, Until: UntilLatest,
		Alloc: e.alloc, MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The stream's first look at snapshot 2 misses it, as a look just
	// before its commit would; snapshot 3 is there when it checks.
	faults.Add(storage.Fault{Op: storage.OpRead, Key: "snapshot/snapshot-2", Err: storage.ErrNotFound, Times: 1})
	var got []int64
	for {
		b, err := s.Next(e.ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("next after %v: %v", got, err)
		}
		if b.Last {
			got = append(got, b.SnapshotID)
		}
	}
	if fmt.Sprint(got) != "[2 3]" || faults.Fired() != 1 {
		t.Fatalf("snapshots read %v (faults fired %d), want [2 3] after one miss", got, faults.Fired())
	}
}
