package lsm_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/merge"
)

// TestMergeFilesSections reads files through MergeFiles, some sections a
// single sorted run (streamed without merging) and some overlapping
// (merged), and compares with the model of merging every record.
func TestMergeFilesSections(t *testing.T) {
	key := func(k int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(k)) }
	for _, drop := range []bool{false, true} {
		t.Run(fmt.Sprintf("drop=%v", drop), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			eng := merge.NewDeduplicate(merge.Options{})
			rng := rand.New(rand.NewPCG(11, 12))
			for iter := range 40 {
				var seq int64
				var all []row
				var files []manifest.DataFile
				var contents [][]row
				// Files of one run over key ranges, and sometimes a second
				// run overlapping part of it.
				for r := range 1 + rng.IntN(2) {
					lo := int32(0)
					for range 1 + rng.IntN(4) {
						hi := lo + int32(1+rng.IntN(50))
						if r == 1 && rng.IntN(2) == 0 {
							lo += 1000 // leave the first run alone here
							hi += 1000
						}
						rows := randRows(rng, rng.IntN(80), int(hi-lo), &seq, true)
						for i := range rows {
							rows[i].K += lo
						}
						rows = model(rows, false, false, eng, false) // a file: unique keys
						slices.SortFunc(rows, cmpRows(false, false))
						lo = hi + int32(rng.IntN(3))
						if len(rows) == 0 {
							continue
						}
						all = append(all, rows...)
						files = append(files, manifest.DataFile{
							FileName: fmt.Sprintf("f%d", len(files)),
							MinKey:   key(rows[0].K), MaxKey: key(rows[len(rows)-1].K),
						})
						contents = append(contents, rows)
					}
				}
				open := func(i int) lsm.Opener {
					return func() (array.RecordReader, error) {
						recs := kvRecords(mem, contents[i], 1+rng.IntN(16))
						defer func() {
							for _, r := range recs {
								r.Release()
							}
						}()
						return array.NewRecordReader(kvSchema, recs)
					}
				}
				o := lsm.MergeOptions{KeyColumns: []int{2}, Engine: eng, DropRetracts: drop, BatchSize: 1 + rng.IntN(50),
					Alloc: mem, Schema: kvSchema}
				mr := lsm.MergeFiles(files, open, bytes.Compare, o)
				recs := drain(t, mr)
				got := readRows(t, recs)
				for _, r := range recs {
					r.Release()
				}
				mr.Release()
				want := model(all, false, false, eng, drop)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("iter %d: got\n%v\nwant\n%v", iter, got, want)
				}
			}
		})
	}
}
