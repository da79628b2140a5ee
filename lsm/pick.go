package lsm

import (
	"time"

	"github.com/floelake/floe/manifest"
)

// Unit is a picked compaction: the files to merge and the level the output
// goes to.
type Unit struct {
	OutputLevel int
	Files       []manifest.DataFile
	// FileRewrite marks a full compaction of a bucket that is already one
	// run at the highest level: each file is rewritten on its own (to
	// apply deletion vectors or expire records), not merged with others.
	FileRewrite bool
}

func unitOfRuns(outputLevel int, runs []SortedRun) Unit {
	u := Unit{OutputLevel: outputLevel}
	for _, r := range runs {
		u.Files = append(u.Files, r.Files...)
	}
	return u
}

// trivial reports a unit Paimon's MergeTreeCompactManager drops after a
// normal (not full) pick: no files, or one file already at the output
// level.
func (u Unit) trivial() bool {
	return len(u.Files) == 0 || len(u.Files) == 1 && int(u.Files[0].Level) == u.OutputLevel
}

// UniversalOptions are the table options of universal compaction.
type UniversalOptions struct {
	MaxSizeAmp    int // compaction.max-size-amplification-percent (200)
	SizeRatio     int // compaction.size-ratio (1)
	NumRunTrigger int // num-sorted-run.compaction-trigger (5)

	// OffPeakRatio (compaction.offpeak-ratio) is added to SizeRatio while
	// the hour of the pick's now is in [OffPeakStartHour,
	// OffPeakEndHour) (compaction.offpeak.start.hour / end.hour; the
	// window wraps past midnight when start > end). Off-peak is off when
	// either hour is -1 or the two are equal (so the zero value is off).
	OffPeakRatio                     int
	OffPeakStartHour, OffPeakEndHour int

	// Early full compaction (Paimon's EarlyFullCompaction); each is off
	// when 0. OptimizationInterval: compaction.optimization-interval, a
	// full compaction when none happened for longer than this (and at the
	// first pick). TotalSizeThreshold: compaction.total-size-threshold, a
	// full compaction while the bucket is smaller. IncrementalSizeThreshold:
	// compaction.incremental-size-threshold, a full compaction when the
	// runs below the highest level are together larger.
	OptimizationInterval     time.Duration
	TotalSizeThreshold       int64
	IncrementalSizeThreshold int64
}

// DefaultUniversalOptions are Paimon's defaults.
func DefaultUniversalOptions() UniversalOptions {
	return UniversalOptions{MaxSizeAmp: 200, SizeRatio: 1, NumRunTrigger: 5, OffPeakStartHour: -1, OffPeakEndHour: -1}
}

// offPeakRatio is the ratio added at hour h (Paimon's OffPeakHours).
func (o *UniversalOptions) offPeakRatio(h int) int {
	s, e := o.OffPeakStartHour, o.OffPeakEndHour
	if s == -1 || e == -1 || s == e {
		return 0
	}
	var in bool
	if s <= e {
		in = s <= h && h < e
	} else {
		in = h < e || s <= h
	}
	if in {
		return o.OffPeakRatio
	}
	return 0
}

func (o *UniversalOptions) earlyFull() bool {
	return o.OptimizationInterval > 0 || o.TotalSizeThreshold > 0 || o.IncrementalSizeThreshold > 0
}

// Universal picks compactions like Paimon's UniversalCompaction (1.4.2).
// It keeps the time of the last full compaction as state (read by
// OptimizationInterval); use one per bucket writer. Not safe for
// concurrent use.
type Universal struct {
	o        UniversalOptions
	lastFull int64 // epoch millis of the last full compaction
	hasFull  bool
}

// NewUniversal returns a picker with no full compaction seen yet.
func NewUniversal(o UniversalOptions) *Universal { return &Universal{o: o} }

