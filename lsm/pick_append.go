package lsm

import (
	"cmp"
	"slices"

	"github.com/floelake/floe/manifest"
)

// AppendOptions are the table options of append-table compaction.
type AppendOptions struct {
	MinFileNum int // compaction.min.file-num (5)
	// FileNumLimit (compaction.file-num-limit, 100000) bounds how many file
	// entries one unaware-bucket planning round reads from the snapshot
	// (across partitions); it is the caller's scan limit, not a picking
	// rule. Fixed-bucket tables do not use it.
	FileNumLimit   int
	TargetFileSize int64 // target-file-size (256 MiB for append tables)
	// CompactionFileSize is Paimon's small-file threshold,
	// CompactionFileSize(TargetFileSize).
	CompactionFileSize int64
	// OpenFileCost (source.split.open-file-cost, 4 MiB) is added per file
	// when the unaware-bucket planner sizes a task.
	OpenFileCost int64
}

// CompactionFileSize is Paimon's compactionFileSize: target/10*7 in
// integer arithmetic. Smaller files take part in small-file picking of
// append tables; in a primary-key compaction, a file alone in its section
// is upgraded only when at least this big.
func CompactionFileSize(targetFileSize int64) int64 { return targetFileSize / 10 * 7 }

// appendFullMinFiles is the fewest files a fixed-bucket full compaction
// without deletion vectors rewrites.
const appendFullMinFiles = 3

func bySequence(files []manifest.DataFile) []manifest.DataFile {
	s := slices.Clone(files)
	slices.SortStableFunc(s, func(a, b manifest.DataFile) int { return cmp.Compare(a.MinSequenceNumber, b.MinSequenceNumber) })
	return s
}

// PickAppend is a fixed-bucket append table's normal compaction pick
// (Paimon's BucketedAppendCompactManager.pickCompactBefore): it is
// PickAppendQueue without the new queue.
func PickAppend(files []manifest.DataFile, o AppendOptions) ([]manifest.DataFile, bool) {
	picked, _, ok := PickAppendQueue(files, o)
	return picked, ok
}

// PickAppendQueue picks from a fixed-bucket append writer's compaction
// queue (ordered here by MinSequenceNumber). It slides a window over the
// queue: each file joins the window; once the window holds MinFileNum
// files they are picked; otherwise, once the window's size reaches
// 2*TargetFileSize, its oldest file leaves it. rest is the new queue: the
// files after the picked window, or the window itself when nothing was
// picked. Files that left the window are dropped from the queue, as in
// Paimon (they are not compacted again by this writer).
//
// The caller keeps the queue: it adds each flushed file, and after a
// compaction adds back the last output file when it is smaller than
// CompactionFileSize.
func PickAppendQueue(files []manifest.DataFile, o AppendOptions) (picked, rest []manifest.DataFile, ok bool) {
	q := bySequence(files)
	if len(q) == 0 {
		return nil, nil, false
	}
	start := 0
	var total int64
	for i := range q {
		total += q[i].FileSize
		if i+1-start >= o.MinFileNum {
			return q[start : i+1 : i+1], q[i+1:], true
		}
		if total >= o.TargetFileSize*2 {
			total -= q[start].FileSize
			start++
		}
	}
	return nil, q[start:], false
}

// PickAppendFull is a fixed-bucket append table's full compaction
// (BucketedAppendCompactManager's full compaction task): with the files in
// sequence order, it skips the leading files of at least
// CompactionFileSize that have no deletion vector, then rewrites the rest
// when deletion vectors are on (dv), or when more of the rest are small
// than large and there are at least 3. forceRewriteAll
// (compaction.force-rewrite-all-files) rewrites every file. hasDV reports a
// file with a deletion vector (nil: none).
//
// Paimon iterates its queue in heap order here, not strictly by sequence
// number; floe uses sequence order.
func PickAppendFull(files []manifest.DataFile, o AppendOptions, dv, forceRewriteAll bool, hasDV func(manifest.DataFile) bool) ([]manifest.DataFile, bool) {
	if !forceRewriteAll && (len(files) == 0 || !dv && len(files) < appendFullMinFiles) {
		return nil, false
	}
	q := bySequence(files)
	if !forceRewriteAll {
		for len(q) > 0 && q[0].FileSize >= o.CompactionFileSize && (hasDV == nil || !hasDV(q[0])) {
			q = q[1:]
		}
	}
	if forceRewriteAll {
		return q, len(q) > 0
	}
	if dv {
		return q, len(q) > 0
	}
	small, big := 0, 0
	for i := range q {
		if q[i].FileSize >= o.CompactionFileSize {
			big++
		} else {
			small++
		}
	}
	if small > big && len(q) >= appendFullMinFiles {
		return q, true
	}
	return nil, false
}

