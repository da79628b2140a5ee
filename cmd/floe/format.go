package main

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// formatRow renders decoded BinaryRow values for display; nil stays nil.
func formatRow(types []schema.DataType, vals []any) []string {
	if vals == nil {
		return nil
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		var t schema.DataType
		if i < len(types) {
			t = types[i]
		}
		out[i] = formatValue(t, v)
	}
	return out
}

func formatValue(t schema.DataType, v any) string {
	if v == nil {
		return "null"
	}
	switch t.Kind {
	case schema.Date:
		if d, ok := v.(int32); ok {
			return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
		}
	case schema.Time:
		if ms, ok := v.(int32); ok {
			return time.UnixMilli(int64(ms)).UTC().Format("15:04:05.000")
		}
	case schema.Timestamp, schema.TimestampLTZ:
		if ts, ok := v.(binrow.Timestamp); ok {
			tm := time.UnixMilli(ts.Millis).UTC().Add(time.Duration(ts.NanoOfMilli))
			s := tm.Format("2006-01-02 15:04:05.999999999")
			if t.Kind == schema.TimestampLTZ {
				s += "Z"
			}
			return s
		}
	}
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return "0x" + hex.EncodeToString(v)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case binrow.Decimal:
		return v.String()
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}
