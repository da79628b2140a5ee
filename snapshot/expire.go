package snapshot

import (
	"math"
	"time"
)

// Retention is what snapshot expiry keeps (Paimon's snapshot.num-retained.*,
// snapshot.time-retained and snapshot.expire.limit).
type Retention struct {
	// Min snapshots are always kept (snapshot.num-retained.min, at least 1).
	Min int
	// Max snapshots at most are kept: older ones expire whatever their age
	// (snapshot.num-retained.max; 0 means no limit).
	Max int
	// Time: a snapshot expires only once the snapshot after it was
	// committed longer ago than this (snapshot.time-retained), so a read
	// that started while a snapshot was the latest has at least this long
	// to finish. Paimon 2.0's rule; 1.4 compared the snapshot's own time.
	Time time.Duration
	// Limit caps the snapshots one run expires (snapshot.expire.limit; 0
	// means no limit).
	Limit int
}

// ExpireInput is what ExpireRange decides from.
type ExpireInput struct {
	Earliest, Latest int64 // ids of the oldest and newest snapshot (0: none)
	Retention
	Now time.Time
	// ConsumerNext is the smallest nextSnapshot of the table's consumers
	// (0: no consumer): that snapshot and later ones never expire.
	ConsumerNext int64
	// TimeMillis returns the commit time of snapshot id, false when the
	// snapshot is missing (it is then skipped, as Paimon does).
	TimeMillis func(id int64) (int64, bool)
}

// ExpireRange returns the snapshots to expire, [begin, end): begin is the
// earliest snapshot, end the oldest one kept. end <= begin means none.
//
// Ids below Latest-Max+1 expire whatever their age; ids from Latest-Min+1
// on never do, nor ConsumerNext and later; between the two a snapshot
// expires while the snapshot after it is older than Retention.Time; one
// run expires at most Limit snapshots.
func ExpireRange(in ExpireInput) (begin, end int64) {
	if in.Latest <= 0 || in.Earliest <= 0 || in.Earliest > in.Latest {
		return 0, 0
	}
	minKeep := int64(in.Min)
	if minKeep < 1 {
		minKeep = 1
	}
	maxKeep := int64(in.Max)
	if maxKeep <= 0 {
		maxKeep = math.MaxInt64 / 2
	}
	if maxKeep < minKeep {
		maxKeep = minKeep
	}
	// Below forced: expire regardless of time.
	forced := max(in.Latest-maxKeep+1, in.Earliest)
	// From limit on: never expire.
	limit := in.Latest - minKeep + 1
	if in.ConsumerNext > 0 {
		limit = min(limit, in.ConsumerNext)
	}
	if in.Limit > 0 {
		limit = min(limit, in.Earliest+int64(in.Limit))
	}
	end = limit
	cutoff := in.Now.Add(-in.Time).UnixMilli()
	for id := forced; id < limit; id++ {
		next, ok := in.TimeMillis(id + 1)
		if !ok {
			continue
		}
		if next >= cutoff {
			end = id
			break
		}
	}
	return in.Earliest, end
}

// ChangelogExpireInput is what ChangelogExpireRange decides from: the
// long-lived changelogs (changelog/changelog-<id>, copies of expired
// snapshots) and the table's latest snapshot.
type ChangelogExpireInput struct {
	Earliest, Latest int64 // the oldest and newest long-lived changelog (0: none)
	LatestSnapshot   int64
	Retention        // changelog.num-retained.*, changelog.time-retained, snapshot.expire.limit
	Now              time.Time
	ConsumerNext     int64 // as in ExpireInput
	// TimeMillis returns the commit time of changelog id, false when it is
	// missing.
	TimeMillis func(id int64) (int64, bool)
}

// ChangelogExpireRange returns the long-lived changelogs to expire, [begin,
// end), as Paimon's ExpireChangelogImpl decides: the counts run against the
// latest snapshot (ids below LatestSnapshot-Max+1 expire whatever their
// age, from LatestSnapshot-Min+1 on never), a consumer's next snapshot and
// later stay, at most Limit go, the newest changelog always stays (it
// bounds what the others share), and a changelog expires while its own
// commit is older than Retention.Time.
func ChangelogExpireRange(in ChangelogExpireInput) (begin, end int64) {
	if in.Latest <= 0 || in.Earliest <= 0 || in.Earliest > in.Latest || in.LatestSnapshot <= 0 {
		return 0, 0
	}
	minKeep := max(int64(in.Min), 1)
	maxKeep := int64(in.Max)
	if maxKeep <= 0 {
		maxKeep = math.MaxInt64 / 2
	}
	maxKeep = max(maxKeep, minKeep)
	forced := max(in.LatestSnapshot-maxKeep+1, in.Earliest)
	limit := in.LatestSnapshot - minKeep + 1
	if in.ConsumerNext > 0 {
		limit = min(limit, in.ConsumerNext)
	}
	if in.Limit > 0 {
		limit = min(limit, in.Earliest+int64(in.Limit))
	}
	limit = min(limit, in.Latest)
	if limit <= in.Earliest {
		return in.Earliest, in.Earliest
	}
	cutoff := in.Now.Add(-in.Time).UnixMilli()
	for id := forced; id <= limit; id++ {
		ms, ok := in.TimeMillis(id)
		if !ok {
			continue
		}
		if ms >= cutoff {
			return in.Earliest, min(id, limit)
		}
	}
	return in.Earliest, limit
}
