// Package storage is floe's storage layer over gocloud.dev/blob.
//
// A Store is a bucket plus a key prefix. Keys are slash-separated paths
// relative to the store's root ("snapshot/snapshot-3"); they may not be
// empty, start with "/", or contain empty, "." or ".." segments.
//
// Open accepts local paths and file:// URLs (served by floe's own
// local-file driver, see OpenLocal), mem://, s3:// (AWS and S3-compatible
// servers such as MinIO), gs:// and azblob://.
//
// Writes are atomic: readers see the old object or the new one, never a
// part. Create is a create-only write (S3 If-None-Match, GCS generation
// preconditions, Azure If-None-Match, a hard link on local disks) with
// exactly one winner under races; the losers get ErrExist. Paimon's
// snapshot commit relies on this (paimon-format.md §2.4).
//
// Objects only become visible complete; the local driver's temporary files
// of unfinished writes never show in List or as keys. ListTemp and
// DeleteTemp find and remove those a killed process left behind (orphan
// cleanup); other backends have none.
//
// Every backend must pass storagetest.RunConformance, which checks
// read-after-write, overwrite, listing, ranged reads, error mapping and the
// create-only races. WithFaults wraps a Store with injected failures and
// latency for tests.
//
// A Store is safe for concurrent use. The caller that opened it must Close it.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// Sentinel errors. Callers test with errors.Is.
var (
	// ErrNotFound reports a key that does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrExist reports that a create-only write found the key already present.
	// The write did not happen (the existing object is someone else's).
	ErrExist = errors.New("storage: already exists")
	// ErrUnsupported reports a URL scheme or option this build cannot open.
	ErrUnsupported = errors.New("storage: unsupported")
	// ErrInvalidKey reports a key that is empty, absolute or escapes the root.
	ErrInvalidKey = errors.New("storage: invalid key")
)

// Object describes one listed object.
type Object struct {
	Key     string // full key relative to the store root
	Size    int64
	ModTime time.Time
}

// Store is a bucket plus a key prefix. It is safe for concurrent use. A
// Store from New or Open owns its bucket and must be closed; views from Sub
// and WithFaults share it and need not be.
type Store struct {
	bucket *blob.Bucket
	prefix string // "" or ends with "/"
	url    string // the URL it was opened from, for messages
	owner  bool   // Close closes the bucket
	faults *Faults
	bad    error // set by Sub with an invalid dir; every operation returns it
}

// New wraps an open bucket. The Store owns the bucket: Close closes it.
func New(b *blob.Bucket, url string) *Store {
	return &Store{bucket: b, url: url, owner: true}
}

// Bucket returns the underlying bucket (for code that needs gocloud directly).
func (s *Store) Bucket() *blob.Bucket { return s.bucket }

// URL returns the store's location: the URL it was opened from with the
// store's prefix appended to the path (query parameters kept), so that
// Open(ctx, s.URL()) reaches the same objects.
func (s *Store) URL() string {
	if s.prefix == "" {
		return s.url
	}
	base, query, hasQuery := strings.Cut(s.url, "?")
	if !strings.HasSuffix(base, "://") {
		base = strings.TrimSuffix(base, "/") + "/"
	}
	u := base + strings.TrimSuffix(s.prefix, "/")
	if hasQuery {
		u += "?" + query
	}
	return u
}

// Sub returns a view of the store rooted at dir (relative to this store's
// root; leading and trailing slashes are ignored). The view shares the
// bucket and the faults; closing it does not close the bucket. A dir that
// is not a valid key makes every operation of the view fail with
// ErrInvalidKey.
func (s *Store) Sub(dir string) *Store {
	dir = strings.Trim(dir, "/")
	if dir == "" {
		return s
	}
	if _, err := s.key(dir); err != nil {
		return &Store{bucket: s.bucket, prefix: s.prefix, url: s.url, faults: s.faults, bad: err}
	}
	return &Store{bucket: s.bucket, prefix: s.prefix + dir + "/", url: s.url, faults: s.faults}
}

// Close releases the bucket if this Store owns it.
func (s *Store) Close() error {
	if s.owner {
		return s.bucket.Close()
	}
	return nil
}

