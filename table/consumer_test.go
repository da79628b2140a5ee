package table

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/snapshot"
)

// consumerEnv is a table of three snapshots of two rows each.
func consumerEnv(t *testing.T, opts ...Option) *castEnv {
	e := newCastEnv(t, pkStreamSpec(opts...))
	for i := 1; i <= 3; i++ {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"x"},{"id":%d,"v":"y"}]`, i, 10+i))
	}
	return e
}

// readConsumerRows streams with consumer c1 (batches of one row) and stops
// after stopAfter rows; it never calls SaveProgress.
func readConsumerRows(e *castEnv, tb *Table, opts StreamOptions, stopAfter int) []string {
	e.t.Helper()
	opts.Alloc, opts.BatchSize, opts.ConsumerID, opts.Until = e.alloc, 1, "c1", UntilLatest
	s, err := tb.NewStream(e.ctx, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	var got []string
	for len(got) < stopAfter {
		b, err := s.Next(e.ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			e.t.Fatal(err)
		}
		got = append(got, batchLines(b)...)
	}
	return got
}

func consumerNext(e *castEnv, tb *Table) (int64, error) {
	c, err := snapshot.ReadConsumer(e.ctx, tb.Store(), "c1")
	return c.NextSnapshot, err
}

// TestStreamConsumerAtLeastOnce: an at-least-once consumer records the
// snapshot it is reading at every Next, without SaveProgress; a stream
// restarted with its id reads that snapshot again from its start. The
// table's consumer.mode sets the mode of streams that do not choose.
func TestStreamConsumerAtLeastOnce(t *testing.T) {
	for _, tableMode := range []bool{false, true} {
		var opts []Option
		mode := ConsumerAtLeastOnce
		if tableMode {
			opts, mode = []Option{{"consumer.mode", "at-least-once"}}, ConsumerTableMode
		}
		e := consumerEnv(t, opts...)
		tb := e.open()
		// Stop after the first row of snapshot 2.
		first := readConsumerRows(e, tb, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, ConsumerMode: mode}, 3)
		if want := "1 +I 1 x,1 +I 11 y,2 +I 2 x"; strings.Join(first, ",") != want {
			t.Fatalf("first run %v", first)
		}
		if n, err := consumerNext(e, tb); err != nil || n != 2 {
			t.Fatalf("consumer after the first run: %d, %v", n, err)
		}
		// Snapshot 2 again, whole: the row already returned comes twice.
		second := readConsumerRows(e, tb, StreamOptions{Start: StartLatest, ConsumerMode: mode}, 100)
		if want := "2 +I 2 x,2 +I 12 y,3 +I 3 x,3 +I 13 y"; strings.Join(second, ",") != want {
			t.Fatalf("second run %v", second)
		}
		// The end of the stream was reached after the last row was
		// returned, so the position past it was recorded.
		if n, err := consumerNext(e, tb); err != nil || n != 4 {
			t.Fatalf("consumer after the second run: %d, %v", n, err)
		}
	}
	// exactly-once (the default) writes nothing without SaveProgress.
	e := consumerEnv(t)
	tb := e.open()
	readConsumerRows(e, tb, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1}, 100)
	if _, err := consumerNext(e, tb); !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("exactly-once without SaveProgress: %v", err)
	}
	if _, err := tb.NewStream(e.ctx, StreamOptions{ConsumerID: "c1", ConsumerMode: 7}); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("bad consumer mode: %v", err)
	}
}

// TestStreamConsumerAbsent: a consumer id that names nothing starts as
// Start says (here a full read of the latest snapshot); no position is
// recorded before the full read is over.
func TestStreamConsumerAbsent(t *testing.T) {
	e := consumerEnv(t)
	tb := e.open()
	got := readConsumerRows(e, tb, StreamOptions{Start: StartLatestFull, ConsumerMode: ConsumerAtLeastOnce}, 2)
	if want := "3 +I 1 x,3 +I 2 x"; strings.Join(got, ",") != want {
		t.Fatalf("first run %v", got)
	}
	if _, err := consumerNext(e, tb); !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("consumer during the full read: %v", err)
	}
	got = readConsumerRows(e, tb, StreamOptions{Start: StartLatestFull, ConsumerMode: ConsumerAtLeastOnce}, 100)
	if len(got) != 6 {
		t.Fatalf("second run %v", got)
	}
	if n, err := consumerNext(e, tb); err != nil || n != 4 {
		t.Fatalf("consumer after the full read: %d, %v", n, err)
	}
}

// TestConsumerExpiration: with consumer.expiration-time a consumer file
// not written for longer is expired: a stream with its id starts as if it
// were absent, and ExpireConsumers deletes it. A stream rewrites its file
// once half that time has passed, even when its position has not moved.
func TestConsumerExpiration(t *testing.T) {
	e := consumerEnv(t, Option{"consumer.expiration-time", "1 h"})
	tb := e.open()
	dir := tableDir(t, tb)
	age := func(id string, d time.Duration) {
		t.Helper()
		p := filepath.Join(dir, "consumer", "consumer-"+id)
		if err := os.Chtimes(p, time.Now().Add(-d), time.Now().Add(-d)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"c1", "fresh"} {
		if err := snapshot.WriteConsumer(e.ctx, tb.Store(), id, snapshot.Consumer{NextSnapshot: 3}); err != nil {
			t.Fatal(err)
		}
	}
	age("c1", 2*time.Hour)
	got := readConsumerRows(e, tb, StreamOptions{Start: StartFromSnapshot, SnapshotID: 2, ConsumerMode: ConsumerExactlyOnce}, 100)
	if len(got) != 4 || !strings.HasPrefix(got[0], "2 ") {
		t.Fatalf("an expired consumer should start as Start says: %v", got)
	}
	gone, err := tb.ExpireConsumers(e.ctx)
	if err != nil || strings.Join(gone, ",") != "c1" {
		t.Fatalf("expired %v, %v", gone, err)
	}
	if _, err := consumerNext(e, tb); !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("c1 after expiry: %v", err)
	}

	// A live consumer is followed, and refreshed after half the time.
	age("fresh", 40*time.Minute)
	s, err := tb.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, ConsumerID: "fresh", Until: UntilLatest, Alloc: e.alloc})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.NextSnapshot() != 3 {
		t.Fatalf("live consumer: position %d", s.NextSnapshot())
	}
	if err := s.SaveProgress(e.ctx); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "consumer", "consumer-fresh"))
	if err != nil || time.Since(fi.ModTime()) > time.Minute {
		t.Fatalf("not refreshed: %v, %v", fi.ModTime(), err)
	}
	if gone, err := tb.ExpireConsumers(e.ctx); err != nil || len(gone) != 0 {
		t.Fatalf("expired %v, %v", gone, err)
	}
}

// tableDir is the local directory of a table in a castEnv.
func tableDir(t *testing.T, tb *Table) string {
	t.Helper()
	u := tb.Store().URL()
	if strings.HasPrefix(u, "file://") {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		u = p.Path
	}
	return u
}
