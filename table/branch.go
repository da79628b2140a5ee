package table

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// MainBranch names a table's own branch: its root directory.
const MainBranch = "main"

// Sentinel errors of branches.
var (
	// ErrBranchExists reports a branch name already taken.
	ErrBranchExists = errors.New("table: branch already exists")
	// ErrNoBranch reports a branch that does not exist.
	ErrNoBranch = errors.New("table: no such branch")
	// ErrInvalidBranchSource: BranchOptions names both a tag and a
	// snapshot, or a negative snapshot.
	ErrInvalidBranchSource = errors.New("table: invalid branch source")
)

// branchPath is the directory of branch name below the table root:
// branch/branch-<name> (Paimon's BranchManager.branchPath).
func branchPath(name string) string { return branchDir + "/" + branchPrefix + name }

// isMain reports whether name is the main branch ("" counts as main, as
// Paimon's normalizeBranch has it for blank names).
func isMain(name string) bool { return strings.TrimSpace(name) == "" || name == MainBranch }

// ValidateBranchName checks a name for a new branch. Paimon refuses
// "main", blank names and names of digits only (BranchManager.validateBranch);
// floe also refuses what cannot be a directory name (a leading ".", a path
// separator, control characters, invalid UTF-8) and "$", which would make
// table$branch_<name> unreadable as Paimon splits object names at "$".
// Errors are *snapshot.NameError values (Kind "branch") matching
// snapshot.ErrInvalidName.
func ValidateBranchName(name string) error {
	bad := func(r string) error { return &snapshot.NameError{Kind: "branch", Name: name, Reason: r} }
	if err := snapshot.ValidateTagName(name); err != nil {
		var ne *snapshot.NameError
		if errors.As(err, &ne) {
			return bad(ne.Reason)
		}
		return err
	}
	switch {
	case name == MainBranch:
		return bad(`"main" is the default branch`)
	case strings.Trim(name, "0123456789") == "":
		return bad("purely numeric")
	case strings.Contains(name, "$"):
		return bad(`contains "$" (Paimon reads table$branch_<name>$<system table>)`)
	}
	return nil
}

// OpenBranch opens branch name of t's table ("" or MainBranch: the table
// itself). The branch reads and writes its own schemas, snapshots, tags,
// consumers and changelogs (branch/branch-<name>/) and shares the table's
// data files and manifests. It shares t's storage: close it before t when
// t owns the storage (Open). A missing branch gives ErrNoBranch.
func (t *Table) OpenBranch(ctx context.Context, name string) (*Table, error) {
	if isMain(name) {
		name = MainBranch
	}
	b, err := open(ctx, t.store, name)
	if errors.Is(err, ErrNotTable) && name != MainBranch {
		return nil, fmt.Errorf("%w: %q (no schema in %s)", ErrNoBranch, name, branchPath(name))
	}
	if err != nil {
		return nil, fmt.Errorf("open branch %s: %w", name, err)
	}
	return b, nil
}

