package merge

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

// javaVector is one line of testdata/agg/java-1.4.2.tsv: Java Paimon's
// agg(acc, in) of one VARBINARY aggregate function.
type javaVector struct {
	fn, name     string
	acc, in, out []byte
}

func readJavaVectors(t *testing.T) []javaVector { return readJavaVectorsTB(t) }

func readJavaVectorsTB(t testing.TB) []javaVector {
	t.Helper()
	f, err := os.Open("testdata/agg/java-1.4.2.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []javaVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 5 {
			t.Fatalf("bad line %q", sc.Text())
		}
		v := javaVector{fn: p[0], name: p[1]}
		for i, dst := range []*[]byte{&v.acc, &v.in, &v.out} {
			if *dst, err = hex.DecodeString(p[2+i]); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func binaryCells(vals ...[]byte) arrow.Array {
	b := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return b.NewArray()
}

// runBinary folds cells with fn (agg, or aggReversed for reversed) and
// returns the result (nil for null).
func runBinary(t *testing.T, fn string, reversed bool, vals ...[]byte) ([]byte, error) {
	t.Helper()
	acc, err := aggFuncs[fn].make(schema.NewVarBinary(schema.MaxLength), arrow.BinaryTypes.Binary, "c", FieldOptions{})
	if err != nil {
		t.Fatal(err)
	}
	arr := binaryCells(vals...)
	defer arr.Release()
	acc.reset()
	acc.set(cell{arr: arr, row: 0})
	for i := 1; i < len(vals); i++ {
		c := cell{arr: arr, row: i}
		if reversed {
			err = acc.aggReversed(c)
		} else {
			err = acc.agg(c)
		}
		if err != nil {
			return nil, err
		}
	}
	b := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
	defer b.Release()
	if err := acc.(valueAccumulator).appendTo(b); err != nil {
		t.Fatal(err)
	}
	res := b.NewBinaryArray()
	defer res.Release()
	if res.IsNull(0) {
		return nil, nil
	}
	return bytes.Clone(res.Value(0)), nil
}

// TestBinaryAggJava checks floe's union of Java-serialized bitmaps and
// sketches against the bytes Java Paimon 1.4.2 produced from the same
// inputs.
func TestBinaryAggJava(t *testing.T) {
	vs := readJavaVectors(t)
	seen := map[string]int{}
	for _, v := range vs {
		if !binaryImplemented[v.fn] {
			continue // TestBinaryAggUnsupported holds them to ErrUnsupported
		}
		seen[v.fn]++
		t.Run(v.fn+"/"+v.name, func(t *testing.T) {
			got, err := runBinary(t, v.fn, false, v.acc, v.in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, v.out) {
				t.Errorf("agg:\n got %x\nwant %x", got, v.out)
			}
		})
	}
	for fn := range binaryImplemented {
		if seen[fn] == 0 {
			t.Errorf("no %s vectors", fn)
		}
	}
}

// binaryImplemented are the VARBINARY functions with Java vectors.
var binaryImplemented = map[string]bool{"rbm32": true, "rbm64": true, "theta_sketch": true, "hll_sketch": true}

func TestBinaryAggNulls(t *testing.T) {
	x := []byte{0x3a, 0x30, 0, 0, 0, 0, 0, 0}
	for _, reversed := range []bool{false, true} {
		for _, tc := range []struct {
			in   [][]byte
			want []byte
		}{
			{[][]byte{nil, nil}, nil},
			{[][]byte{nil, x}, x},
			{[][]byte{x, nil}, x},
		} {
			got, err := runBinary(t, "rbm32", reversed, tc.in...)
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Errorf("rbm32 reversed=%v %x: %x, %v", reversed, tc.in, got, err)
			}
		}
	}
}

func TestBinaryAggCorrupt(t *testing.T) {
	for _, bad := range [][]byte{{1, 2, 3}, {0x3b, 0x30, 9, 9, 9, 9, 9, 9, 9, 9}} {
		_, err := runBinary(t, "rbm32", false, []byte{0x3a, 0x30, 0, 0, 0, 0, 0, 0}, bad)
		if !errors.Is(err, ErrValue) {
			t.Errorf("rbm32 over %x: %v, want ErrValue", bad, err)
		}
	}
}
