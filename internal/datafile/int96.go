package datafile

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
)

const julianEpochDay = 2440588 // Julian day of 1970-01-01

// int96Nanos decodes a Parquet INT96 timestamp as Java Paimon writes it:
// little-endian nanoseconds of the day (signed: Java's truncating division
// gives negative values before 1970) and a little-endian Julian day.
func int96Nanos(v parquet.Int96) int64 {
	nod := int64(binary.LittleEndian.Uint64(v[:8]))
	day := int64(int32(binary.LittleEndian.Uint32(v[8:])))
	return (day-julianEpochDay)*86_400_000_000_000 + nod
}

// readInt96Column reads a whole top-level INT96 leaf column as an Arrow
// timestamp(ns) array. pqarrow rejects the negative nanos-of-day Java
// writes for pre-1970 values, so these columns are read here.
func readInt96Column(mem memory.Allocator, pf *file.Reader, col int, nullable bool) (arrow.Array, error) {
	b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Nanosecond})
	defer b.Release()
	const batch = 1024
	vals := make([]parquet.Int96, batch)
	defs := make([]int16, batch)
	for rg := 0; rg < pf.NumRowGroups(); rg++ {
		cr, err := pf.RowGroup(rg).Column(col)
		if err != nil {
			return nil, err
		}
		r, ok := cr.(*file.Int96ColumnChunkReader)
		if !ok {
			cr.Close()
			return nil, fmt.Errorf("column %d is not INT96", col)
		}
		if err := readInt96Chunk(b, r, vals, defs, nullable, col); err != nil {
			r.Close()
			return nil, err
		}
		if err := r.Close(); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

func readInt96Chunk(b *array.TimestampBuilder, r *file.Int96ColumnChunkReader, vals []parquet.Int96, defs []int16, nullable bool, col int) error {
	const batch = 1024
	{
		for r.HasNext() {
			total, nv, err := r.ReadBatch(batch, vals, defs, nil)
			if err != nil {
				return err
			}
			if total == 0 {
				break
			}
			j := 0
			for i := 0; i < int(total); i++ {
				if nullable && defs[i] == 0 {
					b.AppendNull()
					continue
				}
				if j >= nv {
					return fmt.Errorf("column %d: INT96 levels and values disagree", col)
				}
				b.Append(arrow.Timestamp(int96Nanos(vals[j])))
				j++
			}
		}
	}
	return nil
}