// Branches returns the names of the table's branches (the directories
// branch/branch-<name>), sorted; the main branch is not listed.
func (t *Table) Branches(ctx context.Context) ([]string, error) {
	names, err := t.store.ListDir(ctx, branchDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", branchDir, err)
	}
	var out []string
	for _, n := range names {
		dir, ok := strings.CutSuffix(n, "/")
		if name, found := strings.CutPrefix(dir, branchPrefix); ok && found && name != "" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// branchExists reports whether the branch's directory holds any file, as
// Paimon's FileSystemBranchManager.branchExists asks the file system.
func (t *Table) branchExists(ctx context.Context, name string) (bool, error) {
	names, err := t.store.ListDir(ctx, branchPath(name))
	if err != nil {
		return false, fmt.Errorf("list %s: %w", branchPath(name), err)
	}
	return len(names) > 0, nil
}

// BranchOptions says what CreateBranch starts the branch from.
type BranchOptions struct {
	// Tag, when set, starts the branch at the snapshot of this tag of t's
	// branch, with a copy of the tag.
	Tag string
	// Snapshot, when set (and Tag is not), starts the branch at this
	// snapshot of t's branch, which must still exist. Paimon 1.4 and 2.0
	// offer only tags; the branch floe makes is the same as from a tag
	// without the tag copy. floe's expiry, tag deletion and rollback keep
	// the files a branch's snapshots use; Java Paimon's expiry of the
	// source branch does not, so on a table Java also maintains, start
	// branches from tags.
	//
	// With neither, the branch starts empty, with t's schemas.
	Snapshot int64
}

// CreateBranch creates branch name, as Paimon's FileSystemBranchManager
// does: an empty branch gets copies of t's schema files up to the latest
// one (so it starts as an empty table of the same schema); a branch from a
// tag gets copies of the schema files up to the tag's snapshot's schema,
// of that snapshot (written from the tag when the snapshot expired, as
// Paimon 2.0 does) and of the tag file itself, so the branch goes on from
// the tag's snapshot and its copy of the tag keeps that snapshot's files
// alive in the branch. Files are copied byte for byte; nothing else is
// written (no hints, as in Paimon).
//
// The schema files are written first and the tag last, each create-only,
// so a branch cut short by a crash is an empty branch or a branch at the
// tag's snapshot without its tag copy; DeleteBranch removes either. An
// invalid name gives an error matching snapshot.ErrInvalidName, a taken
// one ErrBranchExists, a missing tag one matching snapshot.ErrNotFound.
func (t *Table) CreateBranch(ctx context.Context, name string, opts BranchOptions) error {
	if err := ValidateBranchName(name); err != nil {
		return err
	}
	if opts.Tag != "" && opts.Snapshot != 0 {
		return fmt.Errorf("create branch %s: %w: a tag and a snapshot", name, ErrInvalidBranchSource)
	}
	if opts.Snapshot < 0 {
		return fmt.Errorf("create branch %s: %w: snapshot %d", name, ErrInvalidBranchSource, opts.Snapshot)
	}
	if ok, err := t.branchExists(ctx, name); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%w: %q", ErrBranchExists, name)
	}
	dst := t.store.Sub(branchPath(name))
	copyFile := func(key string) error {
		b, err := t.meta.Read(ctx, key)
		if err != nil {
			return err
		}
		return createBranchFile(ctx, dst, name, key, b)
	}
	ids, err := schemaIDs(ctx, t.meta)
	if err != nil {
		return err
	}
	if opts.Snapshot > 0 {
		key := snapshot.SnapshotPath(opts.Snapshot)
		snapBytes, err := t.meta.Read(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("create branch %s: %w: snapshot %d", name, snapshot.ErrNotFound, opts.Snapshot)
		}
		if err != nil {
			return err
		}
		snap, err := snapshot.Decode(key, snapBytes)
		if err != nil {
			return err
		}
		if err := copySchemas(ids, snap.SchemaID, copyFile); err != nil {
			return err
		}
		if err := createBranchFile(ctx, dst, name, key, snapBytes); err != nil {
			return err
		}
		// No tag keeps the snapshot's files: an expiry deletes them only
		// after it deleted the snapshot file, and lists the branches then.
		// The source still there now means that listing sees this branch.
		ok, err := t.meta.Exists(ctx, key)
		if err != nil {
			return err
		}
		if !ok {
			gone := fmt.Errorf("create branch %s: %w: snapshot %d expired meanwhile", name, snapshot.ErrNotFound, opts.Snapshot)
			if _, derr := t.DeleteBranch(ctx, name); derr != nil {
				return errors.Join(gone, derr)
			}
			return gone
		}
		return nil
	}
	if opts.Tag == "" {
		for _, id := range ids {
			if err := copyFile("schema/" + schema.FileName(id)); err != nil {
				return err
			}
		}
		return nil
	}
	tagBytes, err := t.meta.Read(ctx, snapshot.TagPath(opts.Tag))
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("create branch %s: %w: tag %q", name, snapshot.ErrNotFound, opts.Tag)
	}
	if err != nil {
		return err
	}
	tag, err := snapshot.DecodeTag(snapshot.TagPath(opts.Tag), tagBytes)
	if err != nil {
		return err
	}
	if err := copySchemas(ids, tag.SchemaID, copyFile); err != nil {
		return err
	}
	snapBytes, err := t.meta.Read(ctx, snapshot.SnapshotPath(tag.ID))
	if errors.Is(err, storage.ErrNotFound) {
		// Expired while the tag kept its files: the snapshot as the tag
		// holds it (Paimon 2.0 writes trimToSnapshot().toJson()).
		snap := tag.Snapshot
		snapBytes, err = snap.Encode()
	}
	if err != nil {
		return err
	}
	if err := createBranchFile(ctx, dst, name, snapshot.SnapshotPath(tag.ID), snapBytes); err != nil {
		return err
	}
	return createBranchFile(ctx, dst, name, snapshot.TagPath(opts.Tag), tagBytes)
}

