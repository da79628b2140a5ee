package manifest

import (
	"fmt"
	"strings"
)

// Avro schemas written by Paimon 1.4 (one line, as Java's Schema.toString
// prints them).
const (
	statsFields = `"fields":[{"name":"_MIN_VALUES","type":"bytes"},{"name":"_MAX_VALUES","type":"bytes"},{"name":"_NULL_COUNTS","type":["null",{"type":"array","items":["null","long"]}],"default":null}]}`

	// ListSchema is the manifest-list (ManifestFileMeta) schema.
	ListSchema = `{"type":"record","name":"record","namespace":"org.apache.paimon.avro.generated","fields":[` +
		`{"name":"_VERSION","type":"int"},{"name":"_FILE_NAME","type":"string"},{"name":"_FILE_SIZE","type":"long"},` +
		`{"name":"_NUM_ADDED_FILES","type":"long"},{"name":"_NUM_DELETED_FILES","type":"long"},` +
		`{"name":"_PARTITION_STATS","type":{"type":"record","name":"record__PARTITION_STATS",` + statsFields + `},` +
		`{"name":"_SCHEMA_ID","type":"long"},` +
		`{"name":"_MIN_BUCKET","type":["null","int"],"default":null},{"name":"_MAX_BUCKET","type":["null","int"],"default":null},` +
		`{"name":"_MIN_LEVEL","type":["null","int"],"default":null},{"name":"_MAX_LEVEL","type":["null","int"],"default":null},` +
		`{"name":"_MIN_ROW_ID","type":["null","long"],"default":null},{"name":"_MAX_ROW_ID","type":["null","long"],"default":null}]}`

	// ManifestSchema is the manifest (ManifestEntry + DataFileMeta) schema.
	ManifestSchema = `{"type":"record","name":"record","namespace":"org.apache.paimon.avro.generated","fields":[` +
		`{"name":"_VERSION","type":"int"},{"name":"_KIND","type":"int"},{"name":"_PARTITION","type":"bytes"},` +
		`{"name":"_BUCKET","type":"int"},{"name":"_TOTAL_BUCKETS","type":"int"},` +
		`{"name":"_FILE","type":{"type":"record","name":"record__FILE","fields":[` +
		`{"name":"_FILE_NAME","type":"string"},{"name":"_FILE_SIZE","type":"long"},{"name":"_ROW_COUNT","type":"long"},` +
		`{"name":"_MIN_KEY","type":"bytes"},{"name":"_MAX_KEY","type":"bytes"},` +
		`{"name":"_KEY_STATS","type":{"type":"record","name":"record__FILE__KEY_STATS",` + statsFields + `},` +
		`{"name":"_VALUE_STATS","type":{"type":"record","name":"record__FILE__VALUE_STATS",` + statsFields + `},` +
		`{"name":"_MIN_SEQUENCE_NUMBER","type":"long"},{"name":"_MAX_SEQUENCE_NUMBER","type":"long"},` +
		`{"name":"_SCHEMA_ID","type":"long"},{"name":"_LEVEL","type":"int"},` +
		`{"name":"_EXTRA_FILES","type":{"type":"array","items":"string"}},` +
		`{"name":"_CREATION_TIME","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},` +
		`{"name":"_DELETE_ROW_COUNT","type":["null","long"],"default":null},` +
		`{"name":"_EMBEDDED_FILE_INDEX","type":["null","bytes"],"default":null},` +
		`{"name":"_FILE_SOURCE","type":["null","int"],"default":null},` +
		`{"name":"_VALUE_STATS_COLS","type":["null",{"type":"array","items":"string"}],"default":null},` +
		`{"name":"_EXTERNAL_PATH","type":["null","string"],"default":null},` +
		`{"name":"_FIRST_ROW_ID","type":["null","long"],"default":null},` +
		writeColsField + `]}}]}`

	// IndexManifestSchema is the index-manifest (IndexManifestEntry) schema.
	IndexManifestSchema = `{"type":"record","name":"record","namespace":"org.apache.paimon.avro.generated","fields":[` +
		`{"name":"_VERSION","type":"int"},{"name":"_KIND","type":"int"},{"name":"_PARTITION","type":"bytes"},` +
		`{"name":"_BUCKET","type":"int"},{"name":"_INDEX_TYPE","type":"string"},{"name":"_FILE_NAME","type":"string"},` +
		`{"name":"_FILE_SIZE","type":"long"},{"name":"_ROW_COUNT","type":"long"},` +
		`{"name":"_DELETIONS_VECTORS_RANGES","type":["null",{"type":"array","items":["null",{"type":"record",` +
		`"name":"record__DELETIONS_VECTORS_RANGES","fields":[{"name":"f0","type":"string"},{"name":"f1","type":"int"},` +
		`{"name":"f2","type":"int"},{"name":"_CARDINALITY","type":["null","long"],"default":null}]}]}],"default":null},` +
		`{"name":"_EXTERNAL_PATH","type":["null","string"],"default":null},` +
		`{"name":"_GLOBAL_INDEX","type":["null",{"type":"record","name":"record__GLOBAL_INDEX","fields":[` +
		`{"name":"_ROW_RANGE_START","type":"long"},{"name":"_ROW_RANGE_END","type":"long"},` +
		`{"name":"_INDEX_FIELD_ID","type":"int"},` +
		`{"name":"_EXTRA_FIELD_IDS","type":["null",{"type":"array","items":"int"}],"default":null},` +
		indexMetaField + `]}],"default":null}]}`

	writeColsField     = `{"name":"_WRITE_COLS","type":["null",{"type":"array","items":"string"}],"default":null}`
	writeColsSeqsField = `{"name":"_WRITE_COLS_SEQUENCES","type":["null",{"type":"array","items":"long"}],"default":null}`
	indexMetaField     = `{"name":"_INDEX_META","type":["null","bytes"],"default":null}`
	sourceMetaField    = `{"name":"_SOURCE_META","type":["null","bytes"],"default":null}`
)

