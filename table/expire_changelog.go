package table

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/floelake/floe/snapshot"
)

// Long-lived changelog expiry (Paimon's ExpireChangelogImpl): with
// changelog retention longer than the snapshots' (changelog.num-retained.*,
// changelog.time-retained), snapshot expiry copies each expired snapshot to
// changelog/changelog-<id> and keeps what its changelog needs; this
// expires those copies in turn.

// planChangelogExpire plans the expiry of long-lived changelogs (expired,
// in id order) given what stays (the oldest kept changelog and the
// earliest snapshot) and the tags (as for planExpire). A changelog with a
// changelog manifest list loses its changelog files and that list; one
// without (no changelog producer: its delta is the changelog) loses the
// files its delta deleted, unless the latest earlier tag holds them, and
// its base and delta lists. Nothing a kept snapshot, changelog or tag
// references goes.
func planChangelogExpire(expired []expireSnap, keep []expireSnap, tags []tagRefs) expirePlan {
	var p expirePlan
	skip := map[string]bool{}
	for _, k := range keep {
		for _, key := range k.files() {
			skip[key] = true
		}
	}
	for _, t := range tags {
		for k := range t.meta {
			skip[k] = true
		}
	}
	data, meta := map[string]bool{}, map[string]bool{}
	ti := -1
	for _, c := range expired {
		p.snapshots = append(p.snapshots, c.id)
		for ti+1 < len(tags) && tags[ti+1].id < c.id {
			ti++
		}
		if len(c.clMeta) > 0 {
			for _, k := range c.changelog {
				data[k] = true
			}
			for _, k := range c.clMeta {
				meta[k] = true
			}
			continue
		}
		var held map[string]bool
		if ti >= 0 {
			held = tags[ti].data
		}
		added := map[string]bool{}
		for _, f := range c.delta {
			if f.add {
				added[f.key] = true
			}
		}
		for _, f := range c.delta {
			if f.add || added[f.key] || held[f.key] {
				continue
			}
			data[f.key] = true
			for _, x := range f.extras {
				data[x] = true
			}
		}
		for _, k := range c.lists {
			meta[k] = true
		}
	}
	for k := range skip {
		delete(data, k)
		delete(meta, k)
	}
	p.changelog = sortedKeys(data)
	p.meta = sortedKeys(meta)
	return p
}

