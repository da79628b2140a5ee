package merge

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/schema"
)

// ErrValue reports an aggregate input that is not a valid value for its
// function (a VARBINARY that is not a serialized bitmap or sketch).
var ErrValue = errors.New("merge: invalid aggregate value")

// binaryAcc is the frame of the functions over VARBINARY values that
// combine two non-null values into new bytes (rbm32, rbm64, hll_sketch,
// theta_sketch): a null side yields the other unchanged.
type binaryAcc struct {
	name  string
	union func(acc, in []byte) ([]byte, error)

	valid bool
	v     []byte
	buf   []byte
}

func makeVarBinary(name string, union func(acc, in []byte) ([]byte, error)) func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) {
	return func(t schema.DataType, at arrow.DataType, _ string, _ FieldOptions) (accumulator, error) {
		if t.Kind != schema.VarBinary || at.ID() != arrow.BINARY {
			return nil, fmt.Errorf("data type for %s column must be VARBINARY but was %s", name, t)
		}
		return &binaryAcc{name: name, union: union}, nil
	}
}

func (a *binaryAcc) reset() { a.valid, a.v = false, nil }

func (a *binaryAcc) set(c cell) {
	a.valid = !c.null()
	a.v = nil
	if a.valid {
		a.v = c.arr.(*array.Binary).Value(c.row)
	}
}

func (a *binaryAcc) combine(c cell, reversed bool) error {
	switch {
	case c.null():
		return nil
	case !a.valid:
		a.set(c)
		return nil
	}
	x, y := a.v, c.arr.(*array.Binary).Value(c.row)
	if reversed {
		x, y = y, x
	}
	r, err := a.union(x, y)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrValue, a.name, err)
	}
	a.v = r
	return nil
}

func (a *binaryAcc) agg(c cell) error         { return a.combine(c, false) }
func (a *binaryAcc) aggReversed(c cell) error { return a.combine(c, true) }
func (a *binaryAcc) retract(cell) error       { return nil }

func (a *binaryAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
	} else {
		b.(*array.BinaryBuilder).Append(a.v)
	}
	return nil
}

var makeBitmap32 = makeVarBinary("rbm32", unionBitmap32)

// unionBitmap32 is rbm32: the union of two RoaringBitmaps in the portable
// serialization Java's RoaringBitmap reads and writes, run-optimised
// before writing as Paimon's RoaringBitmap32.serialize does.
func unionBitmap32(x, y []byte) ([]byte, error) {
	bx, err := readBitmap32(x)
	if err != nil {
		return nil, err
	}
	by, err := readBitmap32(y)
	if err != nil {
		return nil, err
	}
	bx.Or(by)
	bx.RunOptimize()
	var out bytes.Buffer
	if _, err := bx.WriteTo(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// readBitmap32 reads a portable RoaringBitmap (bytes after it are
// ignored, as Java does).
func readBitmap32(b []byte) (r *roaring.Bitmap, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("not a serialized roaring bitmap: %v", p)
		}
	}()
	r = roaring.New()
	if _, err := r.ReadFrom(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("not a serialized roaring bitmap: %w", err)
	}
	return r, nil
}
