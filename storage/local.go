package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/google/uuid"
	"gocloud.dev/blob"
	"gocloud.dev/blob/driver"
	"gocloud.dev/gcerrors"
)

// Temporary files of in-flight writes are named tmpPrefix + uuid + tmpSuffix
// and live in the target's directory. The leading dot makes Paimon (and
// other readers that skip hidden files) ignore them, no Paimon listing
// prefix (snapshot-, schema-, manifest-, data-, tag-, ...) can match them,
// and our own listings hide them.
const (
	tmpPrefix = ".floe-"
	tmpSuffix = ".tmp"
)

// isTemp reports whether a file name is one of our temporary files.
func isTemp(name string) bool {
	return strings.HasPrefix(name, tmpPrefix) && strings.HasSuffix(name, tmpSuffix)
}

// Errors of the local driver; ErrorCode maps them to gocloud codes.
var (
	errLocalExist   = errors.New("storage: local: object already exists")
	errLocalUnimpl  = errors.New("storage: local: not implemented")
	errLocalIsDir   = errors.New("storage: local: key names a directory")
	errLocalNotADir = errors.New("storage: local: a parent of the key is an object")
)

// OpenLocal opens the directory dir (absolute or relative to the working
// directory) as a Store using floe's local-file driver. The directory need
// not exist yet; it and any sub-directories are created on the first write.
//
// The driver stores each object as one plain file at root/key, without
// sidecar files. Writes go to a hidden temporary file in the target's
// directory, are fsynced, and then are renamed over the target (Write) or
// hard-linked to it (Create, which therefore has exactly one winner even
// across processes); the directory is fsynced afterwards. Keys and key
// prefixes are object names, so "a" and "a/b" cannot both exist.
func OpenLocal(dir string) (*Store, error) {
	b, root, err := newLocalBucket(dir)
	if err != nil {
		return nil, err
	}
	return New(b, "file://"+filepath.ToSlash(root)), nil
}

func newLocalBucket(dir string) (*blob.Bucket, string, error) {
	if dir == "" {
		return nil, "", fmt.Errorf("%w: empty local path", ErrInvalidKey)
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", dir, err)
	}
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return nil, "", fmt.Errorf("open %s: not a directory", root)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("open %s: %w", root, err)
	}
	return blob.NewBucket(&localBucket{root: root}), root, nil
}

// localBucket implements driver.Bucket over a directory tree.
type localBucket struct {
	root string // absolute and clean
}

var _ driver.Bucket = (*localBucket)(nil)

// path validates key and returns its file path.
func (b *localBucket) path(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsRune(key, 0) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." || isTemp(part) ||
			(runtime.GOOS == "windows" && strings.ContainsAny(part, `\:`)) {
			return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return filepath.Join(b.root, filepath.FromSlash(key)), nil
}

// ErrorCode implements driver.Bucket.
func (b *localBucket) ErrorCode(err error) gcerrors.ErrorCode {
	switch {
	case errors.Is(err, errLocalExist):
		return gcerrors.FailedPrecondition
	case errors.Is(err, ErrInvalidKey):
		return gcerrors.InvalidArgument
	case errors.Is(err, errLocalUnimpl):
		return gcerrors.Unimplemented
	case errors.Is(err, fs.ErrNotExist):
		return gcerrors.NotFound
	case errors.Is(err, fs.ErrPermission):
		return gcerrors.PermissionDenied
	case errors.Is(err, context.Canceled):
		return gcerrors.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return gcerrors.DeadlineExceeded
	}
	return gcerrors.Unknown
}

// As implements driver.Bucket. It exposes the driver itself, only to
// this package (Store.ListTemp and DeleteTemp), through a **localBucket.
func (b *localBucket) As(i any) bool {
	if p, ok := i.(**localBucket); ok {
		*p = b
		return true
	}
	return false
}

// ErrorAs implements driver.Bucket.
func (b *localBucket) ErrorAs(err error, target any) bool { return errors.As(err, target) }

// Close implements driver.Bucket.
func (b *localBucket) Close() error { return nil }

// SignedURL implements driver.Bucket; the local driver has none.
func (b *localBucket) SignedURL(context.Context, string, *driver.SignedURLOptions) (string, error) {
	return "", errLocalUnimpl
}

func noAs(any) bool { return false }

// stat returns the FileInfo of an object (a regular file), or an error
// wrapping fs.ErrNotExist when key is missing or names a directory.
func (b *localBucket) stat(key string) (string, fs.FileInfo, error) {
	p, err := b.path(key)
	if err != nil {
		return "", nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			return "", nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return "", nil, err
	}
	if !fi.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s: %w: %w", key, errLocalIsDir, fs.ErrNotExist)
	}
	return p, fi, nil
}

