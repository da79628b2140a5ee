package table

import (
	"reflect"
	"testing"

	"github.com/floelake/floe/manifest"
)

// TestManifestCacheNotModified runs writes, scans, compactions and Files
// with a manifest cache set and checks after each step that nothing
// changed what the cache and the kept last FileSet hold (they are shared
// between plans: a caller writing to them would change later plans).
func TestManifestCacheNotModified(t *testing.T) {
	for _, spec := range []Spec{
		pkCompactSpec(),
		pkCompactSpec(Option{"deletion-vectors.enabled", "true"}),
	} {
		c := manifest.NewCache(64 << 20)
		prev := ManifestCache()
		SetManifestCache(c)
		t.Cleanup(func() { SetManifestCache(prev) })
		e := newCastEnv(t, spec)
		check := func(step string) {
			t.Helper()
			if err := c.Check(e.ctx); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			lastLive.mu.Lock()
			key, fs := lastLive.key, lastLive.fs
			lastLive.mu.Unlock()
			if fs == nil {
				return
			}
			tb := e.open()
			fresh, err := manifest.LoadFileSet(e.ctx, tb.store, []string{key.base, key.delta}, manifest.FileSetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fs.Entries(), fresh.Entries()) {
				t.Fatalf("%s: the kept FileSet of %s differs from its manifests", step, key.base)
			}
		}
		for _, s := range compactPKSteps {
			e.writeKinds(s)
			e.rows()
			if _, _, err := e.open().Files(e.ctx, 0); err != nil {
				t.Fatal(err)
			}
			check("write")
		}
		e.compact(CompactOptions{Full: true})
		check("compact")
		if got := e.rows(); got != compactPKWant {
			t.Fatalf("after compaction:\n%s\nwant\n%s", got, compactPKWant)
		}
		e.writeKinds(compactPKSteps[1])
		e.compact(CompactOptions{})
		e.rows()
		check("compact again")
		if s := c.Stats(); s.Hits == 0 || s.Manifests == 0 {
			t.Fatalf("cache unused: %+v", s)
		}
	}
}
