package binrow

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/schema"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWorkedExample(t *testing.T) {
	types := []schema.DataType{schema.NewInt(), schema.NewString(), schema.NewString()}
	raw, err := Encode(types, []any{int32(7), "abc", "a longer string"})
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `0000000000000000 0700000000000000 6162630000000083 0f00000020000000
		61206c6f6e676572 20737472696e6700`)
	if !bytes.Equal(raw, want) {
		t.Fatalf("bytes\n got %x\nwant %x", raw, want)
	}
	ser := Serialize(3, raw)
	if got := hex.EncodeToString(ser); got != "00000003"+hex.EncodeToString(want) || len(ser) != 52 {
		t.Fatalf("serialized %s", got)
	}
	h := Hash(raw)
	if h != -807005253 || uint32(h) != 0xCFE613BB {
		t.Fatalf("hash %d", h)
	}
	for n, b := range map[int]int{2: 1, 3: 0, 4: 1, 5: 3, 8: 5, 10: 3, 16: 5, 128: 69} {
		if got := Bucket(h, n); got != b {
			t.Errorf("bucket(%d) = %d, want %d", n, got, b)
		}
	}
	vals, err := Decode(types, raw)
	if err != nil || !reflect.DeepEqual(vals, []any{int32(7), "abc", "a longer string"}) {
		t.Fatalf("decode %v %v", vals, err)
	}

	raw, err = Encode(types, []any{nil, "abc", nil})
	if err != nil {
		t.Fatal(err)
	}
	want = unhex(t, "0005000000000000 0000000000000000 6162630000000083 0000000000000000")
	if !bytes.Equal(raw, want) {
		t.Fatalf("null bytes\n got %x\nwant %x", raw, want)
	}
}

func TestSingleIntHash(t *testing.T) {
	for _, c := range []struct {
		v      int32
		hash   int32
		bucket int
	}{{0, -300363099, 1}, {1, 1465514398, 0}} {
		w := NewWriter(1)
		w.SetInt32(0, c.v)
		if h := Hash(w.Bytes()); h != c.hash || Bucket(h, 2) != c.bucket {
			t.Errorf("INT %d: hash %d bucket %d", c.v, h, Bucket(h, 2))
		}
	}
}

func TestBucketFunctions(t *testing.T) {
	if got := Bucket(math.MinInt32, 12345); got != 9173 { // |-2147483648 % 12345|
		t.Errorf("min int bucket %d", got)
	}
	for _, c := range []struct {
		k    int64
		n, b int
	}{{1, 5, 1}, {7, 5, 2}, {-2, 5, 3}, {8, 5, 3}, {0, 5, 0}, {-3, 5, 2}, {math.MinInt64, 7, 6}} {
		if got := ModBucket(c.k, c.n); got != c.b {
			t.Errorf("mod(%d,%d)=%d want %d", c.k, c.n, got, c.b)
		}
	}
}

func TestSerialize(t *testing.T) {
	ser := Serialize(0, EmptyRow())
	if len(ser) != 12 || !bytes.Equal(ser, make([]byte, 12)) {
		t.Fatalf("empty %x", ser)
	}
	a, raw, err := Deserialize(ser)
	if err != nil || a != 0 || len(raw) != 8 {
		t.Fatal(a, raw, err)
	}
	for _, bad := range [][]byte{nil, {0, 0, 0}, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff}, {0x7f, 0, 0, 0, 0}} {
		if _, _, err := Deserialize(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%x: %v", bad, err)
		}
	}
}

// vectorTypes returns the column types of the paimon-cpp bucket vectors.
func vectorTypes(withNull bool) []schema.DataType {
	ts := []schema.DataType{schema.NewBoolean(), schema.NewTinyInt(), schema.NewSmallInt(), schema.NewInt(),
		schema.NewBigInt(), schema.NewFloat(), schema.NewDouble(), schema.NewDate(), schema.NewTimestamp(9)}
	if withNull {
		ts = append(ts, schema.NewDecimal(5, 2), schema.NewDecimal(30, 2))
	} else {
		ts = append(ts, schema.NewDecimal(30, 20))
	}
	return append(ts, schema.NewString(), schema.NewBytes())
}