// isNotDir reports an ENOTDIR error: a parent of the path is a file, so
// the key cannot exist.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// Attributes implements driver.Bucket.
func (b *localBucket) Attributes(ctx context.Context, key string) (*driver.Attributes, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, fi, err := b.stat(key)
	if err != nil {
		return nil, err
	}
	return &driver.Attributes{
		ContentType: "application/octet-stream",
		ModTime:     fi.ModTime(),
		Size:        fi.Size(),
		ETag:        fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size()),
		AsFunc:      noAs,
	}, nil
}

// NewRangeReader implements driver.Bucket.
func (b *localBucket) NewRangeReader(ctx context.Context, key string, offset, length int64, opts *driver.ReaderOptions) (driver.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		if isNotDir(err) {
			return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w: %w", key, errLocalIsDir, fs.ErrNotExist)
	}
	if opts.BeforeRead != nil {
		if err := opts.BeforeRead(noAs); err != nil {
			f.Close()
			return nil, err
		}
	}
	var r io.Reader = f
	if offset > 0 || length >= 0 {
		if offset > fi.Size() {
			offset = fi.Size()
		}
		n := length
		if n < 0 {
			n = fi.Size() - offset
		}
		r = io.NewSectionReader(f, offset, n)
	}
	return &localReader{ctx: ctx, f: f, r: r, attrs: driver.ReaderAttributes{
		ContentType: "application/octet-stream",
		ModTime:     fi.ModTime(),
		Size:        fi.Size(),
	}}, nil
}

type localReader struct {
	ctx   context.Context
	f     *os.File
	r     io.Reader
	attrs driver.ReaderAttributes
}

func (r *localReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
func (r *localReader) Close() error                         { return r.f.Close() }
func (r *localReader) Attributes() *driver.ReaderAttributes { return &r.attrs }
func (r *localReader) As(any) bool                          { return false }

// NewTypedWriter implements driver.Bucket. The content type is not stored.
func (b *localBucket) NewTypedWriter(ctx context.Context, key, _ string, opts *driver.WriterOptions) (driver.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(p)
	if err := mkdirAll(dir); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, tmpPrefix+uuid.NewString()+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return nil, err
	}
	if opts.BeforeWrite != nil {
		if err := opts.BeforeWrite(noAs); err != nil {
			f.Close()
			os.Remove(tmp)
			return nil, err
		}
	}
	return &localWriter{ctx: ctx, f: f, tmp: tmp, path: p, dir: dir, create: opts.IfNotExist}, nil
}

type localWriter struct {
	ctx    context.Context
	f      *os.File
	tmp    string // temporary file, removed on every path out of Close
	path   string // target file
	dir    string
	create bool // publish with link (fails if the target exists)
	err    error
}

func (w *localWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return 0, err
	}
	n, err := w.f.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// Close publishes the file: fsync, then link (create-only) or rename over
// the target, then fsync the directory. On any failure the target is left
// untouched and the temporary file is removed.
func (w *localWriter) Close() error {
	err := w.err
	if err == nil {
		err = w.ctx.Err()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(w.tmp)
		return err
	}
	if w.create {
		err = os.Link(w.tmp, w.path)
		if errors.Is(err, fs.ErrExist) && sameFile(w.tmp, w.path) {
			// The link did happen (an NFS client can report EEXIST for
			// a retransmitted request that had succeeded).
			err = nil
		}
		os.Remove(w.tmp)
		if errors.Is(err, fs.ErrExist) {
			if fi, serr := os.Lstat(w.path); serr == nil && fi.IsDir() {
				return fmt.Errorf("create %s: %w", w.path, errLocalIsDir)
			}
			return fmt.Errorf("create %s: %w", w.path, errLocalExist)
		}
	} else {
		err = os.Rename(w.tmp, w.path)
		if err != nil {
			os.Remove(w.tmp)
		}
	}
	if err != nil {
		return err
	}
	return syncDir(w.dir)
}

