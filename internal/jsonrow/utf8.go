package jsonrow

import (
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// FirstInvalidUTF8 returns the index of the first element of a holding a
// string (at any nesting depth: list elements, map keys and values, struct
// fields) that is not UTF-8, or -1 when all are. Input that arrives as
// Arrow (Parquet files) is checked with it, as converters check JSON and
// CSV text.
func FirstInvalidUTF8(a arrow.Array) int {
	if !hasString(a.DataType()) {
		return -1
	}
	if s, ok := a.(*array.String); ok {
		for i := range s.Len() {
			if s.IsValid(i) && !utf8.ValidString(s.Value(i)) {
				return i
			}
		}
		return -1
	}
	for i := range a.Len() {
		if !validUTF8At(a, i) {
			return i
		}
	}
	return -1
}

func validUTF8At(a arrow.Array, i int) bool {
	if a.IsNull(i) {
		return true
	}
	switch x := a.(type) {
	case *array.String:
		return utf8.ValidString(x.Value(i))
	case *array.LargeString:
		return utf8.ValidString(x.Value(i))
	case *array.StringView:
		return utf8.ValidString(x.Value(i))
	case array.ListLike:
		if !hasString(x.ListValues().DataType()) {
			return true
		}
		start, end := x.ValueOffsets(i)
		child := x.ListValues()
		for j := start; j < end; j++ {
			if !validUTF8At(child, int(j)) {
				return false
			}
		}
	case *array.Struct:
		for f := range x.NumField() {
			if !validUTF8At(x.Field(f), i) {
				return false
			}
		}
	}
	return true
}

// hasString reports whether values of t contain strings.
func hasString(t arrow.DataType) bool {
	switch t := t.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return true
	case arrow.NestedType:
		for _, f := range t.Fields() {
			if hasString(f.Type) {
				return true
			}
		}
	}
	return false
}
