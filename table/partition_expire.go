package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
)

// Partition expiry, as Java Paimon's PartitionExpire: after a commit (at
// most once per partition.expiration-check-interval) and on demand
// (Table.ExpirePartitions), the partitions older than
// partition.expiration-time are dropped in an OVERWRITE commit. With the
// values-time strategy a partition's age is read from its values
// (partition_time.go); with update-time it is the creation time of its
// newest data file. The decision is planPartitionExpire (datadriven tests
// in testdata/partition_expire).

// PartitionExpireStrategy is the "partition.expiration-strategy" option.
type PartitionExpireStrategy string

// Partition expiry strategies.
const (
	PartitionExpireValuesTime PartitionExpireStrategy = "values-time"
	PartitionExpireUpdateTime PartitionExpireStrategy = "update-time"
)

func parsePartitionExpireOptions(p *parser, c *Config) {
	c.PartitionExpirationTime = p.duration(0, "partition.expiration-time")
	c.PartitionExpirationCheckInterval = p.duration(time.Hour, "partition.expiration-check-interval")
	c.PartitionExpirationStrategy = PartitionExpireStrategy(p.enum("values-time", "partition.expiration-strategy", "values-time", "update-time"))
	c.PartitionExpirationMaxNum = p.integer(100, 1, "partition.expiration-max-num")
	c.PartitionExpirationBatchSize = p.integer(0, 1, "partition.expiration-batch-size")
	c.PartitionTimestampPattern = p.str("", "partition.timestamp-pattern")
	if _, raw, ok := p.get("partition.timestamp-formatter"); ok {
		f, err := parsePartitionTimeFormatter(raw)
		if err != nil {
			p.fail("partition.timestamp-formatter", raw, err.Error())
		}
		c.PartitionTimestampFormatter, c.partitionTime = raw, f
	}
}

// partitionCandidate is a live partition as the expiry sees it.
type partitionCandidate struct {
	row []byte
	// values are Java's toString of each value, nil for null.
	values []*string
	// lastFileCreation is the creation time of its newest data file, epoch
	// milliseconds (update-time).
	lastFileCreation int64
}

// partitionExpireRule says which partitions expire.
type partitionExpireRule struct {
	strategy    PartitionExpireStrategy
	format      partitionTimeFormat
	pattern     string
	keys        []string
	defaultName string
	maxNum      int
	// cutoff is now less the expiration time: a local date-time for
	// values-time, and cutoffMillis its instant for update-time.
	cutoff       time.Time
	cutoffMillis int64
}

// expiredPartition is a partition planPartitionExpire chose.
type expiredPartition struct {
	cand   partitionCandidate
	values []string // the values, the default partition name for null
}

// planPartitionExpire returns the partitions that expire: with values-time
// those whose time is before the cutoff (a value that does not read as a
// time, or a null one, never expires), with update-time those whose newest
// file was created before it; in the order of their values joined by ","
// and at most maxNum of them (Java: PartitionExpire.doExpire).
func planPartitionExpire(r partitionExpireRule, cands []partitionCandidate) []expiredPartition {
	var out []expiredPartition
	for _, c := range cands {
		switch r.strategy {
		case PartitionExpireUpdateTime:
			if r.cutoffMillis <= c.lastFileCreation {
				continue
			}
		default:
			t, err := r.format.partitionTime(r.pattern, r.keys, c.values)
			if err != nil || !r.cutoff.After(t) {
				continue
			}
		}
		e := expiredPartition{cand: c, values: make([]string, len(c.values))}
		for i, v := range c.values {
			if v == nil {
				e.values[i] = r.defaultName
			} else {
				e.values[i] = *v
			}
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b expiredPartition) int {
		return strings.Compare(strings.Join(a.values, ","), strings.Join(b.values, ","))
	})
	if r.maxNum > 0 && len(out) > r.maxNum {
		out = out[:r.maxNum]
	}
	return out
}

