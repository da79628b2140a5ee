package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floelake/floe/storage"
)

var fastRetry = PublishOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// mustHold checks that snapshot/ holds exactly the given ids and that id
// `id` has exactly the bytes of want.
func mustHold(t *testing.T, store *storage.Store, ids []int64, id int64, want *Snapshot) {
	t.Helper()
	got, err := List(context.Background(), store)
	if err != nil || !reflect.DeepEqual(got, ids) {
		t.Fatalf("snapshots = %v, %v; want %v", got, err, ids)
	}
	b, err := store.Read(context.Background(), SnapshotPath(id))
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := want.Encode()
	if !bytes.Equal(b, wb) {
		t.Fatalf("snapshot-%d holds\n%s\nwant\n%s", id, b, wb)
	}
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	var logs bytes.Buffer
	opts := fastRetry
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := testSnapshot(1, "u", 1, KindAppend)
	r, err := Publish(ctx, store, s, opts)
	if err != nil || r.ID != 1 || r.Attempts != 1 || r.Recovered || r.HintErr != nil {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
	mustHold(t, store, []int64{1}, 1, s)
	if b, _ := store.Read(ctx, "snapshot/LATEST"); string(b) != "1" {
		t.Fatalf("LATEST = %q", b)
	}
	if !strings.Contains(logs.String(), "snapshot_id=1") {
		t.Fatalf("logs: %s", logs.String())
	}
	// Publishing the same snapshot again is idempotent.
	r, err = Publish(ctx, store, s, opts)
	if err != nil || !r.Recovered {
		t.Fatalf("re-Publish = %+v, %v", r, err)
	}
	// A bad id is refused before anything is sent.
	if _, err := Publish(ctx, store, testSnapshot(0, "u", 1, KindAppend), opts); err == nil {
		t.Fatal("id 0 accepted")
	}
}

// The request fails before reaching the store: retried, lands once.
func TestPublishErrorBefore(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	var f storage.Faults
	f.Add(storage.Fault{Op: storage.OpCreate, Key: "snapshot-", Phase: storage.Before, Times: 2})
	s := testSnapshot(1, "u", 1, KindAppend)
	r, err := Publish(ctx, storage.WithFaults(store, &f), s, fastRetry)
	if err != nil || r.Attempts != 3 || r.Recovered {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
	if f.Fired() != 2 {
		t.Fatalf("fired %d", f.Fired())
	}
	mustHold(t, store, []int64{1}, 1, s)
}

// The store applied the write but the answer was lost: the re-send finds our
// own bytes and reports success exactly once.
func TestPublishErrorAfter(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	var f storage.Faults
	f.Add(storage.Fault{Op: storage.OpCreate, Key: "snapshot-", Phase: storage.After, Times: 1,
		Err: errors.New("connection reset")})
	s := testSnapshot(1, "u", 1, KindAppend)
	r, err := Publish(ctx, storage.WithFaults(store, &f), s, fastRetry)
	if err != nil || r.Attempts != 2 || !r.Recovered {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
	mustHold(t, store, []int64{1}, 1, s)
	if b, _ := store.Read(ctx, "snapshot/LATEST"); string(b) != "1" {
		t.Fatalf("LATEST = %q", b)
	}
}

// The read-back after "exists" fails too: still ambiguous, retried.
func TestPublishReadBackFails(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	var f storage.Faults
	f.Add(storage.Fault{Op: storage.OpCreate, Key: "snapshot-1", Phase: storage.After, Times: 1})
	f.Add(storage.Fault{Op: storage.OpRead, Key: "snapshot-1", Phase: storage.Before, Times: 2})
	s := testSnapshot(1, "u", 1, KindAppend)
	r, err := Publish(ctx, storage.WithFaults(store, &f), s, fastRetry)
	if err != nil || !r.Recovered || r.Attempts != 4 {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
	mustHold(t, store, []int64{1}, 1, s)
}

// Every answer is ambiguous: ErrAmbiguous after the configured attempts,
// nothing deleted.
func TestPublishAmbiguous(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	var f storage.Faults
	f.Add(storage.Fault{Op: storage.OpCreate, Phase: storage.Before})
	f.Add(storage.Fault{Op: storage.OpDelete, Err: errors.New("Publish must not delete")})
	opts := fastRetry
	opts.Attempts = 3
	_, err := Publish(ctx, storage.WithFaults(store, &f), testSnapshot(1, "u", 1, KindAppend), opts)
	if !errors.Is(err, ErrAmbiguous) || !errors.Is(err, storage.ErrInjected) {
		t.Fatalf("Publish: %v", err)
	}
	if f.Fired() != 3 {
		t.Fatalf("fired %d, want 3 creates and no delete", f.Fired())
	}
}

// Applied-then-error with a single allowed attempt: ambiguous, and
// FindCommitted then settles it.
func TestPublishAmbiguousThenFindCommitted(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	prev := testSnapshot(1, "other", 1, KindAppend)
	if _, err := Publish(ctx, store, prev, fastRetry); err != nil {
		t.Fatal(err)
	}
	var f storage.Faults
	f.Add(storage.Fault{Op: storage.OpCreate, Phase: storage.After, Times: 1})
	opts := fastRetry
	opts.Attempts = 1
	s := testSnapshot(2, "job", 7, KindAppend)
	if _, err := Publish(ctx, storage.WithFaults(store, &f), s, opts); !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("Publish: %v", err)
	}
	got, err := FindCommitted(ctx, store, "job", 7, KindAppend, 1)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("FindCommitted = %v, %v", got, err)
	}
	if _, err := FindCommitted(ctx, store, "job", 7, KindCompact, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("other kind: %v", err)
	}
	// And re-publishing the same bytes is a recovered success.
	r, err := Publish(ctx, store, s, fastRetry)
	if err != nil || !r.Recovered {
		t.Fatalf("re-Publish = %+v, %v", r, err)
	}
}

// Another writer holds the id: a ConflictError carrying the winner.
func TestPublishConflict(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(ours *Snapshot) *Snapshot{
		"other user": func(o *Snapshot) *Snapshot { return testSnapshot(o.ID, "someone", o.CommitIdentifier, o.CommitKind) },
		"other kind": func(o *Snapshot) *Snapshot { return testSnapshot(o.ID, o.CommitUser, o.CommitIdentifier, KindCompact) },
		"other ident": func(o *Snapshot) *Snapshot {
			return testSnapshot(o.ID, o.CommitUser, o.CommitIdentifier+1, o.CommitKind)
		},
		"same identity ": func(o *Snapshot) *Snapshot { w := *o; w.TotalRecordCount++; return &w },
	}
	for name, mk := range cases {
		store := memStore(t)
		ours := testSnapshot(1, "u", 5, KindAppend)
		winner := mk(ours)
		wb, _ := winner.Encode()
		if err := store.Create(ctx, SnapshotPath(1), wb); err != nil {
			t.Fatal(err)
		}
		_, err := Publish(ctx, store, ours, fastRetry)
		var ce *ConflictError
		if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) || ce.ID != 1 || !reflect.DeepEqual(ce.Winner, winner) {
			t.Errorf("%s: %v (%+v)", name, err, ce)
			continue
		}
		mustHold(t, store, []int64{1}, 1, winner)
		if ok, _ := store.Exists(ctx, "snapshot/LATEST"); ok {
			t.Errorf("%s: a conflict wrote LATEST", name)
		}
	}
}

// Same content written with different formatting (as Java would write
// it) counts as ours.
func TestPublishSameContentOtherBytes(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	ours := testSnapshot(1, "u", 5, KindAppend)
	b, _ := ours.Encode()
	javaStyle := strings.Replace(string(b), `"timeMillis"`, `"logOffsets" : { }, "timeMillis"`, 1)
	if err := store.Create(ctx, SnapshotPath(1), []byte(javaStyle)); err != nil {
		t.Fatal(err)
	}
	r, err := Publish(ctx, store, ours, fastRetry)
	if err != nil || !r.Recovered {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
}

func TestPublishCorruptWinner(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	if err := store.Create(ctx, SnapshotPath(1), []byte(`{"version" : 3, "id" :`)); err != nil {
		t.Fatal(err)
	}
	_, err := Publish(ctx, store, testSnapshot(1, "u", 1, KindAppend), fastRetry)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Winner != nil || !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrConflict) {
		t.Fatalf("Publish: %v", err)
	}
}

// Slow store and a deadline: ErrAmbiguous or the ctx error, never a delete.
func TestPublishTimeout(t *testing.T) {
	store := memStore(t)
	var f storage.Faults
	f.SetLatency(50 * time.Millisecond)
	f.Add(storage.Fault{Op: storage.OpDelete, Err: errors.New("Publish must not delete")})
	for _, timeout := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 70 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := Publish(ctx, storage.WithFaults(store, &f), testSnapshot(1, "u", 1, KindAppend), fastRetry)
		cancel()
		if err == nil {
			continue // the create got through before the deadline
		}
		if !errors.Is(err, ErrAmbiguous) && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("timeout %v: %v", timeout, err)
		}
	}
	if f.Fired() != 0 {
		t.Fatalf("a delete was attempted")
	}
	// A done context sends nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Publish(ctx, store, testSnapshot(2, "u", 2, KindAppend), fastRetry); !errors.Is(err, context.Canceled) || errors.Is(err, ErrAmbiguous) {
		t.Fatalf("cancelled: %v", err)
	}
	if ok, _ := store.Exists(context.Background(), SnapshotPath(2)); ok {
		t.Fatal("cancelled publish wrote a snapshot")
	}
}

