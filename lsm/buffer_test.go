package lsm_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/lsm"
)

func TestBufferModel(t *testing.T) {
	for _, os_ := range optionSets {
		t.Run(os_.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rng := rand.New(rand.NewPCG(11, uint64(len(os_.name))))
			dir := t.TempDir()
			for iter := range 20 {
				o := lsm.BufferOptions{
					SortOptions: lsm.SortOptions{Schema: valueSchema, KeyColumns: []int{0}, Engine: os_.eng},
					Spillable:   true,
					SpillDir:    dir,
					Alloc:       mem,
					BatchSize:   1 + rng.IntN(200),
					KeepInput:   iter%2 == 1,
				}
				if os_.useG {
					o.SequenceColumns = []int{1}
					o.SequenceDescending = os_.desc
				}
				b, err := lsm.NewBuffer(o)
				if err != nil {
					t.Fatal(err)
				}
				var seq int64 = 100
				keys := 1 + rng.IntN(300)
				var all []row
				for range rng.IntN(8) {
					first := seq
					rows := randRows(rng, rng.IntN(400), keys, &seq, os_.retract)
					all = append(all, rows...)
					rec, kinds := valueRecord(mem, rows)
					if rng.IntN(2) == 0 {
						// A sliced record: pad with junk rows on both sides.
						var junkSeq int64 = 1 << 40
						pad := randRows(rng, 3, keys, &junkSeq, false)
						padded := append(append(slices.Clone(pad), rows...), pad...)
						rec.Release()
						full, _ := valueRecord(mem, padded)
						rec = full.NewSlice(3, int64(3+len(rows)))
						full.Release()
					}
					if err := b.Add(rec, kinds, first); err != nil {
						t.Fatal(err)
					}
					rec.Release()
					if b.MemoryUsed() <= 0 && len(rows) > 0 {
						t.Fatal("MemoryUsed is 0 with rows buffered")
					}
					if rng.IntN(3) == 0 {
						if err := b.Spill(context.Background()); err != nil {
							t.Fatal(err)
						}
					}
				}
				var recs []arrow.Record
				collect := func(r arrow.Record) error {
					if r.NumRows() > int64(o.BatchSize) {
						return fmt.Errorf("record of %d rows, batch size %d", r.NumRows(), o.BatchSize)
					}
					r.Retain()
					recs = append(recs, r)
					return nil
				}
				if o.KeepInput {
					// The input changelog: every row, sorted, none merged.
					if err := b.Input(context.Background(), collect); err != nil {
						t.Fatal(err)
					}
					got := readRows(t, recs)
					for _, r := range recs {
						r.Release()
					}
					recs = nil
					want := slices.Clone(all)
					slices.SortFunc(want, cmpRows(os_.useG, os_.desc))
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("iter %d: Input got\n%v\nwant\n%v", iter, got, want)
					}
				} else if err := b.Input(context.Background(), collect); !errors.Is(err, lsm.ErrOptions) {
					t.Fatalf("Input without KeepInput: %v", err)
				}
				err = b.Flush(context.Background(), func(r arrow.Record) error {
					if r.NumRows() > int64(o.BatchSize) {
						return fmt.Errorf("record of %d rows, batch size %d", r.NumRows(), o.BatchSize)
					}
					r.Retain()
					recs = append(recs, r)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				got := readRows(t, recs)
				for _, r := range recs {
					r.Release()
				}
				want := model(all, os_.useG, os_.desc, os_.eng, false)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("iter %d: got\n%v\nwant\n%v", iter, got, want)
				}
				if b.Rows() != 0 {
					t.Fatalf("Rows after Flush = %d", b.Rows())
				}
				if err := b.Close(); err != nil {
					t.Fatal(err)
				}
				if ents, _ := os.ReadDir(dir); len(ents) != 0 {
					t.Fatalf("%d spill files left", len(ents))
				}
			}
		})
	}
}

