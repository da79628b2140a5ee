package table

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
)

// ErrBadPosition reports a serialized stream position that does not
// decode.
var ErrBadPosition = errors.New("table: bad stream position")

// Shard is one of Count parts of a table's buckets, so that Count streams,
// each with its own Index, read every change once between them: a stream
// with a Shard reads only the buckets the shard owns, in snapshot order
// as any stream does. The zero value (Count 0) owns every bucket.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Owns reports whether the shard reads a bucket of a partition (its
// serialized BinaryRow bytes): bucket plus the 32-bit FNV-1a hash of the
// partition bytes, modulo Count, is Index. The buckets of an
// unpartitioned table are dealt out in turn; the rule never changes, so
// shards of different processes and releases agree.
func (sh Shard) Owns(partition []byte, bucket int32) bool {
	if sh.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write(partition)
	n := (uint64(h.Sum32()) + uint64(uint32(bucket))) % uint64(sh.Count)
	return int(n) == sh.Index
}

func (sh Shard) check() error {
	if sh.Count < 0 || sh.Index < 0 || sh.Count > 0 && sh.Index >= sh.Count || sh.Count == 0 && sh.Index != 0 {
		return fmt.Errorf("%w: shard %d of %d", ErrInvalidOption, sh.Index, sh.Count)
	}
	return nil
}

// keep returns the splits the shard owns.
func (sh Shard) keep(splits []*Split) []*Split {
	if sh.Count <= 1 {
		return splits
	}
	kept := splits[:0:0]
	for _, s := range splits {
		if sh.Owns(s.Partition, s.Bucket) {
			kept = append(kept, s)
		}
	}
	return kept
}

// StreamPosition is where a stream stands: enough to start another stream
// (StreamOptions.Position), in this process or another, that continues
// with no gap. It serializes with MarshalBinary.
type StreamPosition struct {
	// Next is the first snapshot whose changes the stream has not returned
	// in full (rows of a snapshot returned in part come again).
	Next int64 `json:"next"`
	// Full says snapshot Next is to be read in full first: the stream's
	// full first read is not over.
	Full bool `json:"full,omitempty"`
	// Shard is the stream's shard.
	Shard Shard `json:"shard"`
}

const positionVersion = 1

type positionJSON struct {
	Version int `json:"version"`
	StreamPosition
}

// MarshalBinary encodes p (versioned JSON).
func (p StreamPosition) MarshalBinary() ([]byte, error) {
	return json.Marshal(positionJSON{Version: positionVersion, StreamPosition: p})
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (p *StreamPosition) UnmarshalBinary(b []byte) error {
	var v positionJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadPosition, err)
	}
	if v.Version != positionVersion {
		return fmt.Errorf("%w: version %d", ErrBadPosition, v.Version)
	}
	if v.Next < 1 || v.Shard.check() != nil {
		return fmt.Errorf("%w: snapshot %d, shard %d of %d", ErrBadPosition, v.Next, v.Shard.Index, v.Shard.Count)
	}
	*p = v.StreamPosition
	return nil
}
