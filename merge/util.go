package merge

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/floelake/floe/schema"
)

func schemaArrow(t schema.DataType) (arrow.DataType, error) { return schema.ToArrow(t) }
