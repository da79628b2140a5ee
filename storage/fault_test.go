package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func memStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFaultPhases(t *testing.T) {
	ctx := t.Context()
	s := memStore(t)
	var f Faults
	fs := WithFaults(s, &f)

	// Before: nothing reaches the backend.
	f.Add(Fault{Op: OpWrite, Phase: Before, Times: 1})
	if err := fs.Write(ctx, "k", []byte("1")); !errors.Is(err, ErrInjected) {
		t.Fatalf("before-fault: %v", err)
	}
	if ok, _ := s.Exists(ctx, "k"); ok {
		t.Fatal("write with a Before fault reached the backend")
	}
	// Times: the rule is used up.
	if err := fs.Write(ctx, "k", []byte("1")); err != nil {
		t.Fatal(err)
	}
	// After: the effect is real, the caller sees an error.
	f.Add(Fault{Op: OpDelete, Phase: After})
	if err := fs.Delete(ctx, "k"); !errors.Is(err, ErrInjected) {
		t.Fatalf("after-fault: %v", err)
	}
	if ok, _ := s.Exists(ctx, "k"); ok {
		t.Fatal("delete with an After fault was not applied")
	}
	if err := fs.Delete(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of a deleted key: %v; want ErrNotFound (backend error wins)", err)
	}
	if got := f.Fired(); got != 2 {
		t.Fatalf("fired = %d, want 2", got)
	}
	f.Clear()
	if err := fs.Write(ctx, "k", []byte("2")); err != nil {
		t.Fatalf("after Clear: %v", err)
	}
	// Skip: matching operations pass, then the rule fires (Times of them).
	f.Add(Fault{Op: OpRead, Key: "k", Skip: 2, Times: 1})
	for i, want := range []error{nil, nil, ErrInjected, nil} {
		if _, err := fs.Read(ctx, "k"); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("read %d with Skip 2: %v, want %v", i, err, want)
		}
		if _, err := fs.Read(ctx, "other"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a read that does not match: %v", err)
		}
	}
}

func TestFaultMatching(t *testing.T) {
	ctx := t.Context()
	s := memStore(t)
	var f Faults
	fs := WithFaults(s.Sub("tbl"), &f)
	errSlow := errors.New("slow down")
	f.Add(Fault{Op: OpCreate, Key: "snapshot-", Err: errSlow})
	f.Add(Fault{Op: OpRead, Phase: After, Key: "manifest"})
	f.Add(Fault{Op: OpList, Phase: Before, Times: 1})
	f.Add(Fault{Op: OpStat, Phase: After, Key: "stat-me", Times: 2})

	if err := fs.Create(ctx, "snapshot/snapshot-1", nil); !errors.Is(err, errSlow) {
		t.Errorf("create snapshot: %v; want the custom error", err)
	}
	if err := fs.Create(ctx, "schema/schema-0", nil); err != nil {
		t.Errorf("create schema (no rule): %v", err)
	}
	if err := fs.Write(ctx, "manifest/m-1", []byte("m")); err != nil {
		t.Errorf("write manifest (rule is for reads): %v", err)
	}
	if _, err := fs.Read(ctx, "manifest/m-1"); !errors.Is(err, ErrInjected) {
		t.Errorf("read manifest: %v", err)
	}
	if _, err := fs.ReadRange(ctx, "manifest/m-1", 0, 1); !errors.Is(err, ErrInjected) {
		t.Errorf("read range manifest: %v", err)
	}
	if _, err := fs.List(ctx, ""); !errors.Is(err, ErrInjected) {
		t.Errorf("first list: %v", err)
	}
	if objs, err := fs.List(ctx, ""); err != nil || len(objs) != 2 {
		t.Errorf("second list = %v, %v", objs, err)
	}
	fs.Write(ctx, "stat-me", []byte("abc"))
	if _, err := fs.Size(ctx, "stat-me"); !errors.Is(err, ErrInjected) {
		t.Errorf("size: %v", err)
	}
	if _, err := fs.Exists(ctx, "stat-me"); !errors.Is(err, ErrInjected) {
		t.Errorf("exists: %v", err)
	}
	if n, err := fs.Size(ctx, "stat-me"); err != nil || n != 3 {
		t.Errorf("size after the rule is used up = %d, %v", n, err)
	}
	// Faults follow Sub views; the unwrapped store is unaffected.
	if err := fs.Sub("x").Create(ctx, "snapshot-9", nil); !errors.Is(err, errSlow) {
		t.Errorf("create through Sub of faulty store: %v", err)
	}
	if err := s.Create(ctx, "tbl/snapshot/snapshot-1", nil); err != nil {
		t.Errorf("create through the original store: %v", err)
	}
	// Closing a faulty view does not close the bucket.
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, "tbl/schema/schema-0"); err != nil {
		t.Errorf("read after closing the faulty view: %v", err)
	}
}

func TestFaultLatency(t *testing.T) {
	ctx := t.Context()
	s := memStore(t)
	var f Faults
	fs := WithFaults(s, &f)
	f.SetLatency(30 * time.Millisecond)

	start := time.Now()
	if err := fs.Write(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("write took %v; want at least the 30ms latency", d)
	}

	// A deadline shorter than the latency fails before the backend is reached.
	tctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	if err := fs.Write(tctx, "late", []byte("v")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("write past deadline: %v; want DeadlineExceeded", err)
	}
	if ok, _ := s.Exists(ctx, "late"); ok {
		t.Fatal("timed-out write reached the backend")
	}
	if _, err := fs.Read(canceled(t), "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("read with canceled ctx: %v; want Canceled", err)
	}

	// Latency combines with rules; Clear removes both.
	f.Add(Fault{Op: OpRead})
	start = time.Now()
	if _, err := fs.Read(ctx, "k"); !errors.Is(err, ErrInjected) {
		t.Fatalf("read: %v", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("faulty read took %v; want at least the latency", d)
	}
	f.Clear()
	start = time.Now()
	if _, err := fs.Read(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 25*time.Millisecond {
		t.Logf("read after Clear took %v (expected no latency)", d)
	}
}

func TestFaultAmbiguousCreate(t *testing.T) {
	// An After fault on Create models a lost response: the object exists,
	// and re-sending the same bytes reports ErrExist, so the caller can
	// compare contents to learn that it won.
	ctx := t.Context()
	s := memStore(t)
	var f Faults
	fs := WithFaults(s, &f)
	f.Add(Fault{Op: OpCreate, Phase: After, Times: 1})
	body := []byte(`{"id":1}`)
	if err := fs.Create(ctx, "snapshot/snapshot-1", body); !errors.Is(err, ErrInjected) || errors.Is(err, ErrExist) {
		t.Fatalf("create: %v", err)
	}
	if err := fs.Create(ctx, "snapshot/snapshot-1", body); !errors.Is(err, ErrExist) {
		t.Fatalf("retry: %v", err)
	}
	mustRead(t, fs, "snapshot/snapshot-1", body)
}

// TestFaultSkip: Skip lets that many matching operations through first.
func TestFaultSkip(t *testing.T) {
	ctx := t.Context()
	s := memStore(t)
	var f Faults
	fs := WithFaults(s, &f)
	f.Add(Fault{Op: OpWrite, Key: "a", Skip: 2, Times: 1})
	for i, want := range []bool{false, false, true, false} {
		if err := fs.Write(ctx, "a", nil); errors.Is(err, ErrInjected) != want {
			t.Fatalf("write %d: %v, want fault %v", i, err, want)
		}
		if err := fs.Write(ctx, "b", nil); err != nil {
			t.Fatalf("write b: %v", err)
		}
	}
}
