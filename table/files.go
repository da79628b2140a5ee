package table

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// File is one live data file of a snapshot, with its BinaryRow fields
// decoded.
type File struct {
	// Path is the file's location relative to the table root
	// (<partition path>/bucket-<N>/<name>), or its external path.
	Path          string `json:"path"`
	Name          string `json:"name"`
	Partition     []any  `json:"partition"`
	PartitionPath string `json:"partitionPath"`
	Bucket        int32  `json:"bucket"`
	TotalBuckets  int32  `json:"totalBuckets"`
	Level         int32  `json:"level"`
	RowCount      int64  `json:"rowCount"`
	// DeleteRowCount is the number of -U/-D rows; nil for old files.
	DeleteRowCount *int64 `json:"deleteRowCount"`
	// MinKey and MaxKey are the first and last trimmed primary keys; nil
	// for append tables.
	MinKey      []any  `json:"minKey"`
	MaxKey      []any  `json:"maxKey"`
	MinSequence int64  `json:"minSequence"`
	MaxSequence int64  `json:"maxSequence"`
	Size        int64  `json:"size"`
	SchemaID    int64  `json:"schemaId"`
	Source      string `json:"source,omitempty"` // APPEND, COMPACT or empty (old files)
	// CreationTime is the writer's local wall clock (Paimon stores it as if
	// it were UTC); nil for old files.
	CreationTime *time.Time `json:"creationTime,omitempty"`

	Entry manifest.Entry `json:"-"`
}

