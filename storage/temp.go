package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Temporary files are the local driver's: every write goes through a
// hidden .floe-<uuid>.tmp file in the target's directory (see OpenLocal),
// which a process killed mid-write leaves behind. Listings and keys never
// show them, so cleaning them up needs these two calls. The object-store
// backends write no temporary objects (an interrupted S3 multipart upload
// is invisible and is removed by the bucket's lifecycle rules), so for
// them ListTemp finds nothing.

// ListTemp returns the temporary files of unfinished writes below prefix
// (recursively, prefix as for List), in lexical key order, with their
// sizes and modification times. A temporary file is only ever written by
// one writer and becomes garbage once no write is running: a write keeps
// modifying its file until it publishes or discards it, so a file that has
// not changed for longer than any write may take is left over from a
// process that died. Backends without temporary files return none.
func (s *Store) ListTemp(ctx context.Context, prefix string) ([]Object, error) {
	if err := s.checkPrefix(prefix); err != nil {
		return nil, err
	}
	if err := s.faults.check(ctx, OpList, prefix, Before); err != nil {
		return nil, s.wrapTemp("list", prefix, err)
	}
	var out []Object
	if lb := s.local(); lb != nil {
		objs, err := lb.listTemp(ctx, s.prefix+prefix)
		if err != nil {
			return nil, s.wrapTemp("list", prefix, err)
		}
		for _, o := range objs {
			o.Key = strings.TrimPrefix(o.Key, s.prefix)
			out = append(out, o)
		}
	} else if err := ctx.Err(); err != nil {
		return nil, s.wrapTemp("list", prefix, err)
	}
	if err := s.faults.check(ctx, OpList, prefix, After); err != nil {
		return nil, s.wrapTemp("list", prefix, err)
	}
	return out, nil
}

// DeleteTemp removes one temporary file that ListTemp returned. A key
// whose last segment is not a temporary file's name gives ErrInvalidKey
// (objects are removed with Delete); a missing file gives ErrNotFound, as
// does every key on a backend without temporary files.
func (s *Store) DeleteTemp(ctx context.Context, k string) error {
	full, err := s.key(k)
	if err != nil {
		return err
	}
	if !isTemp(path.Base(k)) {
		return fmt.Errorf("%w: %q is not a temporary file", ErrInvalidKey, k)
	}
	if err := s.faults.check(ctx, OpDelete, k, Before); err != nil {
		return s.wrapTemp("delete", k, err)
	}
	if lb := s.local(); lb != nil {
		err = lb.deleteTemp(ctx, full)
	} else if err = ctx.Err(); err == nil {
		err = fs.ErrNotExist
	}
	if err == nil {
		err = s.faults.check(ctx, OpDelete, k, After)
	}
	return s.wrapTemp("delete", k, err)
}

// local returns the store's local driver, or nil for other backends.
func (s *Store) local() *localBucket {
	var lb *localBucket
	if s.bucket != nil && s.bucket.As(&lb) {
		return lb
	}
	return nil
}

// wrapTemp maps errors of the temporary-file calls, which reach the local
// driver directly rather than through gocloud.
func (s *Store) wrapTemp(op, k string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %w", op, k, errors.Join(ErrNotFound, err))
	case errors.Is(err, ErrInvalidKey):
		return fmt.Errorf("%s %s: %w", op, k, err)
	}
	return s.wrap(op, k, err)
}

// listTemp walks the directories holding keys with prefix (relative to
// the bucket root) and returns the temporary files whose keys start with
// it, sorted.
func (b *localBucket) listTemp(ctx context.Context, prefix string) ([]Object, error) {
	dir := prefix[:strings.LastIndex(prefix, "/")+1]
	if dir != "" {
		if _, err := b.path(strings.TrimSuffix(dir, "/")); err != nil {
			return nil, err
		}
	}
	var out []Object
	var walk func(dir string) error
	walk = func(dir string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ents, err := b.readDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			rel := dir + e.Name()
			if isTemp(e.Name()) {
				if !strings.HasPrefix(rel, prefix) || !e.Type().IsRegular() {
					continue
				}
				fi, err := e.Info()
				if errors.Is(err, fs.ErrNotExist) {
					continue // published or discarded meanwhile
				} else if err != nil {
					return err
				}
				out = append(out, Object{Key: rel, Size: fi.Size(), ModTime: fi.ModTime()})
				continue
			}
			if kind, _ := b.entryKind(rel, e); kind == 'd' {
				sub := rel + "/"
				if strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
					if err := walk(sub); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk(dir); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// deleteTemp removes the temporary file at key (relative to the bucket
// root; its last segment is a temporary name) and fsyncs its directory.
func (b *localBucket) deleteTemp(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, name := path.Split(key)
	p := filepath.Join(b.root, name)
	if dir != "" {
		d, err := b.path(strings.TrimSuffix(dir, "/"))
		if err != nil {
			return err
		}
		p = filepath.Join(d, name)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if isNotDir(err) {
			return fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w: %w", key, errLocalIsDir, fs.ErrNotExist)
	}
	if err := os.Remove(p); err != nil {
		return err
	}
	return syncDir(filepath.Dir(p))
}
