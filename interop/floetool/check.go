package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
	"github.com/floelake/floe/table"
)

// check is floe's consistency check of a table (the contract's check):
// every snapshot and every tag must have all the files it references —
// manifest lists, manifests, live data files and their extra files,
// changelog files, the index manifest and its index files, statistics —
// and must read in full. A tag's changelog files are reported but do not
// fail the check: Paimon's expiry deletes the changelog of an expired
// snapshot even when a tag holds that snapshot (a tag keeps its data
// files only), and batch reads of a tag never use them.
func check(ctx context.Context, o options, out io.Writer) error {
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	c := &checker{t: t, st: t.Store(), seen: map[string]bool{}}
	ids, err := snapshot.List(ctx, c.st)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s, err := snapshot.Read(ctx, c.st, id)
		if err != nil {
			c.problem("snapshot %d: %v", id, err)
			continue
		}
		what := fmt.Sprintf("snapshot %d", id)
		c.snapshot(ctx, what, s, false)
		c.read(ctx, what, table.ScanOptions{SnapshotID: id})
	}
	tags, err := t.Tags(ctx)
	if err != nil {
		return err
	}
	for _, tg := range tags {
		what := fmt.Sprintf("tag %s (snapshot %d)", tg.Name, tg.ID)
		c.snapshot(ctx, what, &tg.Snapshot, true)
		c.read(ctx, what, table.ScanOptions{Tag: tg.Name})
	}
	for _, n := range c.notes {
		fmt.Fprintln(out, "note:", n)
	}
	if len(c.problems) > 0 {
		for _, p := range c.problems {
			fmt.Fprintln(os.Stderr, p)
		}
		return fmt.Errorf("%d consistency problem(s); first: %s", len(c.problems), c.problems[0])
	}
	_, err = fmt.Fprintf(out, "ok: %d snapshot(s), %d tag(s) checked\n", len(ids), len(tags))
	return err
}

type checker struct {
	t        *table.Table
	st       *storage.Store
	seen     map[string]bool // keys known to exist
	problems []string
	notes    []string
}

func (c *checker) problem(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// exists reports whether key exists (external paths are taken on trust).
func (c *checker) exists(ctx context.Context, key string) (bool, error) {
	if strings.Contains(key, "://") || c.seen[key] {
		return true, nil
	}
	ok, err := c.st.Exists(ctx, key)
	if err == nil && ok {
		c.seen[key] = true
	}
	return ok, err
}

// need records a problem (or, for a tag's changelog, a note) when key is
// missing.
func (c *checker) need(ctx context.Context, what, kind, key string, noteOnly bool) bool {
	ok, err := c.exists(ctx, key)
	switch {
	case err != nil:
		c.problem("%s: %s %s: %v", what, kind, key, err)
	case !ok && noteOnly:
		c.notes = append(c.notes, fmt.Sprintf("%s: %s %s is gone", what, kind, key))
	case !ok:
		c.problem("%s: missing %s %s", what, kind, key)
	}
	return err == nil && ok
}

// snapshot checks the files one snapshot (or tag) references.
func (c *checker) snapshot(ctx context.Context, what string, s *snapshot.Snapshot, isTag bool) {
	lists := []string{s.BaseManifestList, s.DeltaManifestList}
	complete := true
	for _, l := range lists {
		if l != "" && !c.manifests(ctx, what, "", l, false) {
			complete = false
		}
	}
	if complete {
		live, err := manifest.LiveFiles(ctx, c.st, lists...)
		if err != nil {
			c.problem("%s: live files: %v", what, err)
		}
		for i := range live {
			c.dataFile(ctx, what, "data file", &live[i], false)
		}
	}
	if s.ChangelogManifestList != nil && *s.ChangelogManifestList != "" {
		cl := *s.ChangelogManifestList
		if c.manifests(ctx, what, "changelog ", cl, isTag) {
			metas, _ := manifest.ReadList(ctx, c.st, cl)
			for _, m := range metas {
				entries, err := manifest.ReadManifest(ctx, c.st, m.FileName)
				if err != nil {
					c.problem("%s: changelog manifest %s: %v", what, m.FileName, err)
					continue
				}
				for i := range entries {
					if entries[i].Kind == manifest.Add {
						c.dataFile(ctx, what, "changelog file", &entries[i], isTag)
					}
				}
			}
		}
	}
	if s.IndexManifest != nil && *s.IndexManifest != "" {
		name := *s.IndexManifest
		if c.need(ctx, what, "index manifest", manifest.Key(name), false) {
			entries, err := manifest.ReadIndexManifest(ctx, c.st, name)
			if err != nil {
				c.problem("%s: index manifest %s: %v", what, name, err)
			}
			for _, e := range entries {
				if e.Kind == manifest.Add {
					c.need(ctx, what, e.IndexType+" index file", c.indexKey(e), false)
				}
			}
		}
	}
	if s.Statistics != nil && *s.Statistics != "" {
		c.need(ctx, what, "statistics file", "statistics/"+*s.Statistics, false)
	}
}

// manifests checks a manifest list and the manifests it names; true when
// they are all there. kind prefixes the names in messages.
func (c *checker) manifests(ctx context.Context, what, kind, list string, noteOnly bool) bool {
	if !c.need(ctx, what, kind+"manifest list", manifest.Key(list), noteOnly) {
		return false
	}
	metas, err := manifest.ReadList(ctx, c.st, list)
	if err != nil {
		c.problem("%s: manifest list %s: %v", what, list, err)
		return false
	}
	ok := true
	for _, m := range metas {
		ok = c.need(ctx, what, kind+"manifest", manifest.Key(m.FileName), noteOnly) && ok
	}
	return ok
}

func (c *checker) dataFile(ctx context.Context, what, kind string, e *manifest.Entry, noteOnly bool) {
	dir, err := c.t.BucketPath(e.Partition, e.Bucket)
	if err != nil {
		c.problem("%s: %s %s: %v", what, kind, e.File.FileName, err)
		return
	}
	key := dir + "/" + e.File.FileName
	if e.File.ExternalPath != nil {
		key, dir = *e.File.ExternalPath, path.Dir(*e.File.ExternalPath)
	}
	c.need(ctx, what, kind, key, noteOnly)
	for _, x := range e.File.ExtraFiles {
		c.need(ctx, what, kind+" extra file", dir+"/"+x, noteOnly)
	}
}

func (c *checker) indexKey(e manifest.IndexEntry) string {
	if e.ExternalPath != nil {
		return *e.ExternalPath
	}
	if v, ok := c.t.Schema().Option("index-file-in-data-file-dir"); ok && v == "true" {
		if dir, err := c.t.BucketPath(e.Partition, e.Bucket); err == nil {
			return dir + "/index/" + e.FileName
		}
	}
	return "index/" + e.FileName
}

// read reads a snapshot or tag in full.
func (c *checker) read(ctx context.Context, what string, scan table.ScanOptions) {
	rr, err := c.t.ReadAll(ctx, scan, table.ReadOptions{})
	if err != nil {
		c.problem("%s unreadable: %v", what, err)
		return
	}
	defer rr.Release()
	for rr.Next() {
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		c.problem("%s unreadable: %v", what, err)
	}
}
