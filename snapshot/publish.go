package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/floelake/floe/storage"
)

// PublishOptions configures Publish. The zero value means the defaults.
type PublishOptions struct {
	// Attempts bounds the create requests sent for one Publish when the
	// store's answers are ambiguous (default 8).
	Attempts int
	// MinBackoff and MaxBackoff bound the jittered exponential wait between
	// attempts (defaults 20ms and 2s).
	MinBackoff, MaxBackoff time.Duration
	// HintTimeout bounds the LATEST hint update after a successful publish,
	// which runs even if ctx is cancelled by then (default 10s).
	HintTimeout time.Duration
	// SkipLatestHint leaves snapshot/LATEST alone.
	SkipLatestHint bool
	// Logger receives lifecycle events; nil discards them.
	Logger *slog.Logger
}

func (o PublishOptions) withDefaults() PublishOptions {
	if o.Attempts <= 0 {
		o.Attempts = 8
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 20 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.HintTimeout <= 0 {
		o.HintTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// PublishResult describes a successful Publish.
type PublishResult struct {
	ID int64
	// Attempts is the number of create requests sent.
	Attempts int
	// Recovered is true when the snapshot was found already in place with our
	// exact bytes: an earlier attempt (in this call or a previous one) whose
	// answer was lost had in fact landed.
	Recovered bool
	// HintErr is the error of the LATEST hint update, if any. It never makes
	// the publish fail.
	HintErr error
}

// ConflictError reports that snapshot ID is held by a different commit.
// errors.Is(err, ErrConflict) is true. The committer should re-plan on top
// of Winner (nil if the existing file could not be decoded; then Err says
// why).
type ConflictError struct {
	ID     int64
	Winner *Snapshot
	Err    error
}

func (e *ConflictError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("snapshot: conflict: %s is taken by an unreadable file: %v", SnapshotPath(e.ID), e.Err)
	case e.Winner != nil:
		return fmt.Sprintf("snapshot: conflict: %s is taken by commit user %s identifier %d kind %s",
			SnapshotPath(e.ID), e.Winner.CommitUser, e.Winner.CommitIdentifier, e.Winner.CommitKind)
	}
	return fmt.Sprintf("snapshot: conflict: %s is taken", SnapshotPath(e.ID))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Unwrap returns the decode error of an unreadable winner, if any.
func (e *ConflictError) Unwrap() error { return e.Err }

// Publish makes snap visible: the atomic commit point of a floe table. It
// creates snapshot/snapshot-<snap.ID> with snap's encoded bytes using a
// create-only write, so that of all writers racing for one id exactly one
// wins. The rules, which the data safety of floe rests on:
//
//  1. Create succeeds: the snapshot is published. The LATEST hint is then
//     updated best effort under context.WithoutCancel(ctx) (bounded by
//     HintTimeout); its failure is logged and reported in
//     PublishResult.HintErr, never as an error.
//  2. Create reports that the file exists: it is read back. If its bytes are
//     ours — or it decodes to the same content and has the same commit
//     identity (commitUser, commitIdentifier, commitKind) — an earlier
//     attempt of ours landed and Publish succeeds (Recovered). Otherwise it
//     returns a *ConflictError (matching ErrConflict) carrying the winner, so
//     the committer can re-plan on top of it and try id+1.
//  3. Any other error is ambiguous: the file may or may not have been
//     written. Publish re-sends the same bytes to the same id, with jittered
//     exponential backoff, up to Attempts requests and while ctx lives,
//     until an answer is definite (then rule 1 or 2 applies). A failed
//     read-back in rule 2 also counts as ambiguous. If the answer stays
//     unknown, Publish returns an error matching ErrAmbiguous (and the ctx
//     error, if that is why it stopped): the snapshot may be live, and the
//     caller must not delete any file it references. A later Publish of the
//     same snapshot, or FindCommitted, settles the question.
//
// Publish never deletes anything, on any path. If ctx is already done
// before the first request, it returns ctx.Err() and nothing was sent.
// Publish is safe for concurrent use.
func Publish(ctx context.Context, store *storage.Store, snap *Snapshot, opts PublishOptions) (PublishResult, error) {
	o := opts.withDefaults()
	if snap.ID <= 0 {
		return PublishResult{}, fmt.Errorf("publish: invalid snapshot id %d", snap.ID)
	}
	data, err := snap.Encode()
	if err != nil {
		return PublishResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return PublishResult{}, err
	}
	p := SnapshotPath(snap.ID)
	log := o.Logger.With("snapshot_id", snap.ID)
	var last error
	for attempt := 1; ; attempt++ {
		err := store.Create(ctx, p, data)
		switch {
		case err == nil:
			return finishPublish(ctx, store, o, log, PublishResult{ID: snap.ID, Attempts: attempt}), nil
		case errors.Is(err, storage.ErrExist):
			rerr := checkExisting(ctx, store, snap.ID, data)
			if rerr == nil {
				return finishPublish(ctx, store, o, log, PublishResult{ID: snap.ID, Attempts: attempt, Recovered: true}), nil
			}
			var ce *ConflictError
			if errors.As(rerr, &ce) {
				log.Info("snapshot conflict", "attempts", attempt)
				return PublishResult{}, rerr
			}
			err = rerr // could not read the existing file: still ambiguous
		}
		last = err
		log.Warn("snapshot publish ambiguous", "attempt", attempt, "error", err)
		if attempt >= o.Attempts {
			return PublishResult{}, fmt.Errorf("publish %s: %w after %d attempts: %w", p, ErrAmbiguous, attempt, last)
		}
		if err := sleep(ctx, backoff(o, attempt)); err != nil {
			return PublishResult{}, fmt.Errorf("publish %s: %w after %d attempts: %w (last error: %v)", p, ErrAmbiguous, attempt, err, last)
		}
	}
}

// checkExisting reads the existing snapshot-<id> and returns nil if it is
// ours, a *ConflictError if it is someone else's, or another error if that
// cannot be told.
func checkExisting(ctx context.Context, store *storage.Store, id int64, data []byte) error {
	p := SnapshotPath(id)
	got, err := store.Read(ctx, p)
	if err != nil {
		return fmt.Errorf("read back %s: %w", p, err)
	}
	if bytes.Equal(got, data) {
		return nil
	}
	winner, err := Decode(p, got)
	if err != nil {
		return &ConflictError{ID: id, Err: err}
	}
	mine, err := Decode(p, data)
	if err != nil {
		panic("snapshot: our own encoding does not decode: " + err.Error())
	}
	if winner.SameCommit(mine) && reflect.DeepEqual(winner, mine) {
		return nil
	}
	return &ConflictError{ID: id, Winner: winner}
}

func finishPublish(ctx context.Context, store *storage.Store, o PublishOptions, log *slog.Logger, r PublishResult) PublishResult {
	if !o.SkipLatestHint {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.HintTimeout)
		if err := WriteLatestHint(hctx, store, r.ID); err != nil {
			r.HintErr = fmt.Errorf("%w: %w", ErrHint, err)
			log.Warn("snapshot hint not written", "error", err)
		}
		cancel()
	}
	log.Info("snapshot published", "attempts", r.Attempts, "recovered", r.Recovered)
	return r
}

func backoff(o PublishOptions, attempt int) time.Duration {
	d := o.MinBackoff
	for i := 1; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// FindCommitted looks for a snapshot with id > afterID carrying the commit
// identity (commitUser, identifier, kind). A committer whose publish ended
// ambiguously calls it, with the latest id it had seen before, to learn
// whether the commit landed. No match gives an error matching ErrNotFound.
// If some snapshots after afterID have already expired, the answer cannot
// be known and the error matches ErrAmbiguous.
func FindCommitted(ctx context.Context, store *storage.Store, commitUser string, identifier int64, kind Kind, afterID int64) (*Snapshot, error) {
	ids, err := List(ctx, store)
	if err != nil {
		return nil, err
	}
	checkedFrom := int64(-1)
	for _, id := range ids {
		if id <= afterID {
			continue
		}
		s, err := Read(ctx, store, id)
		if errors.Is(err, ErrNotFound) {
			continue // expired meanwhile: covered by the gap check below
		}
		if err != nil {
			return nil, err
		}
		if checkedFrom < 0 {
			checkedFrom = id
		}
		if s.CommitUser == commitUser && s.CommitIdentifier == identifier && s.CommitKind == kind {
			return s, nil
		}
	}
	if checkedFrom > afterID+1 {
		return nil, fmt.Errorf("%w: snapshots %d..%d expired before commit %s/%d could be looked for",
			ErrAmbiguous, afterID+1, checkedFrom-1, commitUser, identifier)
	}
	return nil, fmt.Errorf("%w: no snapshot after %d by commit user %s identifier %d kind %s",
		ErrNotFound, afterID, commitUser, identifier, kind)
}

// LatestByUser returns the newest snapshot committed by commitUser, scanning
// backwards from the latest snapshot. Streaming committers use it after a
// restart to drop commits whose identifier is ≤ its CommitIdentifier. No
// match gives an error matching ErrNotFound.
func LatestByUser(ctx context.Context, store *storage.Store, commitUser string) (*Snapshot, error) {
	ids, err := List(ctx, store)
	if err != nil {
		return nil, err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		s, err := Read(ctx, store, ids[i])
		if errors.Is(err, ErrNotFound) {
			continue // expired while scanning
		}
		if err != nil {
			return nil, err
		}
		if s.CommitUser == commitUser {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: no snapshot by commit user %s", ErrNotFound, commitUser)
}