// ExpirePartitionsOptions tunes ExpirePartitions. The zero value expires as
// the table's options say (partition.expiration-time, -strategy, -max-num,
// -batch-size, partition.timestamp-pattern and -formatter).
type ExpirePartitionsOptions struct {
	// ExpirationTime overrides partition.expiration-time when positive.
	ExpirationTime time.Duration
	// OlderThan, when set, overrides both: partitions older than this
	// time expire.
	OlderThan time.Time
	// MaxExpires overrides partition.expiration-max-num when positive.
	MaxExpires int
	// DryRun reports the partitions without dropping them.
	DryRun bool
	// CommitUser and Identifier make the drop exactly-once, as in
	// CommitOptions (empty: a random user).
	CommitUser string
	Identifier int64
	// Now is the current time (zero: time.Now()); for tests.
	Now    time.Time
	Logger *slog.Logger
}

// ExpiredPartition is a partition an expiry dropped.
type ExpiredPartition struct {
	// Values are the partition values as Java prints them, in the order
	// of the partition keys (the default partition name for null).
	Values []string
	// Path is the partition's directory, e.g. "dt=2024-01-01/".
	Path string
}

// ExpirePartitionsResult says what ExpirePartitions did.
type ExpirePartitionsResult struct {
	// Partitions are the expired partitions, in the order of their values.
	Partitions []ExpiredPartition
	// Commits are the OVERWRITE commits that dropped them (one per
	// partition.expiration-batch-size partitions; none in a dry run).
	Commits []*CommitResult
}

// ErrNoExpiration reports a partition expiry without an expiration time
// (neither partition.expiration-time nor the options give one).
var ErrNoExpiration = errors.New("table: no partition expiration time")

// ExpirePartitions drops the partitions older than the expiration time, as
// Java Paimon's partition expiry does: in OVERWRITE commits of at most
// partition.expiration-batch-size partitions (one commit when unset), at most
// partition.expiration-max-num (or opts.MaxExpires) partitions, in the order
// of their values. Those commits run no upkeep of their own (tags, snapshot
// expiry), as in Java.
func (t *Table) ExpirePartitions(ctx context.Context, opts ExpirePartitionsOptions) (*ExpirePartitionsResult, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keys := t.latest.PartitionKeys
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: expire partitions: the table is not partitioned", ErrInvalidOption)
	}
	now := opts.Now
	if now.IsZero() {
		now = t.now()
	}
	exp := t.cfg.PartitionExpirationTime
	if opts.ExpirationTime > 0 {
		exp = opts.ExpirationTime
	}
	cutoff := now.Add(-exp)
	if !opts.OlderThan.IsZero() {
		cutoff = opts.OlderThan
	} else if exp <= 0 {
		return nil, fmt.Errorf("%w: set partition.expiration-time or give an expiration time", ErrNoExpiration)
	}
	r := partitionExpireRule{
		strategy: t.cfg.PartitionExpirationStrategy, format: t.cfg.partitionTime,
		pattern: t.cfg.PartitionTimestampPattern, keys: keys, defaultName: t.cfg.PartitionDefaultName,
		maxNum: t.cfg.PartitionExpirationMaxNum, cutoff: localTime(cutoff, nil), cutoffMillis: cutoff.UnixMilli(),
	}
	if opts.MaxExpires > 0 {
		r.maxNum = opts.MaxExpires
	}
	res := &ExpirePartitionsResult{}
	cands, err := t.partitionCandidates(ctx)
	if err != nil || len(cands) == 0 {
		return res, err
	}
	expired := planPartitionExpire(r, cands)
	for _, e := range expired {
		p, err := t.PartitionPath(e.cand.row)
		if err != nil {
			return nil, err
		}
		res.Partitions = append(res.Partitions, ExpiredPartition{Values: e.values, Path: p})
	}
	if opts.DryRun || len(expired) == 0 {
		return res, nil
	}
	log.Info("expiring partitions", "partitions", len(expired), "strategy", string(r.strategy))
	batch := len(expired)
	if n := t.cfg.PartitionExpirationBatchSize; n > 0 {
		batch = n
	}
	ctx = context.WithValue(ctx, noUpkeep{}, true)
	for part := range slices.Chunk(expired, batch) {
		drop := map[string]bool{}
		for _, e := range part {
			drop[string(e.cand.row)] = true
		}
		ow := &overwriteSpec{match: func(p []byte) (bool, error) { return drop[string(p)], nil }}
		co := CommitOptions{CommitUser: opts.CommitUser, Identifier: opts.Identifier, Logger: log}
		if opts.CommitUser != "" && opts.Identifier != 0 && len(res.Commits) > 0 {
			co.Identifier = opts.Identifier + int64(len(res.Commits))
		}
		cr, err := t.commit(ctx, nil, co, ow)
		if err != nil {
			return res, fmt.Errorf("expire partitions: %w", err)
		}
		res.Commits = append(res.Commits, cr)
	}
	return res, nil
}

