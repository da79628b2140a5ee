package table

import (
	"sync/atomic"

	"github.com/floelake/floe/manifest"
)

// DefaultManifestCacheSize is a suggested size for the process's cache of
// decoded manifests (SetManifestCache(manifest.NewCache(...))): about
// 200,000 live files' entries with statistics of a dozen columns. The
// cache is off until a program sets one: the full interop run saw a
// long-lived floe process compacting beside Java writers leave a state
// Java rejects, not yet explained, and the cache shares decoded entries
// between plans.
const DefaultManifestCacheSize = 256 << 20

var manifestCache atomic.Pointer[manifest.Cache]

// SetManifestCache sets the cache of decoded manifests that scans, Files
// and streams' full reads of every Table in the process share; nil turns
// caching off (each plan reads and decodes its manifests). Manifests are
// immutable, so a long-lived process that plans the same table again
// decodes only the manifests written since (see manifest.Cache).
//
// While a cache is set, the live files of the snapshot a scan planned
// last (without a partition filter) are kept too, if they take at most
// half its size, so that planning that snapshot again starts from them.
func SetManifestCache(c *manifest.Cache) {
	manifestCache.Store(c)
	lastLive.reset()
}

// ManifestCache returns the cache SetManifestCache set (nil: none).
func ManifestCache() *manifest.Cache { return manifestCache.Load() }
