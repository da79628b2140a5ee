package datafile

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Dictionary encoding is decided per column and file from a sample of the
// file's first record. A column whose sampled values are nearly all
// distinct (random identifiers, hashes, measurements) would fill the
// dictionary page limit and fall back to plain encoding anyway, after
// hashing every value written until then; such a column is written plain
// from the start. Readers see standard PLAIN pages either way.
const (
	dictSample    = 4096 // values sampled per column
	dictMinSample = 256  // below this, keep the dictionary
	// dictMaxDistinct is the share of distinct sampled values (in
	// thousandths) above which a column goes plain: with 4096 samples,
	// columns of more than about 40,000 uniformly drawn values.
	dictMaxDistinct = 900
)

// wantDictionary reports whether column arr should be dictionary encoded,
// judging from up to dictSample of its values taken evenly across it.
func wantDictionary(arr arrow.Array) bool {
	n := arr.Len()
	if n-arr.NullN() < dictMinSample {
		return true
	}
	var value func(i int) string
	switch a := arr.(type) {
	case *array.String:
		value = a.Value
	case *array.Binary:
		value = func(i int) string { return unsafeString(a.Value(i)) }
	case *array.LargeString:
		value = a.Value
	case *array.FixedSizeBinary:
		value = func(i int) string { return unsafeString(a.Value(i)) }
	case *array.Boolean:
		return true // never dictionary encoded
	default:
		fw, ok := arr.DataType().(arrow.FixedWidthDataType)
		if !ok || fw.BitWidth() < 8 || len(arr.Data().Buffers()) < 2 || arr.Data().Buffers()[1] == nil {
			return true
		}
		w := fw.BitWidth() / 8
		buf := arr.Data().Buffers()[1].Bytes()
		off := arr.Data().Offset()
		value = func(i int) string {
			k := (off + i) * w
			return unsafeString(buf[k : k+w])
		}
	}
	step := max(1, n/dictSample)
	seen := make(map[string]struct{}, min(n, dictSample))
	valid := 0
	for i := 0; i < n && valid < dictSample; i += step {
		if arr.IsNull(i) {
			continue
		}
		valid++
		seen[value(i)] = struct{}{}
	}
	if valid < dictMinSample {
		return true
	}
	return len(seen)*1000 <= valid*dictMaxDistinct
}

// unsafeString views b as a string; b must not change while it is used.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
