// Package changelog holds Paimon's changelog producers that work through
// compaction, as the decisions lsm's merge asks of them (lsm.Changelog):
// which record of a key is its version before a compaction, whether the
// key changed, and which changelog rows (+I, -U/+U, -D) the change makes.
//
//   - Lookup (changelog-producer=lookup): a compaction that takes level-0
//     files compares each key that has level-0 records with its version
//     above level 0: the record of the lowest level above 0 among the
//     merged ones, or the one looked up in the levels above the output.
//     First-row tables use FirstRow: a key is new only when no level
//     above holds it, and then its row is inserted.
//   - Full (changelog-producer=full-compaction): a compaction into the top
//     level compares each key's merged result with its record at the top
//     level, the result of the previous full compaction.
//
// changelog-producer=input needs no decision: the write buffer hands its
// input to changelog files as it flushes (lsm.Buffer.Input).
//
// Everything here is a pure function of levels and row kinds; the merge
// does the reading and writing.
package changelog

import (
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/schema"
)

// Lookup is the lookup producer for every merge engine but first-row.
type Lookup struct{}

// Before: the version before is the record of the lowest level above 0;
// the key changed when it has a level-0 record; without a version among
// the records, it is looked up above.
func (Lookup) Before(levels []int) (before int, changed, lookup bool) {
	before = -1
	for i, l := range levels {
		if l <= 0 {
			changed = true
			continue
		}
		if before < 0 || l < levels[before] {
			before = i
		}
	}
	return before, changed, changed && before < 0
}

// Rows are the update's rows (see updateRows).
func (Lookup) Rows(dst []lsm.ChangeRow, before, after schema.RowKind, hasBefore, hasAfter bool, equal func() bool) []lsm.ChangeRow {
	return updateRows(dst, before, after, hasBefore, hasAfter, equal)
}

// FirstRow is the lookup producer of first-row tables: a key is new, and
// its row an insert, when none of its records lies above level 0 and no
// level above holds it.
type FirstRow struct{}

// Before: a key changes when all its records are level 0; it is then
// looked up above (presence is enough).
func (FirstRow) Before(levels []int) (before int, changed, lookup bool) {
	for _, l := range levels {
		if l > 0 {
			return -1, false, false
		}
	}
	return -1, true, true
}

// Rows: +I of the kept row, unless the key was found above.
func (FirstRow) Rows(dst []lsm.ChangeRow, before, after schema.RowKind, hasBefore, hasAfter bool, equal func() bool) []lsm.ChangeRow {
	if hasBefore || !hasAfter || after.IsRetract() {
		return dst
	}
	return append(dst, lsm.ChangeRow{Kind: schema.Insert})
}

// Full is the full-compaction producer of a tree whose top level is
// MaxLevel.
type Full struct{ MaxLevel int }

// Before: the version before is the key's record at the top level; a key
// whose only record is that one did not change.
func (f Full) Before(levels []int) (before int, changed, lookup bool) {
	before = -1
	for i, l := range levels {
		if l == f.MaxLevel {
			before = i
		}
	}
	return before, !(len(levels) == 1 && before == 0), false
}

// Rows are the update's rows (see updateRows).
func (Full) Rows(dst []lsm.ChangeRow, before, after schema.RowKind, hasBefore, hasAfter bool, equal func() bool) []lsm.ChangeRow {
	return updateRows(dst, before, after, hasBefore, hasAfter, equal)
}

// updateRows are the changelog rows of a key going from its version
// before to the merge's result, as Paimon's lookup and full-compaction
// wrappers make them: nothing or a retract before, an insert after: +I;
// an insert before, a retract (or nothing) after: -D of the version
// before; an insert on both sides: -U before, +U after, unless both hold
// equal values (row deduplication).
func updateRows(dst []lsm.ChangeRow, before, after schema.RowKind, hasBefore, hasAfter bool, equal func() bool) []lsm.ChangeRow {
	afterAdd := hasAfter && !after.IsRetract()
	if !hasBefore || before.IsRetract() {
		if afterAdd {
			dst = append(dst, lsm.ChangeRow{Kind: schema.Insert})
		}
		return dst
	}
	if !afterAdd {
		return append(dst, lsm.ChangeRow{Kind: schema.Delete, Before: true})
	}
	if equal() {
		return dst
	}
	return append(dst, lsm.ChangeRow{Kind: schema.UpdateBefore, Before: true}, lsm.ChangeRow{Kind: schema.UpdateAfter})
}

var (
	_ lsm.Changelog = Lookup{}
	_ lsm.Changelog = FirstRow{}
	_ lsm.Changelog = Full{}
)
