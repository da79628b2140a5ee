package datafile

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

// TestStringStatsCutMatchesFullCopy checks that keeping at most
// maxStatsSize bytes of the min and max gives the footer statistics a full
// copy gives, for strings around that size that share long prefixes.
func TestStringStatsCutMatchesFullCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := strings.Repeat("m", maxStatsSize-3)
	gen := func() string {
		switch rng.IntN(4) {
		case 0:
			return string(rune('a' + rng.IntN(26)))
		case 1:
			return base[:rng.IntN(len(base))]
		}
		var b strings.Builder
		b.WriteString(base)
		for range rng.IntN(8) {
			b.WriteByte(byte('l' + rng.IntN(3)))
		}
		return b.String()
	}
	for trial := range 2000 {
		n := 1 + rng.IntN(6)
		vals := make([]string, n)
		for i := range vals {
			vals[i] = gen()
		}
		bld := array.NewStringBuilder(memory.DefaultAllocator)
		bld.AppendValues(vals, nil)
		arr := bld.NewArray()
		c := newColStats(schema.NewString())
		// Feed the values in two batches to cover updates across arrays.
		cut := rng.IntN(n + 1)
		c.update(array.NewSlice(arr, 0, int64(cut)))
		c.update(array.NewSlice(arr, int64(cut), int64(n)))
		arr.Release()
		bld.Release()

		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
		var wantLo, wantHi any
		if len(lo)+len(hi) < maxStatsSize {
			wantLo, wantHi = lo, hi
		}
		gotLo, gotHi := c.minMax()
		if gotLo != wantLo || gotHi != wantHi {
			t.Fatalf("trial %d: values of lengths %v: got (%v, %v), want (%v, %v)", trial, lens(vals), short(gotLo), short(gotHi), short(wantLo), short(wantHi))
		}
		if len(c.bmin) > maxStatsSize || len(c.bmax) > maxStatsSize {
			t.Fatalf("trial %d: kept %d and %d bytes", trial, len(c.bmin), len(c.bmax))
		}
	}
}

func lens(vs []string) []int {
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = len(v)
	}
	return out
}

func short(v any) any {
	if s, ok := v.(string); ok && len(s) > 12 {
		return s[:6] + "…" + s[len(s)-6:]
	}
	return v
}