func (s *Store) key(k string) (string, error) {
	if s.bad != nil {
		return "", s.bad
	}
	if k == "" || strings.HasPrefix(k, "/") || strings.Contains(k, "//") {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, k)
	}
	for _, part := range strings.Split(k, "/") {
		if part == "." || part == ".." {
			return "", fmt.Errorf("%w: %q", ErrInvalidKey, k)
		}
	}
	return s.prefix + k, nil
}

// wrap translates gocloud error codes into our sentinels, naming the key.
func (s *Store) wrap(op, k string, err error) error {
	if err == nil {
		return nil
	}
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return fmt.Errorf("%s %s: %w", op, k, errors.Join(ErrNotFound, err))
	case gcerrors.FailedPrecondition, gcerrors.AlreadyExists:
		if op == "create" {
			return fmt.Errorf("%s %s: %w", op, k, errors.Join(ErrExist, err))
		}
	}
	return fmt.Errorf("%s %s: %w", op, k, err)
}

// Read returns the whole object.
func (s *Store) Read(ctx context.Context, k string) ([]byte, error) {
	full, err := s.key(k)
	if err != nil {
		return nil, err
	}
	if err := s.faults.check(ctx, OpRead, k, Before); err != nil {
		return nil, s.wrap("read", k, err)
	}
	b, err := s.readAll(ctx, full)
	if err == nil {
		err = s.faults.check(ctx, OpRead, k, After)
	}
	return b, s.wrap("read", k, err)
}

