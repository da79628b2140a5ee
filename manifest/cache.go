package manifest

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"gocloud.dev/blob"

	"github.com/floelake/floe/storage"
)

// Cache keeps decoded manifests in memory for LoadFileSet (through
// FileSetOptions.Cache), so that a long-lived process planning the same
// table again decodes only the manifests that are new since. Paimon never
// rewrites a manifest under its name, so a decoded manifest stays valid;
// entries are keyed by the store's bucket and location and the file's
// name and size. The least recently used manifests are dropped when the
// estimated memory of the decoded entries exceeds the cache's size. A
// Cache is safe for concurrent use. Loads get copies of its entries; what
// the entries point to (byte slices, strings, counts) is shared and
// read-only (see Check).
type Cache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	items map[cacheKey]*list.Element
	lru   list.List // front: most recently used; values *cacheItem
	stats CacheStats
}

// CacheStats count what a cache did.
type CacheStats struct {
	Hits, Misses int64
	Evictions    int64
	Manifests    int   // manifests held
	Bytes        int64 // their estimated memory
}

type cacheKey struct {
	bucket *blob.Bucket
	url    string // the store's location (mem:// stores share one)
	name   string
	size   int64
}

type cacheItem struct {
	key     cacheKey
	st      *storage.Store // for Check
	entries []Entry        // read-only, shared with the FileSets that loaded it
	bytes   int64
}

// NewCache returns a cache holding decoded manifests of up to maxBytes
// of estimated memory (the entries and the decoded blocks they point
// into). A manifest larger than maxBytes is never kept.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, items: map[cacheKey]*list.Element{}}
}

func newCacheKey(st *storage.Store, m *FileMeta) cacheKey {
	return cacheKey{bucket: st.Bucket(), url: st.URL(), name: m.FileName, size: m.FileSize}
}

// get returns the entries of a cached manifest, the cache's own array:
// read-only (FileSets share it; their Entries is a copy).
func (c *Cache) get(k cacheKey) ([]Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		c.stats.Misses++
		return nil, false
	}
	c.stats.Hits++
	c.lru.MoveToFront(el)
	return el.Value.(*cacheItem).entries, true
}

// put keeps the entries of a manifest whose decoded blocks take
// blockBytes, an array the caller hands over: from then on it is
// read-only, shared by the cache and the FileSets that loaded it (a
// FileSet's Entries is a copy). It returns entries.
func (c *Cache) put(st *storage.Store, k cacheKey, entries []Entry, blockBytes int64) []Entry {
	bytes := blockBytes + int64(len(entries))*int64(unsafe.Sizeof(Entry{}))
	if bytes > c.max {
		return entries
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return entries
	}
	c.items[k] = c.lru.PushFront(&cacheItem{key: k, st: st, entries: entries, bytes: bytes})
	c.size += bytes
	for c.size > c.max {
		el := c.lru.Back()
		it := el.Value.(*cacheItem)
		c.lru.Remove(el)
		delete(c.items, it.key)
		c.size -= it.bytes
		c.stats.Evictions++
	}
	return entries
}

// Check decodes every cached manifest again and reports the first whose
// cached entries differ from its file's, wrapping ErrCacheModified. The
// entries, and what they point to (byte slices, strings, counts), are
// shared with the FileSets that loaded them and read-only (FileSet.Entries
// is a copy of the structs): a difference means a caller wrote to them.
// It reads every cached manifest; it is meant for tests and debugging.
func (c *Cache) Check(ctx context.Context) error {
	c.mu.Lock()
	items := make([]*cacheItem, 0, len(c.items))
	for el := c.lru.Front(); el != nil; el = el.Next() {
		items = append(items, el.Value.(*cacheItem))
	}
	c.mu.Unlock()
	for _, it := range items {
		es, err := ReadManifest(ctx, it.st, it.key.name)
		if err != nil {
			return err
		}
		if len(es) != len(it.entries) {
			return fmt.Errorf("%w: manifest %s: %d entries cached, %d in the file", ErrCacheModified, it.key.name, len(it.entries), len(es))
		}
		for i := range es {
			if !reflect.DeepEqual(es[i], it.entries[i]) {
				return fmt.Errorf("%w: manifest %s: entry %d (%s): cached %+v, in the file %+v",
					ErrCacheModified, it.key.name, i, es[i].File.FileName, it.entries[i], es[i])
			}
		}
	}
	return nil
}

// ErrCacheModified reports cached manifest entries that differ from their
// file (see Cache.Check).
var ErrCacheModified = errors.New("manifest: cached entries modified")

// MaxBytes returns the estimated memory the cache holds at most.
func (c *Cache) MaxBytes() int64 { return c.max }

// Reset drops every cached manifest.
func (c *Cache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.items)
	c.lru.Init()
	c.size = 0
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Manifests, s.Bytes = len(c.items), c.size
	return s
}
