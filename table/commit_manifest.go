package table

import (
	"context"
	"fmt"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
)

// writeManifests writes entries into manifest files rolled at
// manifest.target-file-size and returns their list metadata and names
// (names are returned even on error, for cleanup).
func (c *committer) writeManifests(ctx context.Context, entries []manifest.Entry) ([]manifest.FileMeta, []string, error) {
	if len(entries) == 0 {
		return nil, nil, nil
	}
	chunks, err := c.rollEntries(entries)
	if err != nil {
		return nil, nil, err
	}
	var metas []manifest.FileMeta
	var names []string
	for _, ch := range chunks {
		name := c.manifests.Next()
		names = append(names, name)
		size, err := manifest.WriteManifest(ctx, c.t.store, name, ch, c.enc)
		if err != nil {
			return nil, names, fmt.Errorf("commit: write manifest %s: %w", name, err)
		}
		meta, err := c.fileMeta(name, size, ch)
		if err != nil {
			return nil, names, err
		}
		metas = append(metas, meta)
	}
	return metas, names, nil
}

// rollEntries splits entries into chunks whose encoded manifests are about
// manifest.target-file-size each.
func (c *committer) rollEntries(entries []manifest.Entry) ([][]manifest.Entry, error) {
	target := c.t.cfg.ManifestTargetFileSize
	if target <= 0 || len(entries) < 2 {
		return [][]manifest.Entry{entries}, nil
	}
	// Estimate the size without compression cost dominating: encode once.
	b, err := manifest.EncodeManifest(entries, c.enc)
	if err != nil {
		return nil, fmt.Errorf("commit: encode manifest: %w", err)
	}
	n := int((int64(len(b)) + target - 1) / target)
	if n <= 1 {
		return [][]manifest.Entry{entries}, nil
	}
	per := (len(entries) + n - 1) / n
	var out [][]manifest.Entry
	for i := 0; i < len(entries); i += per {
		out = append(out, entries[i:min(i+per, len(entries))])
	}
	return out, nil
}

// fileMeta summarises one manifest for a manifest list.
func (c *committer) fileMeta(name string, size int64, entries []manifest.Entry) (manifest.FileMeta, error) {
	m := manifest.FileMeta{FileName: name, FileSize: size, SchemaID: c.schemaID}
	var minB, maxB, minL, maxL int32
	n := len(c.partTypes)
	mins := make([]any, n)
	maxs := make([]any, n)
	nulls := make([]int64, n)
	for i := range entries {
		e := &entries[i]
		if e.Kind == manifest.Delete {
			m.NumDeletedFiles++
		} else {
			m.NumAddedFiles++
		}
		if i == 0 || e.Bucket < minB {
			minB = e.Bucket
		}
		if i == 0 || e.Bucket > maxB {
			maxB = e.Bucket
		}
		if i == 0 || e.File.Level < minL {
			minL = e.File.Level
		}
		if i == 0 || e.File.Level > maxL {
			maxL = e.File.Level
		}
		if n == 0 {
			continue
		}
		// Null counts count entries (Java collects stats per entry).
		vals, err := decodeSerialized(c.partTypes, e.Partition)
		if err != nil {
			return m, fmt.Errorf("commit: file %s: partition: %w", e.File.FileName, err)
		}
		for j, v := range vals {
			if v == nil {
				nulls[j]++
				continue
			}
			if mins[j] == nil || binrow.CompareValues(c.partTypes[j], v, mins[j]) < 0 {
				mins[j] = v
			}
			if maxs[j] == nil || binrow.CompareValues(c.partTypes[j], v, maxs[j]) > 0 {
				maxs[j] = v
			}
		}
	}
	m.MinBucket, m.MaxBucket, m.MinLevel, m.MaxLevel = &minB, &maxB, &minL, &maxL
	minRow, err := binrow.Encode(c.partTypes, mins)
	if err != nil {
		return m, fmt.Errorf("commit: partition stats: %w", err)
	}
	maxRow, err := binrow.Encode(c.partTypes, maxs)
	if err != nil {
		return m, fmt.Errorf("commit: partition stats: %w", err)
	}
	m.PartitionStats.Min = binrow.Serialize(n, minRow)
	m.PartitionStats.Max = binrow.Serialize(n, maxRow)
	m.PartitionStats.NullCounts = make([]*int64, n)
	for j := range nulls {
		v := nulls[j]
		m.PartitionStats.NullCounts[j] = &v
	}
	return m, nil
}

// mergeManifests runs the manifest merger (§4.8) over the manifests of the
// latest snapshot and returns the new base manifests and the names of the
// manifests it wrote. A full compaction rewrites everything once the small
// or delete-carrying manifests reach manifest.full-compaction-threshold-size;
// otherwise runs of manifests adding up to manifest.target-file-size are
// merged, and a trailing run only when it has manifest.merge-min-count
// manifests.
func (c *committer) mergeManifests(ctx context.Context, metas []manifest.FileMeta) ([]manifest.FileMeta, []string, error) {
	cfg := c.t.cfg
	target := cfg.ManifestTargetFileSize
	var mustChange int64
	for _, m := range metas {
		if m.NumDeletedFiles > 0 || m.FileSize < target {
			mustChange += m.FileSize
		}
	}
	if len(metas) > 1 && cfg.ManifestFullCompactionThresholdSize > 0 && mustChange >= cfg.ManifestFullCompactionThresholdSize {
		return c.mergeGroup(ctx, metas, true)
	}
	var out []manifest.FileMeta
	var written []string
	var group []manifest.FileMeta
	var size int64
	flush := func() error {
		if len(group) == 1 {
			out = append(out, group[0])
		} else {
			merged, names, err := c.mergeGroup(ctx, group, false)
			written = append(written, names...)
			if err != nil {
				return err
			}
			out = append(out, merged...)
		}
		group, size = nil, 0
		return nil
	}
	for _, m := range metas {
		group = append(group, m)
		size += m.FileSize
		if size >= target {
			if err := flush(); err != nil {
				return nil, written, err
			}
		}
	}
	if len(group) > 0 {
		minCount := cfg.ManifestMergeMinCount
		if minCount < 2 {
			minCount = 2
		}
		if len(group) >= minCount {
			if err := flush(); err != nil {
				return nil, written, err
			}
		} else {
			out = append(out, group...)
		}
	}
	return out, written, nil
}

// mergeGroup reads the entries of metas, cancels ADD/DELETE pairs and writes
// the survivors. With full, DELETE tombstones (whose ADD is in no manifest
// of the table) are dropped too; that is valid only when metas are all
// the table's manifests.
func (c *committer) mergeGroup(ctx context.Context, metas []manifest.FileMeta, full bool) ([]manifest.FileMeta, []string, error) {
	entries, err := manifest.ReadEntries(ctx, c.t.store, metas)
	if err != nil {
		return nil, nil, fmt.Errorf("commit: merge manifests: %w", err)
	}
	merged, err := manifest.Merge(entries)
	if err != nil {
		return nil, nil, fmt.Errorf("commit: merge manifests: %w", err)
	}
	if full {
		kept := merged[:0:0]
		for _, e := range merged {
			if e.Kind == manifest.Add {
				kept = append(kept, e)
			}
		}
		merged = kept
	}
	return c.writeManifests(ctx, merged)
}