// readAll reads a whole object.
func (s *Store) readAll(ctx context.Context, full string) ([]byte, error) {
	r, err := s.bucket.NewReader(ctx, full, nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readSized(r, r.Size())
}

// readSized reads r to its end into a buffer of want bytes, the size
// announced (io.ReadAll would grow one by doubling: twice the bytes
// allocated and copied for a large data file). An object shorter than
// announced gives what it has; anything beyond is read too. A want that
// is not a plausible size reads with io.ReadAll.
func readSized(r io.Reader, want int64) ([]byte, error) {
	if want <= 0 || want > 1<<40 {
		return io.ReadAll(r)
	}
	b := make([]byte, want)
	n, err := io.ReadFull(r, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return b[:n], nil
	}
	if err != nil {
		return nil, err
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return append(b, rest...), nil
}

// ReadRange returns length bytes starting at offset (length < 0 reads to the end).
func (s *Store) ReadRange(ctx context.Context, k string, offset, length int64) ([]byte, error) {
	full, err := s.key(k)
	if err != nil {
		return nil, err
	}
	if err := s.faults.check(ctx, OpRead, k, Before); err != nil {
		return nil, s.wrap("read", k, err)
	}
	r, err := s.bucket.NewRangeReader(ctx, full, offset, length, nil)
	if err != nil {
		return nil, s.wrap("read", k, err)
	}
	defer r.Close()
	want := int64(-1) // unknown: io.ReadAll
	if offset >= 0 {
		if want = r.Size() - offset; length >= 0 {
			want = min(want, length)
		}
	}
	b, err := readSized(r, want)
	if err == nil {
		err = s.faults.check(ctx, OpRead, k, After)
	}
	if err != nil {
		return nil, s.wrap("read", k, err)
	}
	return b, nil
}

// ReadRangeInto reads len(p) bytes starting at offset into p. It returns
// the number of bytes read and io.EOF when the object ends before p is
// full (like io.ReaderAt, so a caller that owns a buffer needs no copy).
func (s *Store) ReadRangeInto(ctx context.Context, k string, offset int64, p []byte) (int, error) {
	full, err := s.key(k)
	if err != nil {
		return 0, err
	}
	if err := s.faults.check(ctx, OpRead, k, Before); err != nil {
		return 0, s.wrap("read", k, err)
	}
	r, err := s.bucket.NewRangeReader(ctx, full, offset, int64(len(p)), nil)
	if err != nil {
		return 0, s.wrap("read", k, err)
	}
	defer r.Close()
	n, err := io.ReadFull(r, p)
	short := err == io.ErrUnexpectedEOF || err == io.EOF
	if short {
		err = nil
	}
	if err == nil {
		err = s.faults.check(ctx, OpRead, k, After)
	}
	if err != nil {
		return 0, s.wrap("read", k, err)
	}
	if short {
		return n, io.EOF
	}
	return n, nil
}

// Size returns the object's size in bytes.
func (s *Store) Size(ctx context.Context, k string) (int64, error) {
	full, err := s.key(k)
	if err != nil {
		return 0, err
	}
	if err := s.faults.check(ctx, OpStat, k, Before); err != nil {
		return 0, s.wrap("stat", k, err)
	}
	a, err := s.bucket.Attributes(ctx, full)
	if err == nil {
		err = s.faults.check(ctx, OpStat, k, After)
	}
	if err != nil {
		return 0, s.wrap("stat", k, err)
	}
	return a.Size, nil
}

// Exists reports whether the object exists.
func (s *Store) Exists(ctx context.Context, k string) (bool, error) {
	full, err := s.key(k)
	if err != nil {
		return false, err
	}
	if err := s.faults.check(ctx, OpStat, k, Before); err != nil {
		return false, s.wrap("stat", k, err)
	}
	ok, err := s.bucket.Exists(ctx, full)
	if err == nil {
		err = s.faults.check(ctx, OpStat, k, After)
	}
	return ok, s.wrap("stat", k, err)
}

// Write stores data under k, replacing any existing object. The object is
// visible only once complete (never partially written).
func (s *Store) Write(ctx context.Context, k string, data []byte) error {
	full, err := s.key(k)
	if err != nil {
		return err
	}
	if err := s.faults.check(ctx, OpWrite, k, Before); err != nil {
		return s.wrap("write", k, err)
	}
	err = s.bucket.WriteAll(ctx, full, data, nil)
	if err == nil {
		err = s.faults.check(ctx, OpWrite, k, After)
	}
	return s.wrap("write", k, err)
}

// Create stores data under k only if k does not exist yet. It returns an
// error wrapping ErrExist if another writer got there first. Any other error
// is ambiguous: the object may or may not have been created, and the caller
// must find out (for example by re-sending the same bytes and comparing).
// S3's 409 ConditionalRequestConflict (another conditional write to the key
// in flight, nothing written) is retried internally.
func (s *Store) Create(ctx context.Context, k string, data []byte) error {
	full, err := s.key(k)
	if err != nil {
		return err
	}
	if err := s.faults.check(ctx, OpCreate, k, Before); err != nil {
		return s.wrap("create", k, err)
	}
	for attempt := 0; ; attempt++ {
		err = s.bucket.WriteAll(ctx, full, data, &blob.WriterOptions{IfNotExist: true})
		if !conditionalConflict(err) || attempt >= 20 {
			break
		}
		// S3 answers 409 ConditionalRequestConflict while another
		// conditional write to the key is in flight; nothing was written.
		// Retry: the next attempt either wins or sees the other writer's
		// object (412, ErrExist).
		t := time.NewTimer(time.Duration(attempt+1) * 5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return s.wrap("create", k, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
	}
	if err == nil {
		err = s.faults.check(ctx, OpCreate, k, After)
	}
	return s.wrap("create", k, err)
}

// conditionalConflict reports S3's 409 ConditionalRequestConflict, which
// gocloud maps to no specific code.
func conditionalConflict(err error) bool {
	var api interface{ ErrorCode() string }
	return err != nil && errors.As(err, &api) && api.ErrorCode() == "ConditionalRequestConflict"
}

// Delete removes the object. Deleting a missing object returns ErrNotFound.
func (s *Store) Delete(ctx context.Context, k string) error {
	full, err := s.key(k)
	if err != nil {
		return err
	}
	if err := s.faults.check(ctx, OpDelete, k, Before); err != nil {
		return s.wrap("delete", k, err)
	}
	err = s.bucket.Delete(ctx, full)
	if err == nil {
		err = s.faults.check(ctx, OpDelete, k, After)
	}
	return s.wrap("delete", k, err)
}

// checkPrefix validates a List prefix: "" or a key, possibly ending in
// "/" or in a partial last segment.
func (s *Store) checkPrefix(prefix string) error {
	if s.bad != nil {
		return s.bad
	}
	if strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("%w: prefix %q", ErrInvalidKey, prefix)
	}
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		if _, err := s.key(prefix[:i]); err != nil {
			return fmt.Errorf("%w: prefix %q", ErrInvalidKey, prefix)
		}
	}
	return nil
}

// List returns every object whose key starts with prefix (recursively), in
// lexical key order. Keys are relative to the store root.
func (s *Store) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := s.checkPrefix(prefix); err != nil {
		return nil, err
	}
	if err := s.faults.check(ctx, OpList, prefix, Before); err != nil {
		return nil, s.wrap("list", prefix, err)
	}
	it := s.bucket.List(&blob.ListOptions{Prefix: s.prefix + prefix})
	var out []Object
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			if err := s.faults.check(ctx, OpList, prefix, After); err != nil {
				return nil, s.wrap("list", prefix, err)
			}
			return out, nil
		}
		if err != nil {
			return nil, s.wrap("list", prefix, err)
		}
		if o.IsDir {
			continue
		}
		out = append(out, Object{Key: strings.TrimPrefix(o.Key, s.prefix), Size: o.Size, ModTime: o.ModTime})
	}
}

