package storage

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/memblob"   // mem://
	_ "gocloud.dev/blob/s3blob"    // s3://
)

// Open opens a store from a URL or a local path:
//
//   - a plain path, relative or absolute ("warehouse", "/data/wh"), or
//     file:///abs/path: floe's local-file driver (see OpenLocal);
//   - mem:// : a new, empty in-memory bucket (for tests); any host and path
//     become the key prefix;
//   - s3://bucket/prefix?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1 :
//     Amazon S3 or an S3-compatible server (MinIO, OSS, ...). Credentials
//     come from the usual AWS sources (AWS_ACCESS_KEY_ID and
//     AWS_SECRET_ACCESS_KEY, shared config files, instance roles). The
//     query parameters are gocloud's (gocloud.dev/blob/s3blob and
//     gocloud.dev/aws): endpoint, region, use_path_style, disable_https,
//     profile, anonymous, request_checksum_calculation=when_required (for
//     servers that reject the SDK's default checksums), ...;
//   - gs://bucket/prefix : Google Cloud Storage with application default
//     credentials;
//   - azblob://container/prefix : Azure Blob Storage, configured through
//     the AZURE_STORAGE_* environment variables.
//
// A path after the bucket or container name becomes the Store's key
// prefix. Other schemes give an error wrapping ErrUnsupported. The caller
// must Close the returned Store.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	if !strings.Contains(rawURL, "://") {
		return OpenLocal(rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", rawURL, err)
	}
	var bucketURL, prefix string
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%w: file URL with a host: %s", ErrUnsupported, rawURL)
		}
		if u.RawQuery != "" {
			return nil, fmt.Errorf("%w: file URL with query parameters: %s", ErrUnsupported, rawURL)
		}
		p := filepath.FromSlash(u.Path)
		if p == "" || !filepath.IsAbs(p) {
			return nil, fmt.Errorf("%w: file URL needs an absolute path: %s", ErrInvalidKey, rawURL)
		}
		return OpenLocal(p)
	case "mem":
		bucketURL = "mem://"
		if u.RawQuery != "" {
			bucketURL += "?" + u.RawQuery
		}
		prefix = strings.Trim(u.Host+u.Path, "/")
	case "s3", "gs", "azblob":
		if u.Host == "" {
			return nil, fmt.Errorf("%w: missing bucket name: %s", ErrInvalidKey, rawURL)
		}
		bucketURL = u.Scheme + "://" + u.Host
		if u.RawQuery != "" {
			bucketURL += "?" + u.RawQuery
		}
		prefix = strings.Trim(u.Path, "/")
	default:
		return nil, fmt.Errorf("%w: URL scheme %q in %s", ErrUnsupported, u.Scheme, rawURL)
	}
	if prefix != "" {
		if _, err := (&Store{}).key(prefix); err != nil {
			return nil, fmt.Errorf("open %s: %w", rawURL, err)
		}
	}
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", rawURL, err)
	}
	s := New(b, bucketURL)
	if prefix != "" {
		s.prefix = prefix + "/"
	}
	return s, nil
}