// Pick picks a compaction from a bucket's runs (Levels.Runs, newest
// first) at time now, in Paimon's order of rules:
//
//  0. early full compaction (only with more than one run): the
//     optimization interval elapsed (or no full compaction yet), the
//     total size is below TotalSizeThreshold, or the size of the runs not
//     at the highest level exceeds IncrementalSizeThreshold;
//  1. size amplification (runs >= NumRunTrigger): all runs but the oldest
//     are larger than MaxSizeAmp% of the oldest ⇒ all runs;
//  2. size ratio (runs >= NumRunTrigger): from the newest run, take the
//     next run while candidate*(100+SizeRatio+off-peak ratio)/100 >= its
//     size; a pick needs at least two runs;
//  3. run count (runs > NumRunTrigger): the newest runs−NumRunTrigger+1
//     runs, extended by the size-ratio rule.
//
// The output level is the level of the first run not taken minus one; if
// that is 0, runs are taken up to the next run above level 0, whose level
// is the output; when every run is taken the output is the highest level.
// A pick of no files, or of one file already at its output level, is
// dropped (as Paimon's MergeTreeCompactManager does).
func (u *Universal) Pick(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	unit, ok := u.pick(numLevels, runs, now)
	if !ok || unit.trivial() {
		return Unit{}, false
	}
	return unit, true
}

// pick is Paimon's strategy pick before the manager's filter: ok with an
// empty unit happens (early full compaction of no runs) and stops a
// ForceUpLevel0 from forcing.
func (u *Universal) pick(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	maxLevel := numLevels - 1
	ms := now.UnixMilli()
	if u.o.earlyFull() {
		if unit, ok := u.tryFull(maxLevel, runs, ms); ok {
			return unit, true
		}
	}
	if unit, ok := u.pickSizeAmp(maxLevel, runs, ms); ok {
		return unit, true
	}
	if len(runs) >= u.o.NumRunTrigger {
		if unit, ok := u.pickSizeRatio(maxLevel, runs, 1, false, now, ms); ok {
			return unit, true
		}
	}
	if len(runs) > u.o.NumRunTrigger {
		n := min(len(runs)-u.o.NumRunTrigger+1, len(runs))
		return u.pickSizeRatio(maxLevel, runs, n, false, now, ms)
	}
	return Unit{}, false
}

func (u *Universal) markFull(ms int64) { u.lastFull, u.hasFull = ms, true }

func (u *Universal) tryFull(maxLevel int, runs []SortedRun, ms int64) (Unit, bool) {
	if len(runs) == 1 {
		return Unit{}, false
	}
	full := false
	if iv := u.o.OptimizationInterval; iv > 0 && (!u.hasFull || ms-u.lastFull > iv.Milliseconds()) {
		full = true
	}
	if !full && u.o.TotalSizeThreshold > 0 {
		var total int64
		for _, r := range runs {
			total += r.Size()
		}
		full = total < u.o.TotalSizeThreshold
	}
	if !full && u.o.IncrementalSizeThreshold > 0 {
		var inc int64
		for _, r := range runs {
			if r.Level != maxLevel {
				inc += r.Size()
			}
		}
		full = inc > u.o.IncrementalSizeThreshold
	}
	if !full {
		return Unit{}, false
	}
	u.markFull(ms)
	return unitOfRuns(maxLevel, runs), true
}

func (u *Universal) pickSizeAmp(maxLevel int, runs []SortedRun, ms int64) (Unit, bool) {
	if len(runs) < u.o.NumRunTrigger || len(runs) == 0 {
		return Unit{}, false
	}
	var candidate int64
	for _, r := range runs[:len(runs)-1] {
		candidate += r.Size()
	}
	oldest := runs[len(runs)-1].Size()
	if candidate*100 > int64(u.o.MaxSizeAmp)*oldest {
		u.markFull(ms)
		return unitOfRuns(maxLevel, runs), true
	}
	return Unit{}, false
}

// pickSizeRatio starts from the newest n runs and takes further runs while
// the size ratio allows; without force it needs at least two runs.
func (u *Universal) pickSizeRatio(maxLevel int, runs []SortedRun, n int, force bool, now time.Time, ms int64) (Unit, bool) {
	var candidate int64
	for _, r := range runs[:n] {
		candidate += r.Size()
	}
	for _, next := range runs[n:] {
		// In floating point, as Paimon computes it.
		ratio := 100.0 + float64(u.o.SizeRatio) + float64(u.o.offPeakRatio(now.Hour()))
		if float64(candidate)*ratio/100.0 < float64(next.Size()) {
			break
		}
		candidate += next.Size()
		n++
	}
	if !force && n <= 1 {
		return Unit{}, false
	}
	return u.unit(runs, maxLevel, n, ms), true
}

