package lsm

import (
	"errors"
	"fmt"
	"slices"

	"github.com/floelake/floe/manifest"
)

// ErrUnknownFile reports a compaction result whose before-files are not all
// in the Levels.
var ErrUnknownFile = errors.New("lsm: file not in levels")

// ErrLevelRange reports a file whose level is negative or above the
// highest level of the Levels.
var ErrLevelRange = errors.New("lsm: file level out of range")

// ErrOverlap reports files of one level >= 1 whose key ranges overlap: a
// level >= 1 must be one sorted run.
var ErrOverlap = errors.New("lsm: overlapping files in a sorted level")

// SortedRun is one sorted run of a bucket: one level-0 file, or all files
// of a level >= 1 (sorted by min key, key ranges disjoint).
type SortedRun struct {
	Level int
	Files []manifest.DataFile
}

// Size is the sum of the run's file sizes.
func (r SortedRun) Size() int64 {
	var n int64
	for i := range r.Files {
		n += r.Files[i].FileSize
	}
	return n
}

// Levels is one bucket's files by level, the state a primary-key writer's
// compaction picks from (Paimon's mergetree Levels). It is not safe for
// concurrent use.
type Levels struct {
	cmp    func(a, b []byte) int
	level0 []manifest.DataFile   // newest first (level0Compare)
	levels [][]manifest.DataFile // levels[i] is level i+1, by min key
	bad    error                 // first problem met by NewLevels
}

// NewLevels groups a bucket's files by level. numLevels is raised to the
// highest file level + 1 when a file sits higher, and to at least 2.
// Level-0 files are ordered newest first: larger maxSequenceNumber first,
// then smaller minSequenceNumber, earlier creation time, and file name,
// as Paimon orders them; two level-0 files equal on all four count once.
// Files of a level >= 1 are ordered by MinKey under cmp. A file with a
// negative level, or overlapping files in a level >= 1, are reported by
// Validate (Paimon refuses such a bucket); call it on restored files.
func NewLevels(files []manifest.DataFile, numLevels int, cmp func(a, b []byte) int) *Levels {
	n := max(numLevels, 2)
	for i := range files {
		n = max(n, int(files[i].Level)+1)
	}
	l := &Levels{cmp: cmp, levels: make([][]manifest.DataFile, n-1)}
	for _, f := range files {
		switch {
		case f.Level < 0:
			if l.bad == nil {
				l.bad = fmt.Errorf("%w: %s has level %d", ErrLevelRange, f.FileName, f.Level)
			}
		case f.Level == 0:
			l.level0 = insertLevel0(l.level0, f)
		default:
			l.levels[f.Level-1] = append(l.levels[f.Level-1], f)
		}
	}
	for i := range l.levels {
		l.sortLevel(l.levels[i])
		if err := l.checkLevel(i+1, l.levels[i]); err != nil && l.bad == nil {
			l.bad = err
		}
	}
	return l
}

// Validate reports the first problem NewLevels met: a file with a negative
// level (ErrLevelRange) or overlapping key ranges in a level >= 1
// (ErrOverlap).
func (l *Levels) Validate() error { return l.bad }

// level0Compare orders level-0 files newest first, as Paimon's Levels.
func level0Compare(a, b *manifest.DataFile) int {
	if a.MaxSequenceNumber != b.MaxSequenceNumber {
		if a.MaxSequenceNumber > b.MaxSequenceNumber {
			return -1
		}
		return 1
	}
	if a.MinSequenceNumber != b.MinSequenceNumber {
		if a.MinSequenceNumber < b.MinSequenceNumber {
			return -1
		}
		return 1
	}
	switch {
	case a.CreationTime == nil && b.CreationTime != nil:
		return -1
	case a.CreationTime != nil && b.CreationTime == nil:
		return 1
	case a.CreationTime != nil && *a.CreationTime != *b.CreationTime:
		if *a.CreationTime < *b.CreationTime {
			return -1
		}
		return 1
	}
	switch {
	case a.FileName < b.FileName:
		return -1
	case a.FileName > b.FileName:
		return 1
	}
	return 0
}

func insertLevel0(l0 []manifest.DataFile, f manifest.DataFile) []manifest.DataFile {
	i, found := slices.BinarySearchFunc(l0, f, func(e, t manifest.DataFile) int { return level0Compare(&e, &t) })
	if found {
		return l0
	}
	return slices.Insert(l0, i, f)
}

func (l *Levels) sortLevel(files []manifest.DataFile) {
	slices.SortStableFunc(files, func(a, b manifest.DataFile) int { return l.cmp(a.MinKey, b.MinKey) })
}

// checkLevel reports overlapping neighbours of a sorted level: each file's
// MinKey must be above the previous file's MaxKey.
func (l *Levels) checkLevel(level int, files []manifest.DataFile) error {
	for i := 1; i < len(files); i++ {
		if l.cmp(files[i].MinKey, files[i-1].MaxKey) <= 0 {
			return fmt.Errorf("%w: level %d files %s and %s", ErrOverlap, level, files[i-1].FileName, files[i].FileName)
		}
	}
	return nil
}

