//go:build tools

// Package tools pins dependencies that are chosen but not yet imported.
package tools

import (
	_ "github.com/apache/arrow-go/v18/arrow"
	_ "github.com/google/uuid"
	_ "github.com/hamba/avro/v2"
	_ "gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)
