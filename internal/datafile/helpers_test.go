package datafile_test

import "github.com/apache/arrow-go/v18/arrow"

func arrowTypeEqual(a, b arrow.DataType) bool {
	return arrow.TypeEqual(a, b, arrow.CheckMetadata())
}
