package table

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/storage"
)

// maxDynamicBucket is the largest bucket id dynamic bucket mode assigns
// (Java's Short.MAX_VALUE).
const maxDynamicBucket = 32767

// indexDir is the directory of table-level index files.
const indexDir = "index/"

// hashBucket is one bucket of a partition in dynamic bucket mode: the key
// hashes assigned to it and its live HASH index file.
type hashBucket struct {
	hashes  []int32
	live    *manifest.IndexEntry // index file of the base snapshot or the last Prepare; nil when none
	changed bool                 // hashes added since live was written
}

// hashAssigner maps key hashes to buckets for one partition, as Paimon's
// dynamic bucket mode does (paimon-format.md §7.2): a known hash keeps its
// bucket; a new hash goes to the first bucket holding fewer than
// targetRows hashes, else to a new bucket (the smallest unused id), unless
// maxBuckets are in use, in which case to a random existing bucket.
type hashAssigner struct {
	targetRows int64
	maxBuckets int // -1 = unbounded

	byHash  map[int32]int32
	buckets map[int32]*hashBucket
	nonFull []int32 // candidate buckets in assignment order; full ones are dropped lazily
}

func newHashAssigner(targetRows int64, maxBuckets int) *hashAssigner {
	return &hashAssigner{
		targetRows: targetRows,
		maxBuckets: maxBuckets,
		byHash:     make(map[int32]int32),
		buckets:    make(map[int32]*hashBucket),
	}
}

// load adds the hashes of a live HASH index file.
func (a *hashAssigner) load(e manifest.IndexEntry, hashes []int32) {
	b := &hashBucket{hashes: hashes, live: &e}
	a.buckets[e.Bucket] = b
	for _, h := range hashes {
		a.byHash[h] = e.Bucket
	}
}

// finishLoad orders the loaded buckets for assignment.
func (a *hashAssigner) finishLoad() {
	a.nonFull = a.nonFull[:0]
	for id := range a.buckets {
		a.nonFull = append(a.nonFull, id)
	}
	slices.Sort(a.nonFull)
}

// assign returns the bucket of key hash h, recording new hashes.
func (a *hashAssigner) assign(h int32) int32 {
	if b, ok := a.byHash[h]; ok {
		return b
	}
	for len(a.nonFull) > 0 {
		id := a.nonFull[0]
		b := a.buckets[id]
		if int64(len(b.hashes)) < a.targetRows {
			a.add(h, id, b)
			return id
		}
		a.nonFull = a.nonFull[1:]
	}
	if a.maxBuckets < 0 || len(a.buckets) < a.maxBuckets {
		for id := int32(0); id <= maxDynamicBucket; id++ {
			if _, used := a.buckets[id]; !used {
				b := &hashBucket{}
				a.buckets[id] = b
				a.nonFull = append(a.nonFull, id)
				a.add(h, id, b)
				return id
			}
		}
	}
	ids := make([]int32, 0, len(a.buckets))
	for id := range a.buckets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	id := ids[rand.IntN(len(ids))]
	a.add(h, id, a.buckets[id])
	return id
}

func (a *hashAssigner) add(h, id int32, b *hashBucket) {
	a.byHash[h] = id
	b.hashes = append(b.hashes, h)
	b.changed = true
}

// encodeHashIndex returns the bytes of a HASH index file: each hash as a
// 4-byte big-endian int.
func encodeHashIndex(hashes []int32) []byte {
	out := make([]byte, 4*len(hashes))
	for i, h := range hashes {
		binary.BigEndian.PutUint32(out[4*i:], uint32(h))
	}
	return out
}

// decodeHashIndex parses a HASH index file.
func decodeHashIndex(name string, b []byte) ([]int32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%w: hash index %s: %d bytes is not a multiple of 4", ErrCorruptIndex, name, len(b))
	}
	out := make([]int32, len(b)/4)
	for i := range out {
		out[i] = int32(binary.BigEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

// readHashIndex reads the hashes of a HASH index entry.
func readHashIndex(ctx context.Context, st *storage.Store, e *manifest.IndexEntry) ([]int32, error) {
	key := indexDir + e.FileName
	if e.ExternalPath != nil {
		return nil, fmt.Errorf("%w: hash index %s at external path %s", ErrUnsupported, e.FileName, *e.ExternalPath)
	}
	b, err := st.Read(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read hash index %s: %w", e.FileName, err)
	}
	hashes, err := decodeHashIndex(e.FileName, b)
	if err != nil {
		return nil, err
	}
	if int64(len(hashes)) != e.RowCount {
		return nil, fmt.Errorf("%w: hash index %s holds %d hashes, manifest says %d", ErrCorruptIndex, e.FileName, len(hashes), e.RowCount)
	}
	return hashes, nil
}