// copySchemas copies the schema files of ids up to and including upTo.
func copySchemas(ids []int64, upTo int64, copyFile func(key string) error) error {
	for _, id := range ids {
		if id > upTo {
			break
		}
		if err := copyFile("schema/" + schema.FileName(id)); err != nil {
			return err
		}
	}
	return nil
}

// createBranchFile writes one file of a new branch create-only: a file
// already there means another CreateBranch of the same name got there
// first.
func createBranchFile(ctx context.Context, dst *storage.Store, branch, key string, b []byte) error {
	err := dst.Create(ctx, key, b)
	if errors.Is(err, storage.ErrExist) {
		return fmt.Errorf("%w: %q (created concurrently)", ErrBranchExists, branch)
	}
	if err != nil {
		return fmt.Errorf("create branch %s: write %s: %w", branch, key, err)
	}
	return nil
}

// DeleteBranch removes branch name: every file of its directory, the
// schema files last (so that a run cut short leaves a branch that is still
// listed and can be deleted again). Like Paimon's, it deletes only the
// branch's metadata: data files, manifests and index files the branch
// alone referenced stay in the table's directories for RemoveOrphanFiles.
// A branch that t's options name as scan.fallback-branch or
// scan.primary-branch is refused, as in Paimon. It returns the number of
// files deleted.
func (t *Table) DeleteBranch(ctx context.Context, name string) (int, error) {
	if isMain(name) {
		return 0, &snapshot.NameError{Kind: "branch", Name: name, Reason: "the main branch is the table itself (floe drop removes it)"}
	}
	for _, o := range []struct{ key, val string }{
		{"scan.fallback-branch", t.cfg.ScanFallbackBranch},
		{"scan.primary-branch", t.cfg.ScanPrimaryBranch},
	} {
		if o.val == name {
			return 0, fmt.Errorf("%w: cannot delete branch %q because it is configured as %s; reset %s first",
				ErrInvalidOption, name, o.key, o.key)
		}
	}
	objs, err := t.store.List(ctx, branchPath(name)+"/")
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", branchPath(name), err)
	}
	if len(objs) == 0 {
		return 0, fmt.Errorf("%w: %q", ErrNoBranch, name)
	}
	schemaPrefix := branchPath(name) + "/schema/"
	slices.SortStableFunc(objs, func(a, b storage.Object) int {
		as, bs := strings.HasPrefix(a.Key, schemaPrefix), strings.HasPrefix(b.Key, schemaPrefix)
		switch {
		case as == bs:
			return strings.Compare(a.Key, b.Key)
		case bs:
			return -1
		}
		return 1
	})
	n := 0
	for _, o := range objs {
		if err := t.store.Delete(ctx, o.Key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return n, fmt.Errorf("delete branch %s: %s: %w", name, o.Key, err)
		}
		n++
	}
	return n, nil
}

// FastForwardResult says what FastForward replaced.
type FastForwardResult struct {
	// From is the branch's earliest snapshot: t's snapshots, tags and
	// long-lived changelogs from it on, and its schemas from that
	// snapshot's schema on, were replaced by the branch's.
	From int64
	// Removed and Copied count the files deleted from and copied into t's
	// branch directory.
	Removed, Copied int
}

