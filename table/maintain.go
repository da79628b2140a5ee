package table

import (
	"context"
	"log/slog"
	"sync"
)

// maintainer runs the table upkeep that follows a commit, as Paimon's
// TableCommitImpl does unless write-only is set: automatic tags and tag
// expiry (autotag.go), partition expiry (partition_expire.go), consumer
// expiry (consumer.expiration-time), then snapshot expiry. With
// snapshot.expire.execution-mode = async it runs in the background, one
// run at a time (a commit while one runs skips it); Table.Close waits for
// it.
type maintainer struct {
	mu      sync.Mutex
	running bool
	wg      sync.WaitGroup

	tags  autoTagState    // automatic tags (autotag.go)
	parts partExpireState // partition expiry (partition_expire.go)
}

// noUpkeep marks the context of a commit made by the upkeep itself (a
// partition expiry), which runs none: Java commits those with the file
// store's committer, which has no upkeep.
type noUpkeep struct{}

// maintain runs the upkeep after a commit that published snapshots. Its
// errors do not fail the commit: they are logged and returned.
func (t *Table) maintain(ctx context.Context, log *slog.Logger) error {
	if t.cfg.WriteOnly || ctx.Value(noUpkeep{}) != nil {
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
	// Java's order: automatic tags, tag expiry, partition expiry, then
	// consumers and snapshots.
	if err := t.autoTags(ctx, log); err != nil {
		log.Warn("tag upkeep after commit failed", "error", err)
		return err
	}
	if err := t.maintainPartitions(ctx, log); err != nil {
		log.Warn("partition expiry after commit failed", "error", err)
		return err
	}
	if _, err := t.ExpireConsumers(ctx); err != nil {
		log.Warn("consumer expiry after commit failed", "error", err)
		return err
	}
	if _, err := t.Expire(ctx, ExpireOptions{Logger: log, Now: t.now()}); err != nil {
		log.Warn("snapshot expiry after commit failed", "error", err)
		return err
	}
	return nil
}