// sameFile reports whether two paths name the same file.
func sameFile(a, b string) bool {
	ai, err := os.Lstat(a)
	if err != nil {
		return false
	}
	bi, err := os.Lstat(b)
	return err == nil && os.SameFile(ai, bi)
}

// mkdirAll creates dir and any missing parents, fsyncing the parent of
// every directory it creates (or finds created concurrently) so the new
// entries survive a crash.
func mkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("mkdir %s: %w", dir, errLocalNotADir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		if isNotDir(err) {
			return fmt.Errorf("mkdir %s: %w", dir, errLocalNotADir)
		}
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
		if isNotDir(err) {
			return fmt.Errorf("mkdir %s: %w", dir, errLocalNotADir)
		}
		return err
	}
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("mkdir %s: %w", dir, errLocalNotADir)
	}
	return syncDir(parent)
}

// syncDir fsyncs a directory so that entries added to or removed from it
// are durable. Windows cannot fsync directories; there it does nothing.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Copy implements driver.Bucket by reading the source and writing the
// destination with the usual atomic replace.
func (b *localBucket) Copy(ctx context.Context, dstKey, srcKey string, opts *driver.CopyOptions) error {
	if opts.BeforeCopy != nil {
		if err := opts.BeforeCopy(noAs); err != nil {
			return err
		}
	}
	r, err := b.NewRangeReader(ctx, srcKey, 0, -1, &driver.ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := b.NewTypedWriter(ctx, dstKey, "", &driver.WriterOptions{})
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		lw := w.(*localWriter)
		lw.err = err
		lw.Close()
		return err
	}
	return w.Close()
}

// Delete implements driver.Bucket. Directories left empty stay behind; they
// are invisible to List.
func (b *localBucket) Delete(ctx context.Context, key string, opts *driver.DeleteOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, _, err := b.stat(key)
	if err != nil {
		return err
	}
	if opts.BeforeDelete != nil {
		if err := opts.BeforeDelete(noAs); err != nil {
			return err
		}
	}
	if err := os.Remove(p); err != nil {
		return err
	}
	return syncDir(filepath.Dir(p))
}