// partitionCandidates lists the live partitions of the latest snapshot with
// their values as Java prints them and the creation time of their newest
// file.
func (t *Table) partitionCandidates(ctx context.Context) ([]partitionCandidate, error) {
	snap, err := snapshot.Latest(ctx, t.meta)
	if errors.Is(err, snapshot.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	live, err := manifest.LoadFileSet(ctx, t.store, []string{snap.BaseManifestList, snap.DeltaManifestList}, manifest.FileSetOptions{})
	if err != nil {
		return nil, err
	}
	types := t.partitionTypes()
	byRow := map[string]int{}
	var out []partitionCandidate
	for _, e := range live.Entries() {
		created := int64(0)
		if ct := e.File.CreationTime; ct != nil {
			// Paimon stores the writer's wall clock as if it were UTC.
			created = fileCreationEpoch(*ct)
		}
		if i, ok := byRow[string(e.Partition)]; ok {
			out[i].lastFileCreation = max(out[i].lastFileCreation, created)
			continue
		}
		vals, err := decodeSerialized(types, e.Partition)
		if err != nil {
			return nil, err
		}
		c := partitionCandidate{row: e.Partition, values: make([]*string, len(vals)), lastFileCreation: created}
		for i, v := range vals {
			if v == nil {
				continue
			}
			s, err := binrow.PartitionValue(types[i], v, true)
			if err != nil {
				return nil, err
			}
			c.values[i] = &s
		}
		byRow[string(e.Partition)] = len(out)
		out = append(out, c)
	}
	return out, nil
}

// fileCreationEpoch converts a data file's creation time (local wall clock
// stored as UTC milliseconds) to epoch milliseconds in the local zone, as
// Java's DataFileMeta.creationTimeEpochMillis.
func fileCreationEpoch(ms int64) int64 {
	w := time.UnixMilli(ms).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.Local).UnixMilli()
}

// partExpireState is the in-process state of partition expiry after
// commits: when it last ran.
type partExpireState struct {
	mu        sync.Mutex
	lastCheck time.Time
}

// maintainPartitions expires partitions after a commit when
// partition.expiration-time is set: at the first commit of this Table, then
// once per partition.expiration-check-interval (Java starts its interval at
// a random point of the first one; a floe process often commits once).
func (t *Table) maintainPartitions(ctx context.Context, log *slog.Logger) error {
	if t.cfg.PartitionExpirationTime <= 0 || len(t.latest.PartitionKeys) == 0 {
		return nil
	}
	st := &t.maint.parts
	st.mu.Lock()
	defer st.mu.Unlock()
	now := t.now()
	if iv := t.cfg.PartitionExpirationCheckInterval; iv > 0 && !st.lastCheck.IsZero() && !now.After(st.lastCheck.Add(iv)) {
		return nil
	}
	if _, err := t.ExpirePartitions(ctx, ExpirePartitionsOptions{Now: now, Logger: log}); err != nil {
		return err
	}
	st.lastCheck = now
	return nil
}
