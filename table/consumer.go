package table

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// ConsumerMode is Paimon's consumer.mode: when a stream's consumer file
// records its position.
type ConsumerMode int

const (
	// ConsumerTableMode follows the table's consumer.mode option
	// (exactly-once by default).
	ConsumerTableMode ConsumerMode = iota
	// ConsumerExactlyOnce records the position only when the caller calls
	// Stream.SaveProgress, once the rows up to it are processed: a
	// restarted stream neither skips nor repeats a row.
	ConsumerExactlyOnce
	// ConsumerAtLeastOnce makes every Stream.Next record the position
	// first (the snapshot the stream is reading), assuming the rows
	// returned before were processed: a restarted stream reads that
	// snapshot again from its start, so rows may come twice, never not at
	// all. Paimon's at-least-once consumers record the same: the earliest
	// snapshot their readers are still reading.
	ConsumerAtLeastOnce
)

// consumerFile is a consumer's progress and when its file was written.
type consumerFile struct {
	snapshot.Consumer
	modTime time.Time
}

// readConsumer reads consumer id. A consumer whose file was not written
// for longer than consumer.expiration-time is expired: it no longer keeps
// snapshots and the next ExpireConsumers deletes it, so it reads as
// absent (an error matching snapshot.ErrNotFound), as it will be once
// Paimon's commit maintenance has run.
func (t *Table) readConsumer(ctx context.Context, id string) (consumerFile, error) {
	c, err := snapshot.ReadConsumer(ctx, t.meta, id)
	if err != nil {
		return consumerFile{}, err
	}
	f := consumerFile{Consumer: c}
	if t.cfg.ConsumerExpirationTime <= 0 {
		return f, nil
	}
	p := snapshot.ConsumerPath(id)
	objs, err := t.meta.List(ctx, p)
	if err != nil {
		return consumerFile{}, fmt.Errorf("list %s: %w", p, err)
	}
	for _, o := range objs {
		if o.Key == p {
			f.modTime = o.ModTime
		}
	}
	if f.modTime.IsZero() { // deleted meanwhile
		return consumerFile{}, fmt.Errorf("%w: %s: %w", snapshot.ErrNotFound, p, storage.ErrNotFound)
	}
	if consumerExpired(f.modTime, time.Now(), t.cfg.ConsumerExpirationTime) {
		return consumerFile{}, fmt.Errorf("%w: %s expired (not written since %s, consumer.expiration-time %s)",
			snapshot.ErrNotFound, p, f.modTime.Format(time.RFC3339), t.cfg.ConsumerExpirationTime)
	}
	return f, nil
}

// consumerExpired says whether a consumer file last written at modTime
// has expired at now under consumer.expiration-time exp (0: never).
func consumerExpired(modTime, now time.Time, exp time.Duration) bool {
	return exp > 0 && modTime.Before(now.Add(-exp))
}

// ExpireConsumers deletes the consumer files not written for longer than
// the table's consumer.expiration-time, as Paimon's commit maintenance
// does before it expires snapshots, and returns their ids. Without the
// option it does nothing.
func (t *Table) ExpireConsumers(ctx context.Context) ([]string, error) {
	exp := t.cfg.ConsumerExpirationTime
	if exp <= 0 {
		return nil, nil
	}
	objs, err := t.meta.List(ctx, snapshot.ConsumerDir+"/")
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", snapshot.ConsumerDir, err)
	}
	now := time.Now()
	var gone []string
	for _, o := range objs {
		id, ok := strings.CutPrefix(o.Key, snapshot.ConsumerDir+"/"+snapshot.ConsumerPrefix)
		if !ok || snapshot.ValidateConsumerID(id) != nil || !consumerExpired(o.ModTime, now, exp) {
			continue
		}
		if err := snapshot.DeleteConsumer(ctx, t.meta, id); err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			return gone, err
		}
		gone = append(gone, id)
	}
	return gone, nil
}

// ResetConsumer sets a consumer's next snapshot (Paimon's reset_consumer):
// a stream started with its id reads from that snapshot on. The snapshot
// must exist (or be the one after the latest).
func (t *Table) ResetConsumer(ctx context.Context, id string, next int64) error {
	if err := snapshot.ValidateConsumerID(id); err != nil {
		return err
	}
	earliest, err := snapshot.EarliestID(ctx, t.meta)
	if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
		return err
	}
	latest, err := snapshot.LatestID(ctx, t.meta)
	if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
		return err
	}
	if next < max(earliest, 1) || next > latest+1 {
		return fmt.Errorf("%w: consumer %s: next snapshot %d is outside the table's snapshots %d..%d (or %d, the next one)",
			ErrNoSnapshot, id, next, earliest, latest, latest+1)
	}
	return snapshot.WriteConsumer(ctx, t.meta, id, snapshot.Consumer{NextSnapshot: next})
}
