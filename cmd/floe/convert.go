package main

import "github.com/floelake/floe/internal/jsonrow"

// The JSON and CSV input conversion lives in internal/jsonrow; these names
// keep this package's code short.
type (
	object = jsonrow.Object
	member = jsonrow.Member
	conv   = jsonrow.Conv
)

var (
	errValue       = jsonrow.ErrValue
	badValue       = jsonrow.BadValue
	show           = jsonrow.Show
	newConv        = jsonrow.NewConv
	appendValue    = jsonrow.AppendValue
	decodeJSON     = jsonrow.DecodeJSON
	parseDecimal   = jsonrow.ParseDecimal
	parseTimestamp = jsonrow.ParseTimestamp
)
