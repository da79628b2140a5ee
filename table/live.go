package table

import (
	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

// partitionStatsFilter returns a manifest filter for manifest.FileSetOptions:
// false when a manifest's partition statistics rule out every one of parts
// (serialized partition rows of types). It errs towards reading: a row or
// statistics that do not decode, unknown bounds and FLOAT or DOUBLE
// columns (NaN and -0.0 order differently in statistics) never rule a
// manifest out. With no partition columns it returns nil (no pruning).
func partitionStatsFilter(types []schema.DataType, parts [][]byte) func(*manifest.FileMeta) bool {
	if len(types) == 0 {
		return nil
	}
	nullable := make([]schema.DataType, len(types))
	for i, t := range types {
		nullable[i] = t.Nullable()
	}
	types = nullable
	vals := make([][]any, 0, len(parts))
	for _, p := range parts {
		v, err := decodeSerialized(types, p)
		if err != nil {
			return nil
		}
		vals = append(vals, v)
	}
	return func(m *manifest.FileMeta) bool {
		ss := m.PartitionStats
		mins, err1 := decodeSerialized(types, ss.Min)
		maxs, err2 := decodeSerialized(types, ss.Max)
		if err1 != nil || err2 != nil {
			return true
		}
		for _, v := range vals {
			if statsMayHold(types, mins, maxs, ss.NullCounts, v) {
				return true
			}
		}
		return false
	}
}

// statsMayHold reports whether a row of values may lie within per-column
// bounds [mins, maxs] with the given null counts.
func statsMayHold(types []schema.DataType, mins, maxs []any, nulls []*int64, vals []any) bool {
	for i, v := range vals {
		if v == nil {
			if i < len(nulls) && nulls[i] != nil && *nulls[i] == 0 {
				return false
			}
			continue
		}
		if k := types[i].Kind; k == schema.Float || k == schema.Double {
			continue
		}
		if mins[i] != nil && binrow.CompareValues(types[i], v, mins[i]) < 0 {
			return false
		}
		if maxs[i] != nil && binrow.CompareValues(types[i], v, maxs[i]) > 0 {
			return false
		}
	}
	return true
}