func TestBufferSpillLimits(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	mk := func(spillable bool, maxDisk int64) *lsm.Buffer {
		b, err := lsm.NewBuffer(lsm.BufferOptions{
			SortOptions: lsm.SortOptions{Schema: valueSchema, KeyColumns: []int{0}, Engine: optionSets[0].eng},
			Spillable:   spillable, SpillDir: dir, MaxDiskSize: maxDisk, Alloc: mem,
		})
		if err != nil {
			t.Fatal(err)
		}
		var seq int64
		rec, kinds := valueRecord(mem, randRows(rng, 1000, 500, &seq, false))
		if err := b.Add(rec, kinds, 0); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		return b
	}
	b := mk(false, 0)
	if err := b.Spill(ctx); !errors.Is(err, lsm.ErrNotSpillable) {
		t.Fatalf("Spill on unspillable buffer: %v", err)
	}
	b.Close()

	b = mk(true, 100)
	if err := b.Spill(ctx); !errors.Is(err, lsm.ErrSpillFull) {
		t.Fatalf("Spill past MaxDiskSize: %v", err)
	}
	if b.Rows() != 1000 {
		t.Fatalf("Rows after failed spill = %d", b.Rows())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("%d spill files left after failed spill", len(ents))
	}
	n := 0
	if err := b.Flush(ctx, func(r arrow.Record) error { n += int(r.NumRows()); return nil }); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("nothing flushed after failed spill")
	}
	b.Close()

	// Close without Flush removes spill files and frees memory.
	b = mk(true, 0)
	if err := b.Spill(ctx); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d spill files, want 1", len(ents))
	}
	b.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("%d spill files left after Close", len(ents))
	}
}

// Many spills are merged into one file as they pile up, so a Flush never
// opens more than a bounded number of runs; the result is unchanged.
func TestBufferCompactsSpills(t *testing.T) {
	for _, os_ := range optionSets {
		t.Run(os_.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rng := rand.New(rand.NewPCG(5, uint64(len(os_.name))))
			dir := t.TempDir()
			o := lsm.BufferOptions{
				SortOptions: lsm.SortOptions{Schema: valueSchema, KeyColumns: []int{0}, Engine: os_.eng},
				Spillable:   true, SpillDir: dir, Alloc: mem, BatchSize: 64,
			}
			if os_.useG {
				o.SequenceColumns = []int{1}
				o.SequenceDescending = os_.desc
			}
			b, err := lsm.NewBuffer(o)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var seq int64
			var all []row
			maxFiles := 0
			for range 40 {
				first := seq
				rows := randRows(rng, 1+rng.IntN(100), 500, &seq, os_.retract)
				all = append(all, rows...)
				rec, kinds := valueRecord(mem, rows)
				if err := b.Add(rec, kinds, first); err != nil {
					t.Fatal(err)
				}
				rec.Release()
				if err := b.Spill(context.Background()); err != nil {
					t.Fatal(err)
				}
				ents, _ := os.ReadDir(dir)
				maxFiles = max(maxFiles, len(ents))
			}
			if maxFiles >= 16 {
				t.Fatalf("%d spill files at once", maxFiles)
			}
			var recs []arrow.Record
			if err := b.Flush(context.Background(), func(r arrow.Record) error {
				r.Retain()
				recs = append(recs, r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			got := readRows(t, recs)
			for _, r := range recs {
				r.Release()
			}
			want := model(all, os_.useG, os_.desc, os_.eng, false)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got\n%v\nwant\n%v", got, want)
			}
		})
	}
}

// Flush spills the rows in memory before merging them with earlier spills;
// when the disk limit refuses that spill, it merges them from memory and
// the result is the same.
func TestBufferFlushSpillsFirst(t *testing.T) {
	os_ := optionSets[0]
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	var seq int64 = 1
	first := randRows(rng, 700, 300, &seq, os_.retract)
	second := randRows(rng, 500, 300, &seq, os_.retract)
	want := model(append(slices.Clone(first), second...), false, false, os_.eng, false)
	run := func(maxDisk int64) (got []row, firstSpill int64) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		dir := t.TempDir()
		b, err := lsm.NewBuffer(lsm.BufferOptions{
			SortOptions: lsm.SortOptions{Schema: valueSchema, KeyColumns: []int{0}, Engine: os_.eng},
			Spillable:   true, SpillDir: dir, MaxDiskSize: maxDisk, Alloc: mem,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		add := func(rows []row) {
			rec, kinds := valueRecord(mem, rows)
			defer rec.Release()
			if err := b.Add(rec, kinds, rows[0].Seq); err != nil {
				t.Fatal(err)
			}
		}
		add(first)
		if err := b.Spill(ctx); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if fi, err := e.Info(); err == nil {
				firstSpill += fi.Size()
			}
		}
		add(second)
		var recs []arrow.Record
		if err := b.Flush(ctx, func(r arrow.Record) error { r.Retain(); recs = append(recs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		got = readRows(t, recs)
		for _, r := range recs {
			r.Release()
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("%d spill files left after Flush", len(ents))
		}
		return got, firstSpill
	}
	got, size := run(0)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("unlimited: got\n%v\nwant\n%v", got, want)
	}
	// Room for the first spill only: the second is refused.
	got, _ = run(size + 1)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("disk full: got\n%v\nwant\n%v", got, want)
	}
}