// Unaware-bucket planner ages (Paimon's AppendCompactCoordinator): a
// partition whose files packed into no task for more than
// UnawareCompactAge rounds compacts them all at once; a partition state
// older than UnawareRemoveAge rounds (or without files) is dropped.
const (
	UnawareCompactAge = 5
	UnawareRemoveAge  = 10
)

// AppendUnawareCandidate reports whether an unaware-bucket append table
// file waits for compaction: it is smaller than CompactionFileSize. (With
// deletion vectors, a file whose deleted rows exceed
// compaction.delete-ratio-threshold of its rows, or whose cardinality is
// unknown, also waits; the caller checks that.)
func AppendUnawareCandidate(f manifest.DataFile, o AppendOptions) bool {
	return f.FileSize < o.CompactionFileSize
}

// PickAppendUnaware plans one partition of an unaware-bucket (bucket -1)
// append table, as Paimon's AppendCompactCoordinator: files are the
// partition's waiting files, age the rounds since files were last added to
// it (the caller resets it to 0 when it adds files). It returns the tasks,
// the files still waiting, and the new age.
//
// Packing: files by size ascending (ties by name), each counted as its size
// plus OpenFileCost, go into a bin; a bin of at least two files totalling
// at least 2*TargetFileSize becomes a task; a last bin of at least
// MinFileNum files becomes a task. With deletion vectors (indexFile
// non-nil: it names the deletion-vector index file of a data file, "" for
// none), files sharing an index file are packed as one group, groups by
// total size ascending, and the last bin of groups always becomes a task;
// the files without a deletion vector are then packed as above when there
// are at least two. When nothing is packed the age grows; once it exceeds
// UnawareCompactAge and more than one file waits, all waiting files become
// one task.
func PickAppendUnaware(files []manifest.DataFile, o AppendOptions, age int, indexFile func(manifest.DataFile) string) (tasks [][]manifest.DataFile, rest []manifest.DataFile, newAge int) {
	taken := map[string]bool{}
	var bin []manifest.DataFile
	var binSize int64
	add := func(f manifest.DataFile) {
		bin = append(bin, f)
		binSize += f.FileSize + o.OpenFileCost
	}
	drain := func() {
		for _, f := range bin {
			taken[f.FileName] = true
		}
		tasks = append(tasks, bin)
		bin, binSize = nil, 0
	}
	enough := func() bool { return len(bin) > 1 && binSize >= o.TargetFileSize*2 }
	pack := func(fs []manifest.DataFile) {
		fs = slices.Clone(fs)
		slices.SortStableFunc(fs, func(a, b manifest.DataFile) int {
			return cmp.Or(cmp.Compare(a.FileSize, b.FileSize), cmp.Compare(a.FileName, b.FileName))
		})
		for _, f := range fs {
			add(f)
			if enough() {
				drain()
			}
		}
		if len(bin) >= o.MinFileNum {
			drain()
		}
		bin, binSize = nil, 0
	}

	if indexFile == nil {
		pack(files)
	} else {
		groups := map[string][]manifest.DataFile{}
		var plain []manifest.DataFile
		for _, f := range files {
			if idx := indexFile(f); idx != "" {
				groups[idx] = append(groups[idx], f)
			} else {
				plain = append(plain, f)
			}
		}
		type group struct {
			index string
			size  int64
			files []manifest.DataFile
		}
		var gs []group
		for idx, fs := range groups {
			g := group{index: idx, files: fs}
			for _, f := range fs {
				g.size += f.FileSize
			}
			gs = append(gs, g)
		}
		slices.SortFunc(gs, func(a, b group) int { return cmp.Or(cmp.Compare(a.size, b.size), cmp.Compare(a.index, b.index)) })
		for _, g := range gs {
			for _, f := range g.files {
				add(f)
			}
			if enough() {
				drain()
			}
		}
		if len(bin) > 0 {
			drain()
		}
		if len(plain) > 1 {
			pack(plain)
		}
	}

	for _, f := range files {
		if !taken[f.FileName] {
			rest = append(rest, f)
		}
	}
	if len(tasks) == 0 {
		age++
		if age > UnawareCompactAge && len(rest) > 1 {
			return [][]manifest.DataFile{rest}, nil, age
		}
	}
	return tasks, rest, age
}