// Files returns the live data files of snapshot id (0 means the latest),
// in manifest order.
func (t *Table) Files(ctx context.Context, id int64) ([]File, *snapshot.Snapshot, error) {
	snap, err := t.Snapshot(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	live, err := manifest.LoadFileSet(ctx, t.store, []string{snap.BaseManifestList, snap.DeltaManifestList}, manifest.FileSetOptions{Cache: ManifestCache()})
	if err != nil {
		return nil, snap, err
	}
	entries := live.Entries()
	out := make([]File, 0, len(entries))
	d := describer{t: t, parts: map[string]partitionInfo{}, keys: map[int64][]schema.DataType{}}
	for i := range entries {
		f, err := d.describe(ctx, &entries[i])
		if err != nil {
			return nil, snap, err
		}
		out = append(out, f)
	}
	return out, snap, nil
}

// describer describes the files of one listing, decoding each partition
// and looking up each schema's key types once.
type describer struct {
	t     *Table
	parts map[string]partitionInfo
	keys  map[int64][]schema.DataType
}

type partitionInfo struct {
	values []any
	path   string
	err    error
}

func (d *describer) partition(b []byte) partitionInfo {
	if p, ok := d.parts[string(b)]; ok {
		return p
	}
	var p partitionInfo
	if p.values, p.err = d.t.DecodePartition(b); p.err != nil {
		p.err = fmt.Errorf("partition: %w", p.err)
	} else {
		p.path, p.err = d.t.partitionPathOf(p.values)
	}
	d.parts[string(b)] = p
	return p
}

func (d *describer) keyTypes(ctx context.Context, schemaID int64) ([]schema.DataType, error) {
	if k, ok := d.keys[schemaID]; ok {
		return k, nil
	}
	k, err := d.t.KeyTypes(ctx, schemaID)
	if err != nil {
		return nil, err
	}
	d.keys[schemaID] = k
	return k, nil
}

// PartitionTypes returns the types of the partition columns.
func (t *Table) partitionTypes() []schema.DataType {
	fields := t.latest.PartitionFields()
	types := make([]schema.DataType, len(fields))
	for i, f := range fields {
		types[i] = f.Type
	}
	return types
}

// DecodePartition decodes a serialized partition row.
func (t *Table) DecodePartition(b []byte) ([]any, error) {
	return decodeSerialized(t.partitionTypes(), b)
}

// PartitionPath returns the directory of a partition (ending in "/", or ""
// for an unpartitioned table) from its serialized row, as Java computes it.
func (t *Table) PartitionPath(b []byte) (string, error) {
	vals, err := t.DecodePartition(b)
	if err != nil {
		return "", err
	}
	return t.partitionPathOf(vals)
}

func (t *Table) partitionPathOf(vals []any) (string, error) {
	fields := t.latest.PartitionFields()
	if len(fields) == 0 {
		return "", nil
	}
	return binrow.PartitionPath(fields, vals, t.cfg.PartitionDefaultName, t.cfg.PartitionLegacyName)
}

// BucketPath returns the directory holding a partition's bucket.
func (t *Table) BucketPath(partition []byte, bucket int32) (string, error) {
	p, err := t.PartitionPath(partition)
	if err != nil {
		return "", err
	}
	if bucket == -2 {
		return p + "bucket-postpone", nil
	}
	return p + "bucket-" + strconv.Itoa(int(bucket)), nil
}

// KeyTypes returns the trimmed primary key types of schema id (nil for
// append tables).
func (t *Table) KeyTypes(ctx context.Context, schemaID int64) ([]schema.DataType, error) {
	s, err := t.SchemaByID(ctx, schemaID)
	if err != nil {
		return nil, err
	}
	if len(s.PrimaryKeys) == 0 {
		return nil, nil
	}
	fields := s.TrimmedPrimaryKeyFields()
	types := make([]schema.DataType, len(fields))
	for i, f := range fields {
		types[i] = f.Type
	}
	return types, nil
}

func (dsc *describer) describe(ctx context.Context, e *manifest.Entry) (File, error) {
	d := &e.File
	f := File{
		Name:           d.FileName,
		Bucket:         e.Bucket,
		TotalBuckets:   e.TotalBuckets,
		Level:          d.Level,
		RowCount:       d.RowCount,
		DeleteRowCount: d.DeleteRowCount,
		MinSequence:    d.MinSequenceNumber,
		MaxSequence:    d.MaxSequenceNumber,
		Size:           d.FileSize,
		SchemaID:       d.SchemaID,
		Entry:          *e,
	}
	part := dsc.partition(e.Partition)
	if part.err != nil {
		return f, fmt.Errorf("file %s: %w", d.FileName, part.err)
	}
	// Each File gets its own copy of the values (callers may modify them).
	f.Partition, f.PartitionPath = slices.Clone(part.values), part.path
	dir := f.PartitionPath + "bucket-" + strconv.Itoa(int(e.Bucket))
	if e.Bucket == -2 {
		dir = f.PartitionPath + "bucket-postpone"
	}
	f.Path = dir + "/" + d.FileName
	if d.ExternalPath != nil {
		f.Path = *d.ExternalPath
	}
	keyTypes, err := dsc.keyTypes(ctx, d.SchemaID)
	if err != nil {
		return f, err
	}
	if keyTypes != nil {
		if f.MinKey, err = decodeSerialized(keyTypes, d.MinKey); err != nil {
			return f, fmt.Errorf("file %s: min key: %w", d.FileName, err)
		}
		if f.MaxKey, err = decodeSerialized(keyTypes, d.MaxKey); err != nil {
			return f, fmt.Errorf("file %s: max key: %w", d.FileName, err)
		}
	}
	if d.FileSource != nil {
		switch *d.FileSource {
		case manifest.FileSourceAppend:
			f.Source = "APPEND"
		case manifest.FileSourceCompact:
			f.Source = "COMPACT"
		}
	}
	if d.CreationTime != nil {
		ct := time.UnixMilli(*d.CreationTime).UTC()
		f.CreationTime = &ct
	}
	return f, nil
}

// decodeSerialized decodes Avro-serialized BinaryRow bytes (BE arity prefix).
func decodeSerialized(types []schema.DataType, b []byte) ([]any, error) {
	arity, raw, err := binrow.Deserialize(b)
	if err != nil {
		return nil, err
	}
	if arity != len(types) {
		return nil, fmt.Errorf("%w: row arity %d, want %d", binrow.ErrCorrupt, arity, len(types))
	}
	return binrow.Decode(types, raw)
}
