package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/floelake/floe/table"
)

// notFound is a one-line message for something that does not exist: a
// table, a tag, a snapshot. The cause stays reachable with errors.Is but
// is not printed (it names storage paths and driver errors).
type notFound struct {
	msg string
	err error
}

func (e *notFound) Error() string { return e.msg }
func (e *notFound) Unwrap() error { return e.err }

// missingTable turns "not a Paimon table" into "table … does not exist";
// name is the table as given, warehouse the warehouse it was looked up in
// ("" for a location).
func missingTable(err error, name, warehouse string) error {
	if !errors.Is(err, table.ErrNotTable) {
		return err
	}
	msg := fmt.Sprintf("table %s does not exist", name)
	if warehouse != "" {
		msg += " in warehouse " + warehouse
	}
	return &notFound{msg: msg, err: err}
}

// missingIdentifier explains a db.table name given without a warehouse
// that is no table directory either.
func missingIdentifier(err error, name string) error {
	if !errors.Is(err, table.ErrNotTable) || !isIdentifier(name) || os.Getenv(warehouseEnv) != "" {
		return missingTable(err, name, "")
	}
	return &notFound{err: err, msg: fmt.Sprintf(
		"table %s does not exist: no warehouse is set to look up a db.table name in (give --warehouse DIR or set $%s), and %s is no table directory",
		name, warehouseEnv, name)}
}

// missingSnapshot turns a time-travel miss into one line naming what was
// asked for.
func missingSnapshot(err error, id int64, tag string, asOf time.Time) error {
	if !errors.Is(err, table.ErrNoSnapshot) {
		return err
	}
	var msg string
	switch {
	case tag != "":
		msg = fmt.Sprintf("tag %q does not exist", tag)
	case id != 0:
		msg = fmt.Sprintf("snapshot %d does not exist (floe snapshots TABLE lists the snapshots)", id)
	case !asOf.IsZero():
		msg = fmt.Sprintf("no snapshot was committed at or before %s", asOf.Format(time.RFC3339Nano))
	default:
		msg = "the table has no snapshots"
	}
	return &notFound{msg: msg, err: err}
}
