package table

import (
	"context"
	"log/slog"
	"sync"
)

// maintainer runs the table upkeep that follows a commit, as Paimon's
// TableCommitImpl does unless write-only is set: consumer expiry
// (consumer.expiration-time), then snapshot expiry. With
// snapshot.expire.execution-mode = async it runs in the background, one
// run at a time (a commit while one runs skips it); Table.Close waits for
// it.
type maintainer struct {
	mu      sync.Mutex
	running bool
	wg      sync.WaitGroup
}

// maintain runs the upkeep after a commit that published snapshots. Its
// errors do not fail the commit: they are logged and returned.
func (t *Table) maintain(ctx context.Context, log *slog.Logger) error {
	if t.cfg.WriteOnly {
		return nil
	}
	if !t.cfg.SnapshotExpireAsync {
		return t.maintainOnce(context.WithoutCancel(ctx), log)
	}
	m := &t.maint
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return nil
	}
	m.running = true
	m.wg.Add(1)
	m.mu.Unlock()
	go func() {
		defer m.wg.Done()
		_ = t.maintainOnce(context.WithoutCancel(ctx), log)
		m.mu.Lock()
		m.running = false
		m.mu.Unlock()
	}()
	return nil
}

func (t *Table) maintainOnce(ctx context.Context, log *slog.Logger) error {
	if _, err := t.ExpireConsumers(ctx); err != nil {
		log.Warn("consumer expiry after commit failed", "error", err)
		return err
	}
	if _, err := t.Expire(ctx, ExpireOptions{Logger: log}); err != nil {
		log.Warn("snapshot expiry after commit failed", "error", err)
		return err
	}
	return nil
}