type vectorRow struct {
	values []any
	bucket int
}

func loadVectors(t testing.TB, name string, types []schema.DataType) []vectorRow {
	t.Helper()
	data, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	// rows joined by ",\n" with a trailing ",\n": strip 2 chars, wrap in [].
	s := "[" + string(data[:len(data)-2]) + "]"
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var rows [][]any
	if err := dec.Decode(&rows); err != nil {
		t.Fatal(err)
	}
	out := make([]vectorRow, len(rows))
	for r, row := range rows {
		if len(row) != len(types)+1 {
			t.Fatalf("row %d: %d columns", r, len(row))
		}
		vals := make([]any, len(types))
		for i, ty := range types {
			v := row[i]
			if v == nil {
				continue
			}
			num := func() int64 {
				n, err := strconv.ParseInt(string(v.(json.Number)), 10, 64)
				if err != nil {
					t.Fatalf("row %d col %d: %v", r, i, err)
				}
				return n
			}
			switch ty.Kind {
			case schema.Boolean:
				vals[i] = v.(bool)
			case schema.TinyInt:
				vals[i] = int8(num())
			case schema.SmallInt:
				vals[i] = int16(num())
			case schema.Int, schema.Date:
				vals[i] = int32(num())
			case schema.BigInt:
				vals[i] = num()
			case schema.Float:
				f, err := strconv.ParseFloat(string(v.(json.Number)), 32)
				if err != nil {
					t.Fatal(err)
				}
				vals[i] = float32(f)
			case schema.Double:
				f, err := strconv.ParseFloat(string(v.(json.Number)), 64)
				if err != nil {
					t.Fatal(err)
				}
				vals[i] = f
			case schema.Timestamp:
				vals[i] = TimestampFromNanos(num())
			case schema.Decimal:
				d, err := ParseDecimal(v.(string), ty.Precision, ty.Scale)
				if err != nil {
					t.Fatalf("row %d: %v", r, err)
				}
				vals[i] = d
			case schema.VarChar:
				vals[i] = v.(string)
			case schema.VarBinary:
				vals[i] = []byte(v.(string))
			}
		}
		b, err := strconv.Atoi(string(row[len(types)].(json.Number)))
		if err != nil {
			t.Fatal(err)
		}
		out[r] = vectorRow{vals, b}
	}
	return out
}

func TestBucketVectors(t *testing.T) {
	for _, c := range []struct {
		file     string
		withNull bool
	}{{"record_for_bucket_id.data", false}, {"record_with_null_for_bucket_id.data", true}} {
		types := vectorTypes(c.withNull)
		rows := loadVectors(t, c.file, types)
		if len(rows) != 5000 {
			t.Fatalf("%s: %d rows", c.file, len(rows))
		}
		w := NewWriter(len(types))
		matched := 0
		for r, row := range rows {
			raw, err := w.Encode(types, row.values)
			if err != nil {
				t.Fatalf("%s row %d: %v", c.file, r, err)
			}
			if got := Bucket(Hash(raw), 12345); got != row.bucket {
				t.Errorf("%s row %d: bucket %d, want %d", c.file, r, got, row.bucket)
				continue
			}
			matched++
			back, err := Decode(types, raw)
			if err != nil {
				t.Fatalf("%s row %d: decode: %v", c.file, r, err)
			}
			if !valuesEqual(types, back, row.values) {
				t.Fatalf("%s row %d: round trip\n got %v\nwant %v", c.file, r, back, row.values)
			}
		}
		t.Logf("%s: %d/%d bucket ids match", c.file, matched, len(rows))
	}
}