func (w *writer) stats(s *SimpleStats) {
	w.bytes(nonNil(s.Min))
	w.bytes(nonNil(s.Max))
	if s.NullCounts == nil {
		w.null()
		return
	}
	w.branch()
	if len(s.NullCounts) > 0 {
		w.long(int64(len(s.NullCounts)))
		for _, c := range s.NullCounts {
			w.optLong(c)
		}
	}
	w.long(0)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// EncodeList encodes a manifest list in Paimon 1.4's layout.
func EncodeList(metas []FileMeta, opts EncodeOptions) ([]byte, error) {
	cw, err := newContainerWriter(ListSchema, opts)
	if err != nil {
		return nil, err
	}
	for i := range metas {
		m := &metas[i]
		w := &cw.block
		w.long(Version)
		w.str(m.FileName)
		w.long(m.FileSize)
		w.long(m.NumAddedFiles)
		w.long(m.NumDeletedFiles)
		w.stats(&m.PartitionStats)
		w.long(m.SchemaID)
		w.optInt(m.MinBucket)
		w.optInt(m.MaxBucket)
		w.optInt(m.MinLevel)
		w.optInt(m.MaxLevel)
		w.optLong(m.MinRowID)
		w.optLong(m.MaxRowID)
		if err := cw.endRecord(); err != nil {
			return nil, err
		}
	}
	return cw.finish()
}

// EncodeManifest encodes a manifest file in Paimon 1.4's layout. If any
// entry has WriteColsSequences, the 2.1 field _WRITE_COLS_SEQUENCES is
// appended to the file record (older readers ignore it).
func EncodeManifest(entries []Entry, opts EncodeOptions) ([]byte, error) {
	seqs := false
	for i := range entries {
		if entries[i].File.WriteColsSequences != nil {
			seqs = true
			break
		}
	}
	schema := ManifestSchema
	if seqs {
		schema = strings.Replace(schema, writeColsField, writeColsField+","+writeColsSeqsField, 1)
	}
	cw, err := newContainerWriter(schema, opts)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		e := &entries[i]
		if e.Kind != Add && e.Kind != Delete {
			return nil, fmt.Errorf("manifest: entry %d has kind %d", i, e.Kind)
		}
		w := &cw.block
		w.long(Version)
		w.long(int64(e.Kind))
		w.bytes(nonNil(e.Partition))
		w.long(int64(e.Bucket))
		w.long(int64(e.TotalBuckets))
		f := &e.File
		w.str(f.FileName)
		w.long(f.FileSize)
		w.long(f.RowCount)
		w.bytes(nonNil(f.MinKey))
		w.bytes(nonNil(f.MaxKey))
		w.stats(&f.KeyStats)
		w.stats(&f.ValueStats)
		w.long(f.MinSequenceNumber)
		w.long(f.MaxSequenceNumber)
		w.long(f.SchemaID)
		w.long(int64(f.Level))
		w.strings(f.ExtraFiles)
		w.optLong(f.CreationTime)
		w.optLong(f.DeleteRowCount)
		w.optBytes(f.EmbeddedIndex)
		w.optInt(f.FileSource)
		w.optStrings(f.ValueStatsCols)
		w.optString(f.ExternalPath)
		w.optLong(f.FirstRowID)
		w.optStrings(f.WriteCols)
		if seqs {
			if f.WriteColsSequences == nil {
				w.null()
			} else {
				w.branch()
				if len(f.WriteColsSequences) > 0 {
					w.long(int64(len(f.WriteColsSequences)))
					for _, v := range f.WriteColsSequences {
						w.long(v)
					}
				}
				w.long(0)
			}
		}
		if err := cw.endRecord(); err != nil {
			return nil, err
		}
	}
	return cw.finish()
}