// FastForward makes t's branch (normally main) the branch name, as
// Paimon's fastForward does: t's snapshots and tags from the branch's
// earliest snapshot on and its schemas from that snapshot's schema on are
// removed, then the branch's schema, tag and snapshot files are copied
// over, byte for byte. Data files only the removed snapshots referenced
// are left for RemoveOrphanFiles. Writers of t's branch must be stopped,
// (a snapshot committed meanwhile makes the copy fail; floe's writers do
// not wait as they do for Rollback).
//
// floe orders the steps so that every state on the way is a history that
// reads: t's later snapshot files go newest first (after the LATEST
// hint), then its later tags, long-lived changelogs (Paimon leaves those)
// and schemas; the branch's schemas and tags are copied before its
// snapshots, oldest first; the LATEST and EARLIEST hints are written last,
// with t's own values (Paimon copies the branch's hint files, whose
// EARLIEST is wrong when t keeps earlier snapshots). Run it again after a
// crash: it redoes the same replacement. t keeps the schema it was opened
// with: open the table again to write with the branch's schema.
func (t *Table) FastForward(ctx context.Context, name string) (*FastForwardResult, error) {
	if name == MainBranch {
		return nil, &snapshot.NameError{Kind: "branch", Name: name, Reason: "main cannot be fast-forwarded into another branch"}
	}
	if strings.TrimSpace(name) == "" {
		return nil, &snapshot.NameError{Kind: "branch", Name: name, Reason: "blank"}
	}
	if name == t.branch {
		return nil, &snapshot.NameError{Kind: "branch", Name: name, Reason: "fast-forward from the current branch is not allowed"}
	}
	if ok, err := t.branchExists(ctx, name); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoBranch, name)
	}
	src := t.store.Sub(branchPath(name))
	from, err := snapshot.EarliestID(ctx, src)
	if errors.Is(err, snapshot.ErrNotFound) || err == nil && from == 0 {
		return nil, fmt.Errorf("%w: cannot fast forward branch %s, because it does not have snapshot", ErrNoSnapshot, name)
	}
	if err != nil {
		return nil, err
	}
	first, err := snapshot.Read(ctx, src, from)
	if err != nil {
		return nil, err
	}
	res := &FastForwardResult{From: from}

	// What goes: t's snapshots, tags and changelogs from `from` on, its
	// schemas from the branch's first schema on.
	ids, err := snapshot.List(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	tags, err := snapshot.Tags(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	cls, err := snapshot.ListChangelogs(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	sids, err := schemaIDs(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, id := range slices.Backward(ids) {
		if id >= from {
			gone = append(gone, snapshot.SnapshotPath(id))
		}
	}
	for _, tg := range tags {
		if tg.ID >= from {
			gone = append(gone, snapshot.TagPath(tg.Name))
		}
	}
	for _, id := range slices.Backward(cls) {
		if id >= from {
			gone = append(gone, snapshot.ChangelogPath(id))
		}
	}
	for _, id := range slices.Backward(sids) {
		if id >= first.SchemaID {
			gone = append(gone, "schema/"+schema.FileName(id))
		}
	}
	if err := t.deleteMeta(ctx, snapshot.SnapshotDir+"/"+snapshot.LatestHint); err != nil {
		return nil, err
	}
	for _, k := range gone {
		if err := t.deleteMeta(ctx, k); err != nil {
			return res, err
		}
		res.Removed++
	}

	// What comes: the branch's schemas, tags, then snapshots.
	bsids, err := schemaIDs(ctx, src)
	if err != nil {
		return res, err
	}
	copyOver := func(key string) error {
		b, err := src.Read(ctx, key)
		if err != nil {
			return err
		}
		if err := t.meta.Write(ctx, key, b); err != nil {
			return fmt.Errorf("fast-forward %s: write %s: %w", name, key, err)
		}
		res.Copied++
		return nil
	}
	for _, id := range bsids {
		if err := copyOver("schema/" + schema.FileName(id)); err != nil {
			return res, err
		}
	}
	btags, err := src.List(ctx, snapshot.TagDir+"/")
	if err != nil {
		return res, err
	}
	for _, o := range btags {
		if _, ok := strings.CutPrefix(o.Key, snapshot.TagDir+"/"+snapshot.TagPrefix); ok {
			if err := copyOver(o.Key); err != nil {
				return res, err
			}
		}
	}
	bids, err := snapshot.List(ctx, src)
	if err != nil {
		return res, err
	}
	for _, id := range bids {
		b, err := src.Read(ctx, snapshot.SnapshotPath(id))
		if err != nil {
			return res, err
		}
		// Create-only: a snapshot committed to t meanwhile is a writer
		// that was not stopped.
		if err := t.meta.Create(ctx, snapshot.SnapshotPath(id), b); err != nil {
			return res, fmt.Errorf("fast-forward %s: write %s (stop the writers of the target branch): %w", name, snapshot.SnapshotPath(id), err)
		}
		res.Copied++
	}
	if len(bids) > 0 {
		if err := snapshot.WriteLatestHint(ctx, t.meta, bids[len(bids)-1]); err != nil {
			return res, err
		}
		earliest := bids[0]
		if len(ids) > 0 && ids[0] < from {
			earliest = ids[0] // t keeps its snapshots before the branch's
		}
		if err := snapshot.WriteEarliestHint(ctx, t.meta, earliest); err != nil {
			return res, err
		}
	}
	return res, nil
}
