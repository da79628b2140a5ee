package binrow

import (
	"encoding/binary"

	"github.com/floelake/floe/schema"
)

// BitSetWidth returns the size in bytes of the header and null bit set of a
// row with the given arity: ((arity + 63 + 8) / 64) * 8.
func BitSetWidth(arity int) int { return ((arity + 63 + 8) / 64) * 8 }

// FixedSize returns the size of a row's header, null bits and slots.
func FixedSize(arity int) int { return BitSetWidth(arity) + 8*arity }

// arrayHeader returns the size of a BinaryArray's count and null bits.
func arrayHeader(n int) int { return 4 + ((n+31)/32)*4 }

// elemSize returns the width of one BinaryArray element of type t.
func elemSize(t *schema.DataType) int {
	switch t.Kind {
	case schema.Boolean, schema.TinyInt:
		return 1
	case schema.SmallInt:
		return 2
	case schema.Int, schema.Float, schema.Date, schema.Time:
		return 4
	}
	return 8
}

func roundUp8(n int) int { return (n + 7) &^ 7 }

// isCompactDecimal/isCompactTimestamp report the inline (int64 slot) forms.
func isCompactDecimal(p int) bool   { return p <= maxCompactPrecision }
func isCompactTimestamp(p int) bool { return p <= 3 }

var le = binary.LittleEndian