// unit makes the unit of the newest n runs, choosing the output level.
func (u *Universal) unit(runs []SortedRun, maxLevel, n int, ms int64) Unit {
	out := maxLevel
	if n < len(runs) {
		out = max(0, runs[n].Level-1)
	}
	if out == 0 {
		// Never output to level 0: take runs up to the next one above it.
		for n < len(runs) {
			next := runs[n]
			n++
			if next.Level != 0 {
				out = next.Level
				break
			}
		}
	}
	if n == len(runs) {
		u.markFull(ms)
		out = maxLevel
	}
	return unitOfRuns(out, runs[:n])
}

// forcePickL0 takes all level-0 runs, extended by the size-ratio rule.
func (u *Universal) forcePickL0(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	n := 0
	for n < len(runs) && runs[n].Level == 0 {
		n++
	}
	if n == 0 {
		return Unit{}, false
	}
	return u.pickSizeRatio(numLevels-1, runs, n, true, now, now.UnixMilli())
}

// PickFull is Paimon's full-compaction pick: all runs to the highest level.
// It picks nothing for no runs, or for a bucket that is already one run at
// the highest level.
func PickFull(numLevels int, runs []SortedRun) (Unit, bool) {
	return PickFullRewrite(numLevels, runs, nil)
}

// PickFullRewrite is PickFull where a bucket that is already one run at the
// highest level still rewrites the files rewrite reports (Paimon: all files
// with compaction.force-rewrite-all-files, files with expired records, files
// with a deletion vector), each on its own (FileRewrite). A nil rewrite
// reports none.
func PickFullRewrite(numLevels int, runs []SortedRun, rewrite func(f manifest.DataFile) bool) (Unit, bool) {
	maxLevel := numLevels - 1
	if len(runs) == 0 {
		return Unit{}, false
	}
	if len(runs) == 1 && runs[0].Level == maxLevel {
		u := Unit{OutputLevel: maxLevel, FileRewrite: true}
		if rewrite != nil {
			for _, f := range runs[0].Files {
				if rewrite(f) {
					u.Files = append(u.Files, f)
				}
			}
		}
		return u, len(u.Files) > 0
	}
	return unitOfRuns(maxLevel, runs), true
}

// ForceUpLevel0 is Paimon's ForceUpLevel0Compaction, the strategy of tables
// that look up (lookup changelog producer, first-row, deletion vectors) or
// set compaction.force-up-level-0: when universal picks nothing, it takes
// all level-0 runs (extended by the size-ratio rule). Radical mode forces
// at every pick; gentle mode (lookup-compact=gentle) only at every
// maxInterval-th pick that universal left empty. Not safe for concurrent
// use.
type ForceUpLevel0 struct {
	u           *Universal
	maxInterval int
	count       int
}

// NewForceUpLevel0 wraps u; maxInterval <= 0 is radical mode. For gentle
// mode pass GentleMaxInterval of the table options.
func NewForceUpLevel0(u *Universal, maxInterval int) *ForceUpLevel0 {
	return &ForceUpLevel0{u: u, maxInterval: maxInterval}
}

// GentleMaxInterval is Paimon's lookup-compact.max-interval: configured (0
// = unset, meaning 2*trigger) but at least trigger.
func GentleMaxInterval(trigger, configured int) int {
	if configured == 0 {
		configured = 2 * trigger
	}
	return max(trigger, configured)
}

// Pick picks as Universal.Pick, then forces level 0 up as described on
// ForceUpLevel0.
func (f *ForceUpLevel0) Pick(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	unit, ok := f.pick(numLevels, runs, now)
	if !ok || unit.trivial() {
		return Unit{}, false
	}
	return unit, true
}

func (f *ForceUpLevel0) pick(numLevels int, runs []SortedRun, now time.Time) (Unit, bool) {
	if unit, ok := f.u.pick(numLevels, runs, now); ok {
		return unit, true
	}
	if f.maxInterval <= 0 {
		return f.u.forcePickL0(numLevels, runs, now)
	}
	f.count++
	if f.count == f.maxInterval {
		f.count = 0
		return f.u.forcePickL0(numLevels, runs, now)
	}
	return Unit{}, false
}