func valuesEqual(types []schema.DataType, a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if CompareValues(types[i], a[i], b[i]) != 0 || (a[i] == nil) != (b[i] == nil) {
			return false
		}
	}
	return true
}

func TestDecimalBytesVectors(t *testing.T) {
	data, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "vectors", "decimal_bytes.data"))
	if err != nil {
		t.Fatal(err)
	}
	next := func() []byte {
		if len(data) < 4 {
			t.Fatal("truncated")
		}
		n := int(binary.BigEndian.Uint32(data))
		if len(data) < 4+n {
			t.Fatal("truncated")
		}
		b := data[4 : 4+n]
		data = data[4+n:]
		return b
	}
	count := 0
	for len(data) > 0 {
		text, want := string(next()), next()
		u, ok := new(big.Int).SetString(text, 10)
		if !ok {
			t.Fatalf("vector %d: %q", count, text)
		}
		d := NewDecimalBig(u, 29, 29)
		if got := d.UnscaledBytes(); !bytes.Equal(got, want) {
			t.Errorf("%s: got %x want %x", text, got, want)
		}
		if back := DecimalFromUnscaledBytes(want, 29, 29); back.Cmp(d) != 0 {
			t.Errorf("%s: read back %s", text, back)
		}
		// the int64 fast path must agree with big.Int
		if u.IsInt64() {
			if got := NewDecimal(u.Int64(), 29, 29).UnscaledBytes(); !bytes.Equal(got, want) {
				t.Errorf("%s: int64 path %x", text, got)
			}
		}
		count++
	}
	if count != 2000 {
		t.Fatalf("%d vectors", count)
	}
	t.Logf("%d decimal vectors match", count)
}

func TestUnscaledBytesEdges(t *testing.T) {
	for _, c := range []struct {
		v    int64
		want string
	}{{0, "00"}, {-1, "ff"}, {127, "7f"}, {128, "0080"}, {-128, "80"}, {-129, "ff7f"}, {255, "00ff"},
		{math.MaxInt64, "7fffffffffffffff"}, {math.MinInt64, "8000000000000000"}} {
		got := hex.EncodeToString(NewDecimal(c.v, 38, 0).UnscaledBytes())
		if got != c.want {
			t.Errorf("%d: %s want %s", c.v, got, c.want)
		}
		want := new(big.Int).SetInt64(c.v)
		if back := DecimalFromUnscaledBytes(unhex(t, c.want), 38, 0); back.Unscaled().Cmp(want) != 0 {
			t.Errorf("%d: back %s", c.v, back)
		}
	}
	m := new(big.Int).Lsh(big.NewInt(1), 64)
	if got := hex.EncodeToString(NewDecimalBig(m, 38, 0).UnscaledBytes()); got != "010000000000000000" {
		t.Errorf("2^64: %s", got)
	}
	m.Neg(m)
	if got := hex.EncodeToString(NewDecimalBig(m, 38, 0).UnscaledBytes()); got != "ff0000000000000000" {
		t.Errorf("-2^64: %s", got)
	}
}

func TestDecimalString(t *testing.T) {
	for _, c := range []struct {
		v     int64
		scale int
		want  string
	}{{12345, 2, "123.45"}, {-5, 2, "-0.05"}, {7, 0, "7"}, {0, 3, "0.000"}, {-12340, 3, "-12.340"}} {
		if got := NewDecimal(c.v, 10, c.scale).String(); got != c.want {
			t.Errorf("%d,%d: %s", c.v, c.scale, got)
		}
		d, err := ParseDecimal(c.want, 10, c.scale)
		if err != nil || d.Cmp(NewDecimal(c.v, 10, c.scale)) != 0 {
			t.Errorf("parse %s: %v %v", c.want, d, err)
		}
	}
	if _, err := ParseDecimal("1.234", 10, 2); !errors.Is(err, ErrValue) {
		t.Error(err)
	}
	if _, err := ParseDecimal("123456", 5, 2); !errors.Is(err, ErrValue) {
		t.Error(err)
	}
}