// ListPaged implements driver.Bucket. Keys come in lexical order. With the
// "/" delimiter only the directory holding the prefix is read; a
// sub-directory is reported only if some object lives below it (so empty
// directories left by deletes stay invisible, as on an object store).
// Page tokens are the last key of the previous page.
func (b *localBucket) ListPaged(ctx context.Context, opts *driver.ListOptions) (*driver.ListPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := opts.Prefix
	dirPart := prefix[:strings.LastIndex(prefix, "/")+1]
	if dirPart != "" {
		if _, err := b.path(strings.TrimSuffix(dirPart, "/")); err != nil {
			return nil, err
		}
	}
	if opts.BeforeList != nil {
		if err := opts.BeforeList(noAs); err != nil {
			return nil, err
		}
	}
	var objs []*driver.ListObject
	var err error
	if opts.Delimiter == "/" {
		objs, err = b.listDir(ctx, dirPart, prefix)
	} else {
		err = b.walk(ctx, dirPart, prefix, func(o *driver.ListObject) error {
			objs = append(objs, o)
			return nil
		})
		if err == nil && opts.Delimiter != "" {
			objs = groupByDelimiter(objs, prefix, opts.Delimiter)
		}
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(objs, func(a, b *driver.ListObject) int { return strings.Compare(a.Key, b.Key) })
	if len(opts.PageToken) > 0 {
		after := string(opts.PageToken)
		i, _ := slices.BinarySearchFunc(objs, after, func(o *driver.ListObject, k string) int {
			if o.Key <= k {
				return -1
			}
			return 1
		})
		objs = objs[i:]
	}
	page := &driver.ListPage{Objects: objs}
	if opts.PageSize > 0 && len(objs) > opts.PageSize {
		page.Objects = objs[:opts.PageSize]
		page.NextPageToken = []byte(page.Objects[len(page.Objects)-1].Key)
	}
	return page, nil
}

// readDir lists a directory of the tree; a missing directory (or one
// replaced by a file) is empty.
func (b *localBucket) readDir(rel string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(filepath.Join(b.root, filepath.FromSlash(rel)))
	if err != nil && (errors.Is(err, fs.ErrNotExist) || isNotDir(err)) {
		return nil, nil
	}
	return ents, err
}

// entryKind classifies a directory entry, following symlinks: 'f' for a
// regular file, 'd' for a directory, 0 for anything else or a vanished entry.
func (b *localBucket) entryKind(rel string, e fs.DirEntry) (byte, fs.FileInfo) {
	if isTemp(e.Name()) {
		return 0, nil
	}
	var fi fs.FileInfo
	var err error
	if e.Type()&fs.ModeSymlink != 0 {
		fi, err = os.Stat(filepath.Join(b.root, filepath.FromSlash(rel)))
	} else {
		fi, err = e.Info()
	}
	switch {
	case err != nil:
		return 0, nil
	case fi.IsDir():
		return 'd', fi
	case fi.Mode().IsRegular():
		return 'f', fi
	}
	return 0, nil
}

func fileObject(key string, fi fs.FileInfo) *driver.ListObject {
	return &driver.ListObject{Key: key, ModTime: fi.ModTime(), Size: fi.Size(), AsFunc: noAs}
}

// walk calls fn for every object under directory dir (relative, "" or
// ending in "/") whose key starts with prefix, stopping at fn's first error.
func (b *localBucket) walk(ctx context.Context, dir, prefix string, fn func(*driver.ListObject) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ents, err := b.readDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		rel := dir + e.Name()
		switch kind, fi := b.entryKind(rel, e); kind {
		case 'f':
			if strings.HasPrefix(rel, prefix) {
				if err := fn(fileObject(rel, fi)); err != nil {
					return err
				}
			}
		case 'd':
			sub := rel + "/"
			if strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
				if err := b.walk(ctx, sub, prefix, fn); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// listDir lists one level: the objects and non-empty sub-directories of dir
// whose keys start with prefix.
func (b *localBucket) listDir(ctx context.Context, dir, prefix string) ([]*driver.ListObject, error) {
	ents, err := b.readDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*driver.ListObject
	for _, e := range ents {
		rel := dir + e.Name()
		switch kind, fi := b.entryKind(rel, e); kind {
		case 'f':
			if strings.HasPrefix(rel, prefix) {
				out = append(out, fileObject(rel, fi))
			}
		case 'd':
			sub := rel + "/"
			if !strings.HasPrefix(sub, prefix) {
				continue
			}
			ok, err := b.nonEmpty(ctx, sub)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, &driver.ListObject{Key: sub, IsDir: true, AsFunc: noAs})
			}
		}
	}
	return out, nil
}

// nonEmpty reports whether at least one object lives below dir, stopping
// at the first one.
func (b *localBucket) nonEmpty(ctx context.Context, dir string) (bool, error) {
	err := b.walk(ctx, dir, dir, func(*driver.ListObject) error { return errFound })
	if err == errFound {
		return true, nil
	}
	return false, err
}

var errFound = errors.New("found")

// groupByDelimiter folds objects into pseudo-directories: a key with the
// delimiter after the prefix becomes prefix + text up to and including the
// delimiter, reported once with IsDir set.
func groupByDelimiter(objs []*driver.ListObject, prefix, delim string) []*driver.ListObject {
	out := objs[:0]
	seen := map[string]bool{}
	for _, o := range objs {
		rest := o.Key[len(prefix):]
		i := strings.Index(rest, delim)
		if i < 0 {
			out = append(out, o)
			continue
		}
		d := prefix + rest[:i+len(delim)]
		if !seen[d] {
			seen[d] = true
			out = append(out, &driver.ListObject{Key: d, IsDir: true, AsFunc: noAs})
		}
	}
	return out
}
