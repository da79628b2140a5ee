package table

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// ErrUnsupported reports a table layout or option the writer does not
// handle yet (cross-partition upsert, postpone buckets, hive bucket
// function, …).
var ErrUnsupported = errors.New("table: unsupported")

// bucketMode is how rows of a table find their bucket (paimon-format.md
// §7.1).
type bucketMode int

const (
	bucketFixed   bucketMode = iota // hash of the bucket key mod N
	bucketDynamic                   // key hash → bucket, kept in HASH index files
	bucketUnaware                   // append table, bucket -1: everything in bucket 0
)

func (m bucketMode) String() string {
	switch m {
	case bucketFixed:
		return "fixed"
	case bucketDynamic:
		return "dynamic"
	case bucketUnaware:
		return "unaware"
	}
	return "bucketMode(" + strconv.Itoa(int(m)) + ")"
}

// tableBucketMode returns the bucket mode of a table, or an error for the
// modes the writer does not support.
func tableBucketMode(s *schema.Table, cfg *Config) (bucketMode, error) {
	hasPK := len(s.PrimaryKeys) > 0
	switch {
	case cfg.Bucket > 0:
		if cfg.BucketFunction == BucketFunctionHive {
			return 0, fmt.Errorf("%w: bucket-function.type=hive", ErrUnsupported)
		}
		if !hasPK && len(cfg.BucketKey) == 0 {
			return 0, &OptionError{Key: "bucket", Value: strconv.Itoa(cfg.Bucket), Reason: "an append table with fixed buckets needs bucket-key"}
		}
		return bucketFixed, nil
	case cfg.Bucket == -2:
		return 0, fmt.Errorf("%w: postpone bucket mode (bucket = -2)", ErrUnsupported)
	case !hasPK:
		return bucketUnaware, nil
	case s.CrossPartitionUpdate():
		return 0, fmt.Errorf("%w: cross-partition upsert (dynamic bucket with a primary key %v that does not contain every partition key %v)",
			ErrUnsupported, s.PrimaryKeys, s.PartitionKeys)
	default:
		return bucketDynamic, nil
	}
}

// rowEncoder builds BinaryRows of a projection of a record's columns.
type rowEncoder struct {
	idx   []int // columns of the value record, in row field order
	types []schema.DataType
	w     *binrow.Writer
}

func newRowEncoder(s *schema.Table, names []string) (*rowEncoder, error) {
	e := &rowEncoder{w: binrow.NewWriter(len(names))}
	for _, n := range names {
		i := s.FieldIndex(n)
		if i < 0 {
			return nil, fmt.Errorf("%w: column %q does not exist", ErrInvalidSpec, n)
		}
		e.idx = append(e.idx, i)
		e.types = append(e.types, s.Fields[i].Type)
	}
	return e, nil
}

// encode returns the BinaryRow of row j; it is valid until the next call.
func (e *rowEncoder) encode(cols []arrow.Array, j int) ([]byte, error) {
	e.w.Reset(len(e.idx))
	for f, i := range e.idx {
		if err := e.w.SetArrow(f, e.types[f], cols[i], j); err != nil {
			return nil, err
		}
	}
	return e.w.Bytes(), nil
}

// router computes each row's partition row and bucket.
type router struct {
	mode       bucketMode
	numBuckets int
	modFn      bool // bucket-function.type = mod

	part   *rowEncoder // nil for an unpartitioned table
	bucket *rowEncoder // the bucket key (fixed mode)
	key    *rowEncoder // the trimmed primary key (dynamic mode)
}

func newRouter(s *schema.Table, cfg *Config) (*router, error) {
	mode, err := tableBucketMode(s, cfg)
	if err != nil {
		return nil, err
	}
	r := &router{mode: mode, numBuckets: cfg.Bucket}
	if len(s.PartitionKeys) > 0 {
		if r.part, err = newRowEncoder(s, s.PartitionKeys); err != nil {
			return nil, err
		}
	}
	switch mode {
	case bucketFixed:
		if r.bucket, err = newRowEncoder(s, s.BucketKeys()); err != nil {
			return nil, err
		}
		if cfg.BucketFunction == BucketFunctionMod {
			if len(r.bucket.types) != 1 || (r.bucket.types[0].Kind != schema.Int && r.bucket.types[0].Kind != schema.BigInt) {
				return nil, &OptionError{Key: "bucket-function.type", Value: "mod", Reason: "needs a single INT or BIGINT bucket key"}
			}
			r.modFn = true
		}
	case bucketDynamic:
		if r.key, err = newRowEncoder(s, s.TrimmedPrimaryKeys()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// partition returns the partition BinaryRow of row j (valid until the
// next call), or nil for an unpartitioned table.
func (r *router) partition(cols []arrow.Array, j int) ([]byte, error) {
	if r.part == nil {
		return nil, nil
	}
	return r.part.encode(cols, j)
}

// fixedBucket returns the bucket of row j in fixed mode.
func (r *router) fixedBucket(cols []arrow.Array, j int) (int32, error) {
	if r.modFn {
		c := cols[r.bucket.idx[0]]
		var v int64
		if c.IsValid(j) {
			switch a := c.(type) {
			case *array.Int32:
				v = int64(a.Value(j))
			case *array.Int64:
				v = a.Value(j)
			}
		}
		return int32(binrow.ModBucket(v, r.numBuckets)), nil
	}
	row, err := r.bucket.encode(cols, j)
	if err != nil {
		return 0, err
	}
	return int32(binrow.Bucket(binrow.Hash(row), r.numBuckets)), nil
}

// keyHash returns the hash of row j's trimmed primary key (dynamic mode).
func (r *router) keyHash(cols []arrow.Array, j int) (int32, error) {
	row, err := r.key.encode(cols, j)
	if err != nil {
		return 0, err
	}
	return binrow.Hash(row), nil
}