// NumLevels is the number of levels, level 0 included.
func (l *Levels) NumLevels() int { return len(l.levels) + 1 }

// MaxLevel is NumLevels()-1.
func (l *Levels) MaxLevel() int { return len(l.levels) }

// Level0 returns the level-0 files, newest first. The slice is the
// Levels' own; do not modify it.
func (l *Levels) Level0() []manifest.DataFile { return l.level0 }

// Level returns the files of level i ordered as the level's run (newest
// first for level 0, by min key above), nil when i is out of range. The
// slice is the Levels' own; do not modify it.
func (l *Levels) Level(i int) []manifest.DataFile {
	switch {
	case i == 0:
		return l.level0
	case i < 0 || i > len(l.levels):
		return nil
	}
	return l.levels[i-1]
}

// Runs returns the sorted runs newest first: each level-0 file as a run of
// its own, then the non-empty levels 1..max.
func (l *Levels) Runs() []SortedRun {
	runs := make([]SortedRun, 0, l.NumRuns())
	for i := range l.level0 {
		runs = append(runs, SortedRun{Level: 0, Files: l.level0[i : i+1 : i+1]})
	}
	for i, files := range l.levels {
		if len(files) > 0 {
			runs = append(runs, SortedRun{Level: i + 1, Files: files})
		}
	}
	return runs
}

// NumRuns is the number of sorted runs (what num-sorted-run.stop-trigger
// is compared with).
func (l *Levels) NumRuns() int {
	n := len(l.level0)
	for _, files := range l.levels {
		if len(files) > 0 {
			n++
		}
	}
	return n
}

// NonEmptyHighestLevel is the highest level holding a file, -1 when the
// bucket is empty.
func (l *Levels) NonEmptyHighestLevel() int {
	for i := len(l.levels) - 1; i >= 0; i-- {
		if len(l.levels[i]) > 0 {
			return i + 1
		}
	}
	if len(l.level0) > 0 {
		return 0
	}
	return -1
}

// TotalSize is the sum of all file sizes.
func (l *Levels) TotalSize() int64 {
	var n int64
	for _, r := range l.Runs() {
		n += r.Size()
	}
	return n
}

// Files returns all files in run order (level 0 newest first, then levels
// 1..max), in a new slice.
func (l *Levels) Files() []manifest.DataFile {
	var out []manifest.DataFile
	for _, r := range l.Runs() {
		out = append(out, r.Files...)
	}
	return out
}

// AddLevel0 adds a newly flushed file to level 0 (f.Level is not
// consulted). A file equal to a present one in level-0 order is not added
// twice.
func (l *Levels) AddLevel0(f manifest.DataFile) { l.level0 = insertLevel0(l.level0, f) }

// Update applies a compaction result: it removes the before-files (found
// by level and file name) and adds the after-files at their levels. On an
// error nothing changes: ErrUnknownFile when a before-file is not present,
// ErrLevelRange when a file's level is outside 0..MaxLevel, ErrOverlap when
// a level >= 1 would overlap. Paimon also adds files through this path when
// an upgrade moves a file up unchanged (the file is in both lists).
func (l *Levels) Update(before, after []manifest.DataFile) error {
	for _, f := range slices.Concat(before, after) {
		if f.Level < 0 || int(f.Level) > l.MaxLevel() {
			return fmt.Errorf("%w: %s has level %d, levels are 0..%d", ErrLevelRange, f.FileName, f.Level, l.MaxLevel())
		}
	}
	touched := map[int][]manifest.DataFile{}
	get := func(level int) []manifest.DataFile {
		if files, ok := touched[level]; ok {
			return files
		}
		files := slices.Clone(l.Level(level))
		touched[level] = files
		return files
	}
	for _, f := range before {
		files := get(int(f.Level))
		i := slices.IndexFunc(files, func(e manifest.DataFile) bool { return e.FileName == f.FileName })
		if i < 0 {
			return fmt.Errorf("%w: %s at level %d", ErrUnknownFile, f.FileName, f.Level)
		}
		touched[int(f.Level)] = slices.Delete(files, i, i+1)
	}
	for _, f := range after {
		level := int(f.Level)
		files := get(level)
		if level == 0 {
			touched[0] = insertLevel0(files, f)
		} else {
			touched[level] = append(files, f)
		}
	}
	for level, files := range touched {
		if level == 0 {
			continue
		}
		l.sortLevel(files)
		if err := l.checkLevel(level, files); err != nil {
			return err
		}
	}
	for level, files := range touched {
		if level == 0 {
			l.level0 = files
		} else {
			l.levels[level-1] = files
		}
	}
	return nil
}

// DropDelete reports whether a compaction of u may drop retractions
// (-U/-D rows), Paimon's rule: the output level is not 0 and either it is
// at or above the highest non-empty level (nothing older stays below it),
// or deletion vectors are on. Call it before applying the result.
// (Paimon's chain tables always keep deletes; floe has none.)
func (l *Levels) DropDelete(u Unit, dv bool) bool {
	return u.OutputLevel != 0 && (u.OutputLevel >= l.NonEmptyHighestLevel() || dv)
}
