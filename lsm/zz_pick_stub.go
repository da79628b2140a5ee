package lsm

// TEMPORARY stand-in for the pickers being written on branch h10/pick;
// deleted when that branch merges.

import (
	"sort"
	"time"

	"github.com/floelake/floe/manifest"
)

type SortedRun struct {
	Level int
	Files []manifest.DataFile
}

func (r SortedRun) Size() int64 {
	var n int64
	for _, f := range r.Files {
		n += f.FileSize
	}
	return n
}

type Levels struct {
	n     int
	files []manifest.DataFile
}

func NewLevels(files []manifest.DataFile, numLevels int, cmp func(a, b []byte) int) *Levels {
	l := &Levels{n: numLevels, files: append([]manifest.DataFile(nil), files...)}
	for _, f := range files {
		if int(f.Level)+1 > l.n {
			l.n = int(f.Level) + 1
		}
	}
	return l
}
func (l *Levels) NumLevels() int { return l.n }
func (l *Levels) MaxLevel() int  { return l.n - 1 }
func (l *Levels) Runs() []SortedRun {
	var out []SortedRun
	var l0 []manifest.DataFile
	for _, f := range l.files {
		if f.Level == 0 {
			l0 = append(l0, f)
		}
	}
	sort.Slice(l0, func(i, j int) bool { return l0[i].MaxSequenceNumber > l0[j].MaxSequenceNumber })
	for _, f := range l0 {
		out = append(out, SortedRun{Level: 0, Files: []manifest.DataFile{f}})
	}
	for lv := 1; lv < l.n; lv++ {
		var fs []manifest.DataFile
		for _, f := range l.files {
			if int(f.Level) == lv {
				fs = append(fs, f)
			}
		}
		if len(fs) > 0 {
			out = append(out, SortedRun{Level: lv, Files: fs})
		}
	}
	return out
}
func (l *Levels) NonEmptyHighestLevel() int {
	h := -1
	for _, f := range l.files {
		h = max(h, int(f.Level))
	}
	return h
}
func (l *Levels) DropDelete(u Unit, dv bool) bool {
	return u.OutputLevel != 0 && (u.OutputLevel >= l.NonEmptyHighestLevel() || dv)
}

type Unit struct {
	OutputLevel int
	Files       []manifest.DataFile
}

type UniversalOptions struct {
	MaxSizeAmp, SizeRatio, NumRunTrigger, OffPeakRatio int
	OptimizationInterval                               time.Duration
	TotalSizeThreshold, IncrementalSizeThreshold       int64
}
type Universal struct{ o UniversalOptions }

func NewUniversal(o UniversalOptions) *Universal { return &Universal{o} }
func (u *Universal) Pick(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	if len(runs) > u.o.NumRunTrigger {
		return PickFull(numLevels, runs)
	}
	return Unit{}, false
}
func PickFull(numLevels int, runs []SortedRun) (Unit, bool) {
	if len(runs) == 0 || (len(runs) == 1 && runs[0].Level == numLevels-1) {
		return Unit{}, false
	}
	u := Unit{OutputLevel: numLevels - 1}
	for _, r := range runs {
		u.Files = append(u.Files, r.Files...)
	}
	return u, true
}

type ForceUpLevel0 struct{ u *Universal }

func NewForceUpLevel0(u *Universal, maxInterval int) *ForceUpLevel0 { return &ForceUpLevel0{u} }
func (f *ForceUpLevel0) Pick(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	if len(runs) > 0 && runs[0].Level == 0 {
		return PickFull(numLevels, runs)
	}
	return Unit{}, false
}

type AppendOptions struct {
	MinFileNum, FileNumLimit           int
	TargetFileSize, CompactionFileSize int64
}

func PickAppend(files []manifest.DataFile, o AppendOptions) ([]manifest.DataFile, bool) {
	var small []manifest.DataFile
	for _, f := range files {
		if f.FileSize < o.CompactionFileSize {
			small = append(small, f)
		}
	}
	if len(small) >= o.MinFileNum {
		return small, true
	}
	return nil, false
}
