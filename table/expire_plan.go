package table

import (
	"slices"
	"sort"
)

// This file holds the pure decisions of snapshot expiry: given what the
// expired snapshots, the oldest kept snapshot and the tags reference (as
// store keys), which files die. The executor (expire.go) reads the
// metadata and deletes.

// fileRef is a data or changelog file of a manifest entry: its store key
// and the keys of its extra files (_EXTRA_FILES, e.g. file indexes).
type fileRef struct {
	key    string
	extras []string
	add    bool // ADD entry (else DELETE)
	// input: written from new input (file source APPEND, or unknown), so
	// it is the changelog of a table without a changelog producer.
	input bool
}

// expireSnap is what expiry planning needs of one snapshot.
type expireSnap struct {
	id int64
	// lists: keys of its base and delta manifest lists and the manifests
	// they list.
	lists []string
	// clMeta: its changelog manifest list and the manifests it lists.
	clMeta []string
	// meta: its index manifest and statistics file.
	meta []string
	// index: keys of the index files of its index manifest.
	index []string
	// delta: the entries of its delta manifests (needed for the snapshots
	// after the first expired one, up to the oldest kept).
	delta []fileRef
	// changelog: the files its changelog manifests add (expired snapshots).
	changelog []string
	// live: its live data files (tags).
	live map[string]bool
}

// tagRefs is what a tag keeps alive.
type tagRefs struct {
	id   int64
	data map[string]bool // data file keys of the tag's snapshot (nil: not needed)
	meta map[string]bool // metadata and index file keys (nil: not needed)
}

// expireMode says how expiry treats changelog: decoupled keeps what the
// long-lived changelog (changelog/changelog-<id>) of an expired snapshot
// needs: its changelog files and lists and, without a changelog producer
// (produce false), its delta's input files and its base and delta lists.
type expireMode struct {
	decoupled, produce bool
}

// expirePlan is what an expiry deletes, in this order: data files, then
// changelog files, then metadata (manifests, index manifests, manifest
// lists, index files, statistics). The executor deletes the snapshot files
// first (see expire.go).
type expirePlan struct {
	snapshots []int64
	data      []string
	changelog []string
	meta      []string
}

// expireTagNeeds says which tags the plan of [begin, end) reads, by index
// in tags (sorted by snapshot id): dataOf[i] for the tags whose data files
// it needs (the latest tag before each snapshot in (begin, end]), metaOf for
// those whose metadata it needs (the latest tag at or before begin, and
// every tag before end).
func expireTagNeeds(tags []int64, begin, end int64) (data, meta []int) {
	for i, id := range tags {
		if id >= end {
			break
		}
		// Tag i is the latest tag before some snapshot s in (begin, end]
		// when such an s has tags[i] < s <= next (the next tag's id, if
		// any): when max(tags[i], begin)+1 <= min(end, next). It is the
		// latest at or before begin when the next tag is after begin.
		next := int64(1<<62 - 1)
		if i+1 < len(tags) {
			next = tags[i+1]
		}
		if max(id, begin)+1 <= min(end, next) {
			data = append(data, i)
		}
		if id >= begin || next > begin {
			meta = append(meta, i)
		}
	}
	return data, meta
}

// planExpire plans the expiry of snapshots (expired, in id order, the range
// [begin, end) less any missing ones) given the oldest kept snapshot (end)
// and the tags (sorted by id; data and meta filled as expireTagNeeds
// says).
//
// Data files: those the delta of a snapshot in (begin, end] deletes (and
// does not add back: an upgrade deletes and adds the same file), unless
// the latest tag before that snapshot holds them (a file's life is a
// contiguous range of snapshots, so no other tag can). Changelog files:
// those the expired snapshots' changelog manifests add. Metadata: that of
// the expired snapshots which neither end nor a tag in the range uses.
// mode keeps what decoupled changelog needs (expireMode).
func planExpire(expired []expireSnap, end expireSnap, tags []tagRefs, mode expireMode) expirePlan {
	var p expirePlan
	if len(expired) == 0 {
		return p
	}
	for _, s := range expired {
		p.snapshots = append(p.snapshots, s.id)
	}
	data := map[string]bool{}
	later := append(slices.Clone(expired[1:]), end)
	ti := -1
	for _, s := range later {
		for ti+1 < len(tags) && tags[ti+1].id < s.id {
			ti++
		}
		var keep map[string]bool
		if ti >= 0 {
			keep = tags[ti].data
		}
		added := map[string]bool{}
		for _, f := range s.delta {
			if f.add {
				added[f.key] = true
			}
		}
		for _, f := range s.delta {
			if f.add || added[f.key] || keep[f.key] || mode.decoupled && !mode.produce && f.input {
				continue
			}
			data[f.key] = true
			for _, x := range f.extras {
				data[x] = true
			}
		}
	}
	p.data = sortedKeys(data)

	if !mode.decoupled {
		cl := map[string]bool{}
		for _, s := range expired {
			for _, k := range s.changelog {
				cl[k] = true
			}
		}
		p.changelog = sortedKeys(cl)
	}

	skip := map[string]bool{}
	for _, k := range slices.Concat(end.lists, end.meta, end.index) {
		skip[k] = true
	}
	for _, t := range tags {
		if t.id >= end.id {
			continue
		}
		for k := range t.meta {
			skip[k] = true
		}
	}
	meta := map[string]bool{}
	for _, s := range expired {
		keys := slices.Concat(s.meta, s.index)
		if !mode.decoupled || mode.produce {
			keys = append(keys, s.lists...)
		}
		if !mode.decoupled {
			keys = append(keys, s.clMeta...)
		}
		for _, k := range keys {
			if !skip[k] {
				meta[k] = true
			}
		}
	}
	p.meta = sortedKeys(meta)
	return p
}

// files returns every key of the snapshot's metadata, index files and
// changelog files (not its data files).
func (s *expireSnap) files() []string {
	return slices.Concat(s.lists, s.clMeta, s.meta, s.index, s.changelog)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
