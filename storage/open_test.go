package storage

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"gocloud.dev/blob"
)

func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	for _, c := range []struct {
		url  string
		want error
	}{
		{"ftp://host/x", ErrUnsupported},
		{"hdfs://nn/warehouse", ErrUnsupported},
		{"oss://bucket/x", ErrUnsupported},
		{"file://host/abs", ErrUnsupported},
		{"file:///abs?x=1", ErrUnsupported},
		{"file://", ErrInvalidKey},
		{"s3:///nobucket", ErrInvalidKey},
		{"s3://bucket/a/../b", ErrInvalidKey},
		{"mem://a//b", ErrInvalidKey},
		{"", ErrInvalidKey},
	} {
		s, err := Open(ctx, c.url)
		if !errors.Is(err, c.want) {
			t.Errorf("Open(%q) = %v; want %v", c.url, err, c.want)
		}
		if s != nil {
			s.Close()
		}
	}
	// gocloud rejects unknown query parameters.
	if _, err := Open(ctx, "s3://bucket/p?no_such_param=1"); err == nil {
		t.Error("Open with an unknown s3 parameter succeeded")
	}
}

func TestOpenPrefixes(t *testing.T) {
	ctx := t.Context()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, c := range []struct{ url, prefix, wantURL string }{
		{"mem://", "", "mem://"},
		{"mem://wh/db.db", "wh/db.db/", "mem://wh/db.db"},
		{"mem:///wh/", "wh/", "mem://wh"},
		{"s3://bucket", "", "s3://bucket"},
		{"s3://bucket/warehouse/", "warehouse/", "s3://bucket/warehouse"},
		{
			"s3://floe-test/wh/t?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1",
			"wh/t/",
			"s3://floe-test/wh/t?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1",
		},
	} {
		s, err := Open(ctx, c.url)
		if err != nil {
			t.Errorf("Open(%q): %v", c.url, err)
			continue
		}
		if s.prefix != c.prefix {
			t.Errorf("Open(%q): prefix %q, want %q", c.url, s.prefix, c.prefix)
		}
		if got := s.URL(); got != c.wantURL {
			t.Errorf("Open(%q).URL() = %q, want %q", c.url, got, c.wantURL)
		}
		s.Close()
	}
}

func TestOpenMemPrefixIsKeyPrefix(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, "mem://wh/db.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustWrite(t, s, "t/schema/schema-0", []byte("{}"))
	it := s.Bucket().List(&blob.ListOptions{})
	o, err := it.Next(ctx)
	if err != nil || o.Key != "wh/db.db/t/schema/schema-0" {
		t.Fatalf("bucket key = %v, %v", o, err)
	}
	if _, err := it.Next(ctx); err != io.EOF {
		t.Fatalf("more objects: %v", err)
	}
}

func TestOpenLocalForms(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustWrite(t, a, "x/y", []byte("z"))
	mustRead(t, b, "x/y", []byte("z"))
	// The Sub URL reopens the same place.
	c, err := Open(ctx, a.Sub("x").URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustRead(t, c, "y", []byte("z"))
}
