package datafile

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/hamba/avro/v2/ocf"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/schema"
)

// openAvro reads an Avro data file (read only): records are decoded
// generically, converted to binrow values of the file schema's types, built
// into Arrow arrays and then conformed to the read types.
func openAvro(ctx context.Context, o ReadOptions, out *arrow.Schema) (rr array.RecordReader, err error) {
	b, err := o.Store.Read(ctx, o.Path)
	if err != nil {
		return nil, fmt.Errorf("datafile: read %s: %w", o.Path, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(o.Path, fmt.Errorf("%v", r))
			rr = nil
		}
	}()
	dec, err := ocf.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return nil, corrupt(o.Path, err)
	}
	type acol struct {
		name     string // Avro field name; "" reads null
		from, to schema.DataType
	}
	var cols []acol
	if o.KV {
		cols = append(cols, acol{kv.SequenceNumber, schema.NewBigInt().WithNotNull(true), schema.NewBigInt().WithNotNull(true)},
			acol{kv.ValueKind, schema.NewTinyInt().WithNotNull(true), schema.NewTinyInt().WithNotNull(true)})
	}
	for _, f := range o.ReadFields {
		ff, ok := fileField(o, f)
		c := acol{from: ff.Type, to: f.Type}
		if ok {
			c.name = ff.Name
		} else {
			c.from = f.Type
		}
		cols = append(cols, c)
	}
	var row int64
	next := func() (rec arrow.RecordBatch, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = corrupt(o.Path, fmt.Errorf("%v", r))
				rec = nil
			}
		}()
		builders := make([]array.Builder, len(cols))
		for i, c := range cols {
			at, err := schema.ToArrow(c.from)
			if err != nil {
				return nil, err
			}
			builders[i] = array.NewBuilder(o.Alloc, at)
		}
		defer func() {
			for _, b := range builders {
				b.Release()
			}
		}()
		n := 0
		for n < o.BatchSize && dec.HasNext() {
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				return nil, corrupt(o.Path, err)
			}
			for i, c := range cols {
				var v any
				if c.name != "" {
					v, err = fromAvro(c.from, m[c.name])
					if err != nil {
						return nil, corrupt(o.Path, fmt.Errorf("field %s: %w", c.name, err))
					}
				}
				if err := binrow.AppendArrow(builders[i], c.from, v); err != nil {
					return nil, corrupt(o.Path, fmt.Errorf("field %s: %w", c.name, err))
				}
			}
			n++
		}
		if err := dec.Error(); err != nil {
			return nil, corrupt(o.Path, err)
		}
		if n == 0 {
			return nil, nil
		}
		arrs := make([]arrow.Array, len(cols))
		defer func() {
			for _, a := range arrs {
				if a != nil {
					a.Release()
				}
			}
		}()
		for i, c := range cols {
			raw := builders[i].NewArray()
			a, err := conform(ctx, o.Alloc, raw, c.from, c.to)
			raw.Release()
			if err != nil {
				return nil, castFailure(err, o.Path, out.Field(i).Name, row)
			}
			arrs[i] = a
		}
		rec = array.NewRecordBatch(out, arrs, int64(n))
		start := row
		row += int64(n)
		if o.Deletes != nil {
			return applyDeletes(ctx, o, rec, start)
		}
		return rec, nil
	}
	return newRecordReader(out, next, nil), nil
}

// fromAvro converts a generically decoded Avro value to binrow's Go value
// for t.
func fromAvro(t schema.DataType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 && t.Kind != schema.Row && t.Kind != schema.Map {
		// A union resolved to {"type": value}.
		for _, x := range m {
			return fromAvro(t, x)
		}
	}
	bad := func() (any, error) { return nil, fmt.Errorf("Avro %T for %s", v, t) }
	switch t.Kind {
	case schema.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case schema.TinyInt, schema.SmallInt, schema.Int, schema.BigInt:
		var x int64
		switch n := v.(type) {
		case int:
			x = int64(n)
		case int32:
			x = int64(n)
		case int64:
			x = n
		default:
			return bad()
		}
		switch t.Kind {
		case schema.TinyInt:
			return int8(x), nil
		case schema.SmallInt:
			return int16(x), nil
		case schema.Int:
			return int32(x), nil
		}
		return x, nil
	case schema.Float:
		if f, ok := v.(float32); ok {
			return f, nil
		}
	case schema.Double:
		if f, ok := v.(float64); ok {
			return f, nil
		}
	case schema.Char, schema.VarChar:
		switch s := v.(type) {
		case string:
			return s, nil
		case []byte:
			return string(s), nil
		}
	case schema.Binary, schema.VarBinary, schema.Blob, schema.Variant:
		switch s := v.(type) {
		case []byte:
			return s, nil
		case string:
			return []byte(s), nil
		}
	case schema.Date:
		switch d := v.(type) {
		case time.Time:
			return int32(floorDiv(d.Unix(), 86400)), nil
		case int:
			return int32(d), nil
		case int32:
			return d, nil
		}
	case schema.Time:
		switch d := v.(type) {
		case time.Duration:
			return int32(d.Milliseconds()), nil
		case int:
			return int32(d), nil
		case int32:
			return d, nil
		case int64:
			return int32(d / 1000), nil
		}
	case schema.Timestamp, schema.TimestampLTZ:
		switch d := v.(type) {
		case time.Time:
			ns := d.UnixNano()
			if d.Year() < 1678 || d.Year() > 2261 {
				ms := d.UnixMilli()
				return binrow.Timestamp{Millis: ms, NanoOfMilli: int32(d.Nanosecond() % 1_000_000)}, nil
			}
			return binrow.TimestampFromNanos(ns), nil
		case int64:
			if t.Precision <= 3 {
				return binrow.Timestamp{Millis: d}, nil
			}
			return binrow.TimestampFromArrow(d, arrow.Microsecond), nil
		}
	case schema.Decimal:
		switch d := v.(type) {
		case *big.Rat:
			num := new(big.Int).Mul(d.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Scale)), nil))
			num.Quo(num, d.Denom())
			return binrow.NewDecimalBig(num, t.Precision, t.Scale), nil
		case []byte:
			return binrow.NewDecimalBig(twosComplement(d), t.Precision, t.Scale), nil
		}
	case schema.Array:
		a, ok := v.([]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(a))
		for i, e := range a {
			x, err := fromAvro(*t.Elem, e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case schema.Map, schema.Multiset:
		kt, vt := t.Key, t.Value
		if t.Kind == schema.Multiset {
			kt = t.Elem
			it := schema.NewInt()
			vt = &it
		}
		var m binrow.Map
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				kv, err := fromAvro(*kt, k)
				if err != nil {
					return nil, err
				}
				vv, err := fromAvro(*vt, e)
				if err != nil {
					return nil, err
				}
				m.Keys = append(m.Keys, kv)
				m.Values = append(m.Values, vv)
			}
		case []any:
			for _, e := range x {
				r, ok := e.(map[string]any)
				if !ok {
					return bad()
				}
				kv, err := fromAvro(*kt, r["key"])
				if err != nil {
					return nil, err
				}
				vv, err := fromAvro(*vt, r["value"])
				if err != nil {
					return nil, err
				}
				m.Keys = append(m.Keys, kv)
				m.Values = append(m.Values, vv)
			}
		default:
			return bad()
		}
		return m, nil
	case schema.Row:
		r, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(t.Fields))
		for i, f := range t.Fields {
			x, err := fromAvro(f.Type, r[f.Name])
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return bad()
}

func twosComplement(b []byte) *big.Int {
	x := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
	}
	return x
}