// expireChangelogs expires long-lived changelogs by the changelog
// retention, in steps like snapshot expiry: changelog files first (oldest
// first), then the changelog EARLIEST hint, then the files.
func (t *Table) expireChangelogs(ctx context.Context, now time.Time, consumerNext int64, opts ExpireOptions, res *ExpireResult, log *slog.Logger) error {
	ids, err := snapshot.ListChangelogs(ctx, t.meta)
	if err != nil || len(ids) == 0 {
		return err
	}
	latest, err := snapshot.LatestID(ctx, t.meta)
	if err != nil {
		return err
	}
	earliestSnap, err := snapshot.Earliest(ctx, t.meta)
	if err != nil {
		return err
	}
	r := snapshot.Retention{Min: t.cfg.ChangelogNumRetainedMin, Max: t.cfg.ChangelogNumRetainedMax,
		Time: t.cfg.ChangelogTimeRetained, Limit: t.cfg.SnapshotExpireLimit}
	if opts.Limit < 0 {
		r.Limit = 0
	}
	var timeErr error
	begin, end := snapshot.ChangelogExpireRange(snapshot.ChangelogExpireInput{
		Earliest: ids[0], Latest: ids[len(ids)-1], LatestSnapshot: latest, Retention: r, Now: now, ConsumerNext: consumerNext,
		TimeMillis: func(id int64) (int64, bool) {
			c, err := snapshot.ReadChangelog(ctx, t.meta, id)
			if err != nil {
				if !errors.Is(err, snapshot.ErrNotFound) && timeErr == nil {
					timeErr = err
				}
				return 0, false
			}
			return c.TimeMillis, true
		},
	})
	if timeErr != nil {
		return timeErr
	}
	for b := begin; b < end; b += expireBatch {
		e := min(b+expireBatch, end)
		var cls []*snapshot.Snapshot
		for id := b; id <= e; id++ {
			c, err := snapshot.ReadChangelog(ctx, t.meta, id)
			if errors.Is(err, snapshot.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			cls = append(cls, c)
		}
		if len(cls) == 0 || cls[len(cls)-1].ID != e {
			return nil // the kept changelog is gone: a concurrent expiry
		}
		expired, last := cls[:len(cls)-1], cls[len(cls)-1]
		tags, err := snapshot.Tags(ctx, t.meta)
		if err != nil {
			return err
		}
		plan, err := t.planChangelogStep(ctx, expired, []*snapshot.Snapshot{last, earliestSnap}, tags)
		if errors.Is(err, errGone) {
			return nil
		}
		if err != nil {
			return err
		}
		if opts.DryRun {
			for _, id := range plan.snapshots {
				res.Paths = append(res.Paths, snapshot.ChangelogPath(id))
			}
			res.Paths = append(res.Paths, plan.changelog...)
			res.Paths = append(res.Paths, plan.meta...)
		} else {
			for _, id := range plan.snapshots {
				if err := t.deleteMeta(ctx, snapshot.ChangelogPath(id)); err != nil {
					return err
				}
			}
			if err := snapshot.Changelogs.WriteEarliestHint(ctx, t.meta, e); err != nil {
				log.Warn("write changelog EARLIEST hint", "error", err)
			}
			again, err := snapshot.Tags(ctx, t.meta)
			if err != nil {
				return err
			}
			if !sameTags(tags, again, e) {
				if plan, err = t.planChangelogStep(ctx, expired, []*snapshot.Snapshot{last, earliestSnap}, again); err != nil {
					return err
				}
			}
			for _, batch := range [][]string{plan.changelog, plan.meta} {
				if err := t.deleteAll(ctx, batch); err != nil {
					return err
				}
			}
		}
		res.ExpiredChangelogs += len(plan.snapshots)
		res.ChangelogFiles += len(plan.changelog)
		res.MetaFiles += len(plan.meta)
	}
	if res.ExpiredChangelogs > 0 {
		log.Info("expired long-lived changelogs", "begin", begin, "end", end, "changelogs", res.ExpiredChangelogs)
	}
	return nil
}

// planChangelogStep reads what planChangelogExpire needs and plans.
func (t *Table) planChangelogStep(ctx context.Context, expired, keep []*snapshot.Snapshot, tags []*snapshot.Tag) (expirePlan, error) {
	if len(expired) == 0 {
		return expirePlan{}, nil
	}
	// A changelog with a changelog list needs only it (with a producer,
	// snapshot expiry removed its base and delta lists); one without
	// needs its base and delta lists (its index manifest went with the
	// snapshot).
	want := func(c *snapshot.Snapshot) refsWant {
		if c.ChangelogManifestList != nil {
			return refsWant{changelog: true}
		}
		return refsWant{lists: true, delta: true}
	}
	ex := make([]expireSnap, len(expired))
	for i, c := range expired {
		r, err := t.snapRefs(ctx, c, want(c))
		if err != nil {
			if ok, xerr := snapshot.Changelogs.Exists(ctx, t.meta, c.ID); xerr == nil && !ok {
				return expirePlan{}, errGone
			}
			return expirePlan{}, err
		}
		ex[i] = r
	}
	kept := make([]expireSnap, len(keep))
	for i, k := range keep {
		w := refsWant{meta: true} // the earliest snapshot
		if i == 0 {               // the oldest kept changelog
			w = want(k)
			w.delta = false
		}
		r, err := t.snapRefs(ctx, k, w)
		if err != nil {
			return expirePlan{}, err
		}
		kept[i] = r
	}
	ids := make([]int64, len(tags))
	for i, tg := range tags {
		ids[i] = tg.ID
	}
	end := keep[0].ID
	dataNeed, metaNeed := expireTagNeeds(ids, expired[0].ID, end)
	refs := make([]tagRefs, len(tags))
	for i, tg := range tags {
		refs[i].id = tg.ID
	}
	for _, i := range dataNeed {
		r, err := t.snapRefs(ctx, &tags[i].Snapshot, refsWant{live: true})
		if err != nil {
			return expirePlan{}, t.tagErr(tags[i].Name, err)
		}
		refs[i].data = r.live
	}
	for _, i := range metaNeed {
		r, err := t.snapRefs(ctx, &tags[i].Snapshot, refsWant{meta: true, changelog: true})
		if err != nil {
			return expirePlan{}, t.tagErr(tags[i].Name, err)
		}
		refs[i].meta = map[string]bool{}
		for _, k := range r.files() {
			refs[i].meta[k] = true
		}
	}
	return planChangelogExpire(ex, kept, refs), nil
}
