package manifest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/floelake/floe/storage"
)

// Dir is the directory, relative to the table root, holding manifest
// lists, manifests and index manifests.
const Dir = "manifest"

// Key returns the store key of a manifest-directory file.
func Key(name string) string { return Dir + "/" + name }

// ReadList reads and decodes manifest/<name> from a table-root store.
func ReadList(ctx context.Context, st *storage.Store, name string) ([]FileMeta, error) {
	b, err := st.Read(ctx, Key(name))
	if err != nil {
		return nil, fmt.Errorf("read manifest list %s: %w", name, err)
	}
	return DecodeList(name, b)
}

// ReadManifest reads and decodes manifest/<name>.
func ReadManifest(ctx context.Context, st *storage.Store, name string) ([]Entry, error) {
	b, err := st.Read(ctx, Key(name))
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", name, err)
	}
	return DecodeManifest(name, b)
}

// ReadIndexManifest reads and decodes manifest/<name>. An index manifest
// is the full set of live index files of a snapshot (all ADD entries).
func ReadIndexManifest(ctx context.Context, st *storage.Store, name string) ([]IndexEntry, error) {
	b, err := st.Read(ctx, Key(name))
	if err != nil {
		return nil, fmt.Errorf("read index manifest %s: %w", name, err)
	}
	return DecodeIndexManifest(name, b)
}

func write(ctx context.Context, st *storage.Store, what, name string, b []byte, err error) (int64, error) {
	if err != nil {
		return 0, fmt.Errorf("encode %s %s: %w", what, name, err)
	}
	if err := st.Write(ctx, Key(name), b); err != nil {
		return 0, fmt.Errorf("write %s %s: %w", what, name, err)
	}
	return int64(len(b)), nil
}

// WriteList encodes metas and writes manifest/<name>, returning its size
// (the value snapshots record as base/deltaManifestListSize).
func WriteList(ctx context.Context, st *storage.Store, name string, metas []FileMeta, opts EncodeOptions) (int64, error) {
	b, err := EncodeList(metas, opts)
	return write(ctx, st, "manifest list", name, b, err)
}

// WriteManifest encodes entries and writes manifest/<name>, returning its
// size (the value manifest lists record as _FILE_SIZE).
func WriteManifest(ctx context.Context, st *storage.Store, name string, entries []Entry, opts EncodeOptions) (int64, error) {
	b, err := EncodeManifest(entries, opts)
	return write(ctx, st, "manifest", name, b, err)
}

// WriteIndexManifest encodes entries and writes manifest/<name>,
// returning its size.
func WriteIndexManifest(ctx context.Context, st *storage.Store, name string, entries []IndexEntry, opts EncodeOptions) (int64, error) {
	b, err := EncodeIndexManifest(entries, opts)
	return write(ctx, st, "index manifest", name, b, err)
}

// File name prefixes (§ file naming: <prefix><uuid>-<counter>).
const (
	PrefixManifest      = "manifest-"
	PrefixList          = "manifest-list-"
	PrefixIndexManifest = "index-manifest-"
)

// NameGenerator produces file names <prefix><uuid>-<n> with one random
// UUID per generator and n counting from 0. It is safe for concurrent use.
type NameGenerator struct {
	prefix string
	uuid   string
	n      atomic.Int64
}

// NewNameGenerator returns a generator for one of the Prefix* constants.
func NewNameGenerator(prefix string) *NameGenerator {
	return &NameGenerator{prefix: prefix, uuid: uuid.NewString()}
}

// Next returns the next name.
func (g *NameGenerator) Next() string {
	return fmt.Sprintf("%s%s-%d", g.prefix, g.uuid, g.n.Add(1)-1)
}

// ReadLimit bounds how many manifests a load reads at once.
const ReadLimit = 16

// ReadEntries reads the manifests named by metas concurrently and returns
// their entries concatenated in list order. Each manifest is checked
// against its FileMeta (see CheckListed).
func ReadEntries(ctx context.Context, st *storage.Store, metas []FileMeta) ([]Entry, error) {
	parts, err := ReadManifests(ctx, st, metas)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]Entry, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

