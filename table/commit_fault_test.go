package table

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// Faults on the snapshot create: before the write, after the store applied
// it, and latency beyond the ctx deadline. Retrying Commit with the same user
// and identifier afterwards never loses or duplicates a commit.
func TestCommitFaults(t *testing.T) {
	e := newCommitEnv(t, false)
	faults := &storage.Faults{}
	ctx := context.Background()
	tbl, err := OpenStore(ctx, storage.WithFaults(e.cat.TableStore(e.id), faults))
	if err != nil {
		t.Fatal(err)
	}
	create := storage.Fault{Op: storage.OpCreate, Key: "snapshot/snapshot-"}
	cases := []struct {
		name  string
		setup func()
	}{
		{"before-once", func() { f := create; f.Phase = storage.Before; f.Times = 1; faults.Add(f) }},
		{"after-once", func() { f := create; f.Phase = storage.After; f.Times = 1; faults.Add(f) }},
		{"before-always", func() { f := create; f.Phase = storage.Before; faults.Add(f) }},
		{"after-always", func() { f := create; f.Phase = storage.After; faults.Add(f) }},
		{"latency", func() { faults.SetLatency(40 * time.Millisecond) }},
	}
	for i, c := range cases {
		m := msgFor(t, int32(i%2), 0)
		m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, int64(i+1))}
		opts := CommitOptions{CommitUser: "job", Identifier: int64(i + 1)}
		c.setup()
		cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		_, err := tbl.Commit(cctx, []CommitMessage{m}, opts)
		cancel()
		faults.Clear()
		t.Logf("%s: first attempt: %v", c.name, err)
		if err != nil && (c.name == "before-always" || c.name == "after-always") && !errors.Is(err, snapshot.ErrAmbiguous) {
			t.Fatalf("%s: want ErrAmbiguous, got %v", c.name, err)
		}
		// Retry with the same identity until it is definite.
		res, err := tbl.Commit(ctx, []CommitMessage{m}, opts)
		if err != nil {
			t.Fatalf("%s: retry: %v", c.name, err)
		}
		if c.name == "after-always" && !res.AlreadyCommitted {
			t.Fatalf("%s: the first attempt landed; retry must see it", c.name)
		}
		e.apply([]CommitMessage{m})
		e.check(e.tbl)
	}
	n, _ := snapshot.LatestID(ctx, e.tbl.Store())
	if n != int64(len(cases)) {
		t.Fatalf("%d snapshots, want %d", n, len(cases))
	}
}

// Faults while writing manifests fail the commit cleanly; nothing is
// published and a retry succeeds.
func TestCommitManifestWriteFault(t *testing.T) {
	e := newCommitEnv(t, false)
	faults := &storage.Faults{}
	ctx := context.Background()
	tbl, err := OpenStore(ctx, storage.WithFaults(e.cat.TableStore(e.id), faults))
	if err != nil {
		t.Fatal(err)
	}
	m := msgFor(t, 1, 0)
	m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 3)}
	faults.Add(storage.Fault{Op: storage.OpWrite, Key: "manifest/manifest-list-", Times: 1})
	if _, err := tbl.Commit(ctx, []CommitMessage{m}, CommitOptions{}); !errors.Is(err, storage.ErrInjected) {
		t.Fatalf("want injected error, got %v", err)
	}
	if n, _ := snapshot.LatestID(ctx, e.tbl.Store()); n != 0 {
		t.Fatalf("snapshot published: %d", n)
	}
	e.commit(tbl, []CommitMessage{m}, CommitOptions{})
	e.check(e.tbl)
}
