package table

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

// CommitConflictError says why a commit cannot be applied on top of the
// latest snapshot. errors.Is(err, ErrCommitConflict) is true.
type CommitConflictError struct {
	// Reason is a short description of the violated rule.
	Reason string
	// Files names the data files involved.
	Files []string
	// SnapshotID is the snapshot the commit was checked against (0: none).
	SnapshotID int64
}

func (e *CommitConflictError) Error() string {
	s := "table: commit conflict: " + e.Reason
	if len(e.Files) > 0 {
		s += " (" + strings.Join(e.Files, ", ") + ")"
	}
	if e.SnapshotID > 0 {
		s += fmt.Sprintf(" against snapshot %d", e.SnapshotID)
	}
	return s
}

// Is makes errors.Is(err, ErrCommitConflict) true.
func (e *CommitConflictError) Is(target error) bool { return target == ErrCommitConflict }

// checkConflicts applies Paimon's conflict rules to a commit: live holds the
// live (ADD) entries of the latest snapshot in the partitions the commit
// changes (or more), delta the commit's new entries in order. keyTypes are
// the trimmed primary-key types (nil for append tables). With overwrite the
// bucket-count rule is skipped. It is a pure function.
func checkConflicts(live, delta []manifest.Entry, keyTypes []schema.DataType, overwrite bool) error {
	// (b) the delta must not add and delete the same file.
	seen := make(map[string]manifest.FileKind, len(delta))
	for i := range delta {
		id := delta[i].Identity()
		if k, ok := seen[id]; ok {
			if k != delta[i].Kind {
				return &CommitConflictError{Reason: "commit adds and deletes the same file", Files: []string{delta[i].File.FileName}}
			}
			return &CommitConflictError{Reason: "commit lists the same file twice", Files: []string{delta[i].File.FileName}}
		}
		seen[id] = delta[i].Kind
	}
	// (a) every DELETE refers to a live file; an ADD is not live already.
	state := make(map[string]int, len(live)+len(delta)) // identity -> index in merged
	merged := make([]*manifest.Entry, 0, len(live)+len(delta))
	for i := range live {
		id := live[i].Identity()
		if _, ok := state[id]; ok {
			continue
		}
		state[id] = len(merged)
		merged = append(merged, &live[i])
	}
	var missing []string
	for i := range delta {
		e := &delta[i]
		id := e.Identity()
		j, ok := state[id]
		switch e.Kind {
		case manifest.Delete:
			if !ok {
				missing = append(missing, e.File.FileName)
				continue
			}
			merged[j] = nil
			delete(state, id)
		default:
			if ok {
				return &CommitConflictError{Reason: "file added is already live", Files: []string{e.File.FileName}}
			}
			state[id] = len(merged)
			merged = append(merged, e)
		}
	}
	if len(missing) > 0 {
		return &CommitConflictError{Reason: "file deleted is not live (deleted by another commit?)", Files: missing}
	}
	// (c) one bucket count per partition, unless overwriting.
	if !overwrite {
		buckets := map[string]*manifest.Entry{}
		for _, e := range merged {
			if e == nil {
				continue
			}
			p := string(e.Partition)
			if f, ok := buckets[p]; !ok {
				buckets[p] = e
			} else if f.TotalBuckets != e.TotalBuckets {
				return &CommitConflictError{
					Reason: fmt.Sprintf("total buckets of a partition changed from %d to %d (only an overwrite may rescale)", f.TotalBuckets, e.TotalBuckets),
					Files:  []string{f.File.FileName, e.File.FileName},
				}
			}
		}
	}
	// (d) primary-key tables: key ranges in a level >= 1 do not overlap.
	if keyTypes == nil {
		return nil
	}
	type run struct {
		min, max []byte // raw rows
		name     string
	}
	groups := map[string][]run{}
	for _, e := range merged {
		if e == nil || e.File.Level < 1 {
			continue
		}
		_, minRaw, err1 := binrow.Deserialize(e.File.MinKey)
		_, maxRaw, err2 := binrow.Deserialize(e.File.MaxKey)
		if err1 != nil || err2 != nil {
			return &CommitConflictError{Reason: "file has an undecodable key range", Files: []string{e.File.FileName}}
		}
		k := fmt.Sprintf("%x/%d/%d", e.Partition, e.Bucket, e.File.Level)
		groups[k] = append(groups[k], run{minRaw, maxRaw, e.File.FileName})
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rs := groups[k]
		sort.SliceStable(rs, func(i, j int) bool {
			if c := binrow.CompareRows(keyTypes, rs[i].min, rs[j].min); c != 0 {
				return c < 0
			}
			return bytes.Compare(rs[i].max, rs[j].max) < 0
		})
		for i := 1; i < len(rs); i++ {
			if binrow.CompareRows(keyTypes, rs[i-1].max, rs[i].min) >= 0 {
				return &CommitConflictError{Reason: "key ranges overlap in a level >= 1", Files: []string{rs[i-1].name, rs[i].name}}
			}
		}
	}
	return nil
}
