package manifest

import (
	"container/list"
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
// Cache is safe for concurrent use; the entries it hands out are shared
// and read-only.
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
	entries []Entry
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

// get returns the entries of a cached manifest.
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
// blockBytes.
func (c *Cache) put(k cacheKey, entries []Entry, blockBytes int64) {
	bytes := blockBytes + int64(cap(entries))*int64(unsafe.Sizeof(Entry{}))
	c.mu.Lock()
	defer c.mu.Unlock()
	if bytes > c.max {
		return
	}
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.lru.PushFront(&cacheItem{key: k, entries: entries, bytes: bytes})
	c.size += bytes
	for c.size > c.max {
		el := c.lru.Back()
		it := el.Value.(*cacheItem)
		c.lru.Remove(el)
		delete(c.items, it.key)
		c.size -= it.bytes
		c.stats.Evictions++
	}
}

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