// ListDir returns the immediate children of dir: object names and
// sub-directory names (the latter with a trailing "/"), relative to dir, in
// lexical order. A sub-directory is listed only while some object lives
// below it, on every backend. A missing dir has no children.
func (s *Store) ListDir(ctx context.Context, dir string) ([]string, error) {
	if d := strings.Trim(dir, "/"); d != "" || s.bad != nil {
		if _, err := s.key(d); err != nil {
			return nil, err
		}
	}
	if err := s.faults.check(ctx, OpList, dir, Before); err != nil {
		return nil, s.wrap("list", dir, err)
	}
	p := s.prefix
	if d := strings.Trim(dir, "/"); d != "" {
		p += d + "/"
	}
	it := s.bucket.List(&blob.ListOptions{Prefix: p, Delimiter: "/"})
	var out []string
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			if err := s.faults.check(ctx, OpList, dir, After); err != nil {
				return nil, s.wrap("list", dir, err)
			}
			return out, nil
		}
		if err != nil {
			return nil, s.wrap("list", dir, err)
		}
		out = append(out, strings.TrimPrefix(o.Key, p))
	}
}

// ObjectWriter streams one object to storage. The object becomes visible
// only when Close succeeds (never partially written); Abort discards it.
// It is not safe for concurrent use.
type ObjectWriter struct {
	s      *Store
	k      string
	w      *blob.Writer
	cancel context.CancelFunc
	n      int64
	done   bool
}

// NewWriter starts streaming an object under k, replacing any existing one
// when Close succeeds. ctx bounds the whole upload: cancelling it aborts
// the write. The caller must Close or Abort the writer.
func (s *Store) NewWriter(ctx context.Context, k string) (*ObjectWriter, error) {
	full, err := s.key(k)
	if err != nil {
		return nil, err
	}
	if err := s.faults.check(ctx, OpWrite, k, Before); err != nil {
		return nil, s.wrap("write", k, err)
	}
	wctx, cancel := context.WithCancel(ctx)
	w, err := s.bucket.NewWriter(wctx, full, nil)
	if err != nil {
		cancel()
		return nil, s.wrap("write", k, err)
	}
	return &ObjectWriter{s: s, k: k, w: w, cancel: cancel}, nil
}

// Write appends p to the object.
func (w *ObjectWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, fmt.Errorf("storage: write %s: writer closed", w.k)
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	if err != nil {
		return n, w.s.wrap("write", w.k, err)
	}
	return n, nil
}

// Size returns the bytes written so far.
func (w *ObjectWriter) Size() int64 { return w.n }

// Close completes the object. An error means it may not exist.
func (w *ObjectWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	defer w.cancel()
	err := w.w.Close()
	if err == nil {
		err = w.s.faults.check(context.Background(), OpWrite, w.k, After)
	}
	return w.s.wrap("write", w.k, err)
}

// Abort discards the object: nothing is stored.
func (w *ObjectWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.cancel()
	_ = w.w.Close()
}