// EncodeIndexManifest encodes an index manifest in Paimon 1.4's layout.
// If any global-index entry has SourceMeta, the 2.x field _SOURCE_META is
// appended to the _GLOBAL_INDEX record.
func EncodeIndexManifest(entries []IndexEntry, opts EncodeOptions) ([]byte, error) {
	src := false
	for i := range entries {
		if g := entries[i].GlobalIndex; g != nil && g.SourceMeta != nil {
			src = true
			break
		}
	}
	schema := IndexManifestSchema
	if src {
		schema = strings.Replace(schema, indexMetaField, indexMetaField+","+sourceMetaField, 1)
	}
	cw, err := newContainerWriter(schema, opts)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		e := &entries[i]
		if e.Kind != Add && e.Kind != Delete {
			return nil, fmt.Errorf("manifest: index entry %d has kind %d", i, e.Kind)
		}
		w := &cw.block
		w.long(IndexVersion)
		w.long(int64(e.Kind))
		w.bytes(nonNil(e.Partition))
		w.long(int64(e.Bucket))
		w.str(e.IndexType)
		w.str(e.FileName)
		w.long(e.FileSize)
		w.long(e.RowCount)
		if e.DVRanges == nil {
			w.null()
		} else {
			w.branch()
			if len(e.DVRanges) > 0 {
				w.long(int64(len(e.DVRanges)))
				for j := range e.DVRanges {
					r := &e.DVRanges[j]
					w.branch()
					w.str(r.DataFile)
					w.long(int64(r.Offset))
					w.long(int64(r.Length))
					w.optLong(r.Cardinality)
				}
			}
			w.long(0)
		}
		w.optString(e.ExternalPath)
		if g := e.GlobalIndex; g == nil {
			w.null()
		} else {
			w.branch()
			w.long(g.RowRangeStart)
			w.long(g.RowRangeEnd)
			w.long(int64(g.IndexFieldID))
			if g.ExtraFieldIDs == nil {
				w.null()
			} else {
				w.branch()
				if len(g.ExtraFieldIDs) > 0 {
					w.long(int64(len(g.ExtraFieldIDs)))
					for _, v := range g.ExtraFieldIDs {
						w.long(int64(v))
					}
				}
				w.long(0)
			}
			w.optBytes(g.IndexMeta)
			if src {
				w.optBytes(g.SourceMeta)
			}
		}
		if err := cw.endRecord(); err != nil {
			return nil, err
		}
	}
	return cw.finish()
}