// ReadManifests reads the manifests named by metas concurrently and
// returns the entries of each, in list order. Each manifest is checked
// against its FileMeta (see CheckListed).
func ReadManifests(ctx context.Context, st *storage.Store, metas []FileMeta) ([][]Entry, error) {
	parts, _, err := readManifests(ctx, metas, func(ctx context.Context, _ int, m *FileMeta) ([]Entry, error) {
		es, err := ReadManifest(ctx, st, m.FileName)
		if err != nil {
			return nil, err
		}
		return es, CheckListed(m, es)
	})
	return parts, err
}

// readManifests runs read for each of metas concurrently (ReadLimit at
// once) and returns the results in order. On error it also returns the
// position in metas of the manifest that failed first (-1: none in
// particular).
func readManifests(ctx context.Context, metas []FileMeta, read func(ctx context.Context, i int, m *FileMeta) ([]Entry, error)) ([][]Entry, int, error) {
	parts := make([][]Entry, len(metas))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(ReadLimit)
	var mu sync.Mutex
	failed, first := -1, error(nil) // the first failure and its manifest
	for i := range metas {
		g.Go(func() error {
			es, err := read(ctx, i, &metas[i])
			if err != nil {
				mu.Lock()
				if first == nil {
					failed, first = i, err
				}
				mu.Unlock()
				return err
			}
			parts[i] = es
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, failed, first
	}
	return parts, -1, nil
}

// CheckListed checks a manifest's entries against the summary its
// manifest list holds: Paimon counts the ADD and DELETE entries exactly,
// takes the largest schema id, and (1.1+) the smallest and largest bucket
// and level. A disagreement means one of the two files is damaged; the
// error wraps ErrCorrupt and names both the manifest and the fields.
func CheckListed(m *FileMeta, entries []Entry) error {
	return checkListed(m, entries, [2]int64{})
}

// checkListed is CheckListed for a manifest some of whose entries were
// dropped undecoded: dropped counts them by kind.
func checkListed(m *FileMeta, entries []Entry, dropped [2]int64) error {
	add, del := dropped[Add], dropped[Delete]
	for i := range entries {
		e := &entries[i]
		if e.Kind == Add {
			add++
		} else {
			del++
		}
		var bad string
		switch {
		case e.File.SchemaID > m.SchemaID:
			bad = fmt.Sprintf("schema id %d above the list's _SCHEMA_ID %d", e.File.SchemaID, m.SchemaID)
		case m.MinBucket != nil && (e.Bucket < *m.MinBucket || e.Bucket > *m.MaxBucket):
			bad = fmt.Sprintf("bucket %d outside the list's _MIN_BUCKET.._MAX_BUCKET %d..%d", e.Bucket, *m.MinBucket, *m.MaxBucket)
		case m.MinLevel != nil && (e.File.Level < *m.MinLevel || e.File.Level > *m.MaxLevel):
			bad = fmt.Sprintf("level %d outside the list's _MIN_LEVEL.._MAX_LEVEL %d..%d", e.File.Level, *m.MinLevel, *m.MaxLevel)
		}
		if bad != "" {
			return fmt.Errorf("%s: %w: record %d (%s) disagrees with its manifest list: %s", m.FileName, ErrCorrupt, i, e.File.FileName, bad)
		}
	}
	if add != m.NumAddedFiles || del != m.NumDeletedFiles {
		return fmt.Errorf("%s: %w: %d ADD and %d DELETE entries, its manifest list says %d (_NUM_ADDED_FILES) and %d (_NUM_DELETED_FILES)",
			m.FileName, ErrCorrupt, add, del, m.NumAddedFiles, m.NumDeletedFiles)
	}
	return nil
}

// LiveFiles reads the given manifest lists in order (typically a
// snapshot's base and delta lists; empty names are skipped), reads all
// their manifests, merges the entries and returns the live ADD entries in
// order. It is LoadFileSet without options.
func LiveFiles(ctx context.Context, st *storage.Store, lists ...string) ([]Entry, error) {
	s, err := LoadFileSet(ctx, st, lists, FileSetOptions{})
	if err != nil {
		return nil, err
	}
	return s.Entries(), nil
}