// The hint update runs even when ctx expires right after the create: the
// store is slow (40ms per call) and the deadline (60ms) falls during the hint
// write.
func TestPublishHintWithoutCancel(t *testing.T) {
	store := memStore(t)
	var f storage.Faults
	// Every operation takes 150 ms: the deadline passes during the hint
	// write, after the snapshot's create (100 ms of slack for a loaded
	// machine's late timers).
	f.SetLatency(150 * time.Millisecond)
	fs := storage.WithFaults(store, &f)
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	r, err := Publish(ctx, fs, testSnapshot(1, "u", 1, KindAppend), fastRetry)
	if err != nil || r.HintErr != nil {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
	if ctx.Err() == nil {
		t.Fatal("deadline did not pass during the hint write")
	}
	if b, _ := store.Read(context.Background(), "snapshot/LATEST"); string(b) != "1" {
		t.Fatalf("LATEST = %q", b)
	}
	// A failing hint never fails the publish.
	f.SetLatency(0)
	f.Add(storage.Fault{Op: storage.OpWrite, Key: "LATEST"})
	r, err = Publish(context.Background(), fs, testSnapshot(2, "u", 2, KindAppend), fastRetry)
	if err != nil || !errors.Is(r.HintErr, ErrHint) {
		t.Fatalf("Publish = %+v, %v", r, err)
	}
	mustHold(t, store, []int64{1, 2}, 2, testSnapshot(2, "u", 2, KindAppend))
}

// N writers race for the same id: exactly one wins, the others see it.
func TestPublishRace(t *testing.T) {
	for _, c := range []struct{ local, faulty bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		local, faulty := c.local, c.faulty
		t.Run(fmt.Sprintf("local=%v/faulty=%v", local, faulty), func(t *testing.T) {
			ctx := context.Background()
			store := memStore(t)
			if local {
				var err error
				if store, err = storage.Open(ctx, "file://"+t.TempDir()); err != nil {
					t.Skipf("local driver not available: %v", err)
				}
				defer store.Close()
			}
			var f storage.Faults
			if faulty {
				f.SetLatency(time.Millisecond)
				f.Add(storage.Fault{Op: storage.OpCreate, Phase: storage.After, Times: 3})
				f.Add(storage.Fault{Op: storage.OpCreate, Phase: storage.Before, Times: 5})
			}
			fs := storage.WithFaults(store, &f)
			const n = 16
			var wg sync.WaitGroup
			results := make([]error, n)
			snaps := make([]*Snapshot, n)
			for i := range n {
				snaps[i] = testSnapshot(1, fmt.Sprintf("writer-%d", i), 1, KindAppend)
				wg.Go(func() {
					_, results[i] = Publish(ctx, fs, snaps[i], PublishOptions{MinBackoff: time.Millisecond, MaxBackoff: 3 * time.Millisecond, Attempts: 20})
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range results {
				if err == nil {
					if winner >= 0 {
						t.Fatalf("writers %d and %d both won", winner, i)
					}
					winner = i
				}
			}
			if winner < 0 {
				t.Fatalf("nobody won: %v", results)
			}
			for i, err := range results {
				if i == winner {
					continue
				}
				var ce *ConflictError
				if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Winner, snaps[winner]) {
					t.Fatalf("writer %d: %v", i, err)
				}
			}
			mustHold(t, store, []int64{1}, 1, snaps[winner])
		})
	}
}

func TestFindCommittedAndLatestByUser(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	users := []string{"a", "b", "a", "a", "b", "c"}
	for i, u := range users {
		kind := KindAppend
		if i == 3 {
			kind = KindCompact
		}
		if _, err := Publish(ctx, store, testSnapshot(int64(i+1), u, int64(i/2+1), kind), fastRetry); err != nil {
			t.Fatal(err)
		}
	}
	// snapshot 4 = a/2/COMPACT, snapshot 3 = a/2/APPEND
	for _, c := range []struct {
		user  string
		ident int64
		kind  Kind
		after int64
		want  int64
	}{
		{"a", 2, KindAppend, 0, 3},
		{"a", 2, KindCompact, 0, 4},
		{"a", 2, KindAppend, 3, 0},
		{"b", 3, KindAppend, 2, 5},
		{"z", 1, KindAppend, 0, 0},
	} {
		s, err := FindCommitted(ctx, store, c.user, c.ident, c.kind, c.after)
		if c.want == 0 {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%+v: %v %v", c, s, err)
			}
			continue
		}
		if err != nil || s.ID != c.want {
			t.Errorf("%+v: %v %v", c, s, err)
		}
	}
	for u, want := range map[string]int64{"a": 4, "b": 5, "c": 6} {
		s, err := LatestByUser(ctx, store, u)
		if err != nil || s.ID != want {
			t.Errorf("LatestByUser(%s) = %v %v", u, s, err)
		}
	}
	if _, err := LatestByUser(ctx, store, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LatestByUser(nobody): %v", err)
	}
	// Snapshots 1 and 2 expire: a commit looked for after 0 cannot be ruled out.
	for _, id := range []int64{1, 2} {
		if err := store.Delete(ctx, SnapshotPath(id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := FindCommitted(ctx, store, "z", 1, KindAppend, 0); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("expired range: %v", err)
	}
	if s, err := FindCommitted(ctx, store, "a", 2, KindAppend, 0); err != nil || s.ID != 3 {
		t.Errorf("found despite expired range: %v %v", s, err)
	}
}
