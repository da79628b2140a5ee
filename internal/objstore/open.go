package objstore

import (
	"context"
	"fmt"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/memblob"
)

// Open opens a store from a URL: file:///path, mem://, s3://bucket/prefix?...,
// gs://bucket/prefix, azblob://container/prefix. A plain path opens the
// local-file driver.
func Open(ctx context.Context, url string) (*Store, error) {
	if !strings.Contains(url, "://") {
		return nil, fmt.Errorf("%w: local paths are not wired yet: %s", ErrUnsupported, url)
	}
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", url, err)
	}
	return New(b, url), nil
}
