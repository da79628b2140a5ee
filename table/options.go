package table

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// ErrInvalidOption reports a table option whose value cannot be parsed or
// is out of range. Errors from ParseConfig are *OptionError values that
// match it with errors.Is.
var ErrInvalidOption = errors.New("table: invalid option")

// OptionError names the option that failed to parse.
type OptionError struct {
	Key    string
	Value  string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("table: invalid option %s=%q: %s", e.Key, e.Value, e.Reason)
}

// Is makes an *OptionError match ErrInvalidOption.
func (e *OptionError) Is(target error) bool { return target == ErrInvalidOption }

// BucketFunction is the "bucket-function.type" option.
type BucketFunction string

// Bucket functions.
const (
	BucketFunctionDefault BucketFunction = "default"
	BucketFunctionMod     BucketFunction = "mod"
	BucketFunctionHive    BucketFunction = "hive"
)

// MergeEngine is the "merge-engine" option.
type MergeEngine string

// Merge engines.
const (
	MergeDeduplicate   MergeEngine = "deduplicate"
	MergePartialUpdate MergeEngine = "partial-update"
	MergeAggregation   MergeEngine = "aggregation"
	MergeFirstRow      MergeEngine = "first-row"
)

// ChangelogProducer is the "changelog-producer" option.
type ChangelogProducer string

// Changelog producers.
const (
	ChangelogNone           ChangelogProducer = "none"
	ChangelogInput          ChangelogProducer = "input"
	ChangelogLookup         ChangelogProducer = "lookup"
	ChangelogFullCompaction ChangelogProducer = "full-compaction"
)

// SortOrder is the "sequence.field.sort-order" option.
type SortOrder string

// Sort orders.
const (
	Ascending  SortOrder = "ascending"
	Descending SortOrder = "descending"
)

// StatsKind is the kind of a stats mode.
type StatsKind int

// Stats kinds.
const (
	StatsNone StatsKind = iota
	StatsCounts
	StatsFull
	StatsTruncate
)

// StatsMode is a parsed "metadata.stats-mode" or "fields.<col>.stats-mode"
// value: none, counts, full or truncate(N). Length is N for StatsTruncate
// and 0 otherwise.
type StatsMode struct {
	Kind   StatsKind
	Length int
}

// String returns the mode as Paimon spells it.
func (m StatsMode) String() string {
	switch m.Kind {
	case StatsNone:
		return "none"
	case StatsCounts:
		return "counts"
	case StatsFull:
		return "full"
	case StatsTruncate:
		return "truncate(" + strconv.Itoa(m.Length) + ")"
	}
	return "StatsMode(" + strconv.Itoa(int(m.Kind)) + ")"
}

// Memory sizes used as defaults.
const (
	kib = int64(1) << 10
	mib = int64(1) << 20
)

// Config is a table's options parsed into typed values with Paimon's
// defaults (paimon-format.md §7.16) filled in. Build it with ParseConfig.
type Config struct {
	Bucket         int      // bucket; -1 dynamic, -2 postpone, >0 fixed
	BucketKey      []string // bucket-key as written; nil when unset (see schema.Table.BucketKeys)
	BucketFunction BucketFunction

	FileFormat          string // file.format, lower case
	FileCompression     string // file.compression, lower case
	ZstdLevel           int    // file.compression.zstd-level
	ManifestCompression string // manifest.compression, lower case

	ManifestTargetFileSize              int64
	ManifestMergeMinCount               int
	ManifestFullCompactionThresholdSize int64

	PartitionDefaultName string
	PartitionLegacyName  bool

	MergeEngine       MergeEngine
	IgnoreDelete      bool
	SequenceFields    []string // sequence.field; nil when unset
	SequenceSortOrder SortOrder
	ChangelogProducer ChangelogProducer
	// Merge are the merge options (merge-engine, sequence groups,
	// aggregate functions, …); IgnoreDelete and SequenceFields above are
	// copied into it.
	Merge merge.Options

	DeletionVectorsEnabled  bool
	DeletionVectorsBitmap64 bool

	StatsMode              StatsMode
	FieldStatsModes        map[string]StatsMode // fields.<col>.stats-mode, by column; nil when none
	StatsDenseStore        bool
	StatsKeepFirstNColumns int

	// TargetFileSize is target-file-size, nil when unset; use
	// TargetFileSizeFor for the effective value.
	TargetFileSize       *int64
	WriteBufferSize      int64
	WriteBufferSpillable bool
	PageSize             int64

	NumSortedRunCompactionTrigger         int
	NumSortedRunStopTrigger               int // effective: trigger+3 when unset, never below trigger
	NumLevels                             int // effective: trigger+1 when unset
	CompactionMaxSizeAmplificationPercent int
	CompactionSizeRatio                   int
	CompactionMinFileNum                  int
	CompactionFileNumLimit                int // compaction.file-num-limit (append tables)
	// LocalSortMaxNumFileHandles is local-sort.max-num-file-handles: the
	// most sorted runs a compaction merges at once (more are merged in
	// groups through local spill files first).
	LocalSortMaxNumFileHandles int
	// SourceSplitOpenFileCost is source.split.open-file-cost, which
	// unaware-bucket append compaction adds to each file's size.
	SourceSplitOpenFileCost int64
	WriteOnly               bool
	// CompactionForceUpLevel0 is compaction.force-up-level-0: every
	// compaction takes all level-0 files up.
	CompactionForceUpLevel0 bool
	// Off-peak hours [start, end) of the local day (compaction.offpeak.*;
	// -1 when unset) and the size ratio used in them.
	CompactionOffPeakStartHour int
	CompactionOffPeakEndHour   int
	CompactionOffPeakRatio     int
	// Early full compaction (Paimon 1.4): zero when unset.
	CompactionOptimizationInterval     time.Duration
	CompactionTotalSizeThreshold       int64
	CompactionIncrementalSizeThreshold int64
	// FullCompactionDeltaCommits is full-compaction.delta-commits (0 when
	// unset): a full compaction every that many commits of a writer.
	FullCompactionDeltaCommits int
	// NumSortedRunStopTriggerSet says num-sorted-run.stop-trigger was set
	// (create and alter refuse one below the trigger).
	NumSortedRunStopTriggerSet bool

	// Changelog of the lookup and full-compaction producers:
	// changelog-producer.row-deduplicate (an update to equal values makes
	// no -U/+U) and changelog-producer.row-deduplicate-ignore-fields.
	ChangelogRowDeduplicate             bool
	ChangelogRowDeduplicateIgnoreFields []string

	// Lookup compaction.
	ForceLookup              bool          // force-lookup
	LookupWait               bool          // lookup-wait
	LookupCompactGentle      bool          // lookup-compact = gentle
	LookupCompactMaxInterval int           // lookup-compact.max-interval (0 when unset)
	LookupCacheMaxDiskSize   int64         // lookup.cache-max-disk-size (0 = unbounded)
	LookupCacheFileRetention time.Duration // lookup.cache-file-retention

	CommitMaxRetries   int
	CommitMinRetryWait time.Duration
	CommitMaxRetryWait time.Duration
	CommitTimeout      time.Duration // 0 means unbounded
	CommitForceCompact bool

	SnapshotNumRetainedMin int
	SnapshotNumRetainedMax int
	SnapshotTimeRetained   time.Duration
	SnapshotExpireLimit    int
	// SnapshotExpireAsync is snapshot.expire.execution-mode = async: the
	// expiry after a commit runs in the background.
	SnapshotExpireAsync bool
	// Changelog retention (changelog.num-retained.min/max,
	// changelog.time-retained), the snapshot values when unset; longer
	// than the snapshots' means the changelog lifecycle is decoupled.
	ChangelogNumRetainedMin int
	ChangelogNumRetainedMax int
	ChangelogTimeRetained   time.Duration

	// TagDefaultTimeRetained is tag.default-time-retained (0: tags live
	// until deleted).
	TagDefaultTimeRetained time.Duration
	// Automatic tags (autotag.go): tag.automatic-creation,
	// tag.creation-period, tag.creation-period-duration (0: unset; it
	// replaces the period), tag.creation-delay, tag.period-formatter,
	// tag.num-retained-max (0: unset), tag.time-expire-enabled,
	// tag.automatic-completion, tag.create-success-file and
	// tag.batch.customized-name ("": batch-write-<date>).
	TagAutoCreation           TagCreationMode
	TagCreationPeriod         TagCreationPeriod
	TagCreationPeriodDuration time.Duration
	TagCreationDelay          time.Duration
	TagPeriodFormatter        TagPeriodFormatter
	TagNumRetainedMax         int
	TagTimeExpireEnabled      bool
	TagAutomaticCompletion    bool
	TagCreateSuccessFile      bool
	TagBatchCustomizedName    string
	// SinkProcessTimeZone is sink.process-time-zone (nil: the local time
	// zone), the zone of snapshot times for process-time and batch tags;
	// SinkWatermarkTimeZone is sink.watermark-time-zone (UTC), the zone
	// of watermarks.
	SinkProcessTimeZone   *time.Location
	SinkWatermarkTimeZone *time.Location

	// Partition expiry (partition_expire.go): partition.expiration-time
	// (0: no expiry after commits), partition.expiration-check-interval,
	// partition.expiration-strategy, partition.expiration-max-num,
	// partition.expiration-batch-size (0: unset), and the time of a
	// partition: partition.timestamp-pattern ("": the first partition
	// value) read with partition.timestamp-formatter ("": yyyy-MM-dd
	// with an optional " HH:mm:ss[.fraction]").
	PartitionExpirationTime          time.Duration
	PartitionExpirationCheckInterval time.Duration
	PartitionExpirationStrategy      PartitionExpireStrategy
	PartitionExpirationMaxNum        int
	PartitionExpirationBatchSize     int
	PartitionTimestampPattern        string
	PartitionTimestampFormatter      string
	partitionTime                    partitionTimeFormat

	// DiscoveryInterval is continuous.discovery-interval: the longest a
	// stream waits between looks for the next snapshot when idle.
	DiscoveryInterval time.Duration
	// ConsumerAtLeastOnce is consumer.mode = at-least-once (the default
	// is exactly-once): the mode of streams that leave
	// StreamOptions.ConsumerMode unset.
	ConsumerAtLeastOnce bool
	// ConsumerExpirationTime is consumer.expiration-time (0: unset): a
	// consumer file not written for longer is expired.
	ConsumerExpirationTime time.Duration

	DynamicBucketTargetRowNum int64
	DynamicBucketMaxBuckets   int

	// ScanFallbackBranch is scan.fallback-branch: a batch scan reads the
	// partitions this branch does not have from that branch ("": none).
	// ScanPrimaryBranch is scan.primary-branch: the other way round, a
	// batch scan reads the partitions that branch has from it and only
	// the others from this one. Only the first that is set applies, as in
	// Paimon.
	ScanFallbackBranch string
	ScanPrimaryBranch  string

	DataFilePrefix      string
	ChangelogFilePrefix string
	DataFileThinMode    bool
	// ChangelogFileFormat, ChangelogFileCompression are
	// changelog-file.format and changelog-file.compression ("" = as the
	// data files).
	ChangelogFileFormat      string
	ChangelogFileCompression string

	// Unknown holds every option ParseConfig does not interpret, in order
	// and verbatim, so that it can be written back unchanged.
	Unknown schema.Options
}

// TargetFileSizeFor returns the effective target-file-size: the option when
// set, else 128 MiB for primary-key tables and 256 MiB for append tables.
func (c *Config) TargetFileSizeFor(hasPK bool) int64 {
	if c.TargetFileSize != nil {
		return *c.TargetFileSize
	}
	if hasPK {
		return 128 * mib
	}
	return 256 * mib
}

// StatsModeFor returns the stats mode of column col: its
// fields.<col>.stats-mode when set, else StatsMode.
func (c *Config) StatsModeFor(col string) StatsMode {
	if m, ok := c.FieldStatsModes[col]; ok {
		return m
	}
	return c.StatsMode
}

const (
	fieldsPrefix    = "fields."
	statsModeSuffix = ".stats-mode"
)

// parser reads options from a table, remembering which keys it used.
type parser struct {
	t    *schema.Table
	used map[string]bool
	err  error
}

// get returns the effective value of the first of keys that is set.
func (p *parser) get(keys ...string) (key, val string, ok bool) {
	for _, k := range keys {
		p.used[k] = true
	}
	if p.err != nil {
		return "", "", false
	}
	for _, k := range keys {
		if v, ok := p.t.Option(k); ok {
			return k, v, true
		}
	}
	return "", "", false
}

func (p *parser) fail(key, val, reason string) {
	if p.err == nil {
		p.err = &OptionError{Key: key, Value: val, Reason: reason}
	}
}

func (p *parser) str(def string, keys ...string) string {
	if _, v, ok := p.get(keys...); ok {
		return v
	}
	return def
}

// notBlank returns s, or "" when s is only white space (Paimon's
// isNullOrWhitespaceOnly).
func notBlank(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

func (p *parser) lower(def string, key string) string {
	if _, raw, ok := p.get(key); ok {
		v := strings.ToLower(strings.TrimSpace(raw))
		if v == "" {
			p.fail(key, raw, "empty value")
			return def
		}
		return v
	}
	return def
}

func (p *parser) boolean(def bool, keys ...string) bool {
	k, v, ok := p.get(keys...)
	if !ok {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true
	case "false":
		return false
	}
	p.fail(k, v, "not a boolean")
	return def
}

func (p *parser) long(def int64, min int64, key string) int64 {
	_, v, ok := p.get(key)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		p.fail(key, v, "not an integer")
		return def
	}
	if n < min {
		p.fail(key, v, fmt.Sprintf("must be at least %d", min))
		return def
	}
	return n
}

func (p *parser) integer(def int, min int, key string) int {
	_, v, ok := p.get(key)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		p.fail(key, v, "not a 32-bit integer")
		return def
	}
	if int(n) < min {
		p.fail(key, v, fmt.Sprintf("must be at least %d", min))
		return def
	}
	return int(n)
}

func (p *parser) optInt(min int, key string) (int, bool) {
	if _, _, ok := p.get(key); !ok {
		return 0, false
	}
	return p.integer(0, min, key), true
}

func (p *parser) size(def int64, key string) int64 {
	_, v, ok := p.get(key)
	if !ok {
		return def
	}
	n, err := parseMemorySize(v)
	if err != nil {
		p.fail(key, v, err.Error())
		return def
	}
	return n
}

func (p *parser) duration(def time.Duration, key string) time.Duration {
	_, v, ok := p.get(key)
	if !ok {
		return def
	}
	d, err := parseDuration(v)
	if err != nil {
		p.fail(key, v, err.Error())
		return def
	}
	return d
}

func (p *parser) enum(def string, key string, allowed ...string) string {
	_, v, ok := p.get(key)
	if !ok {
		return def
	}
	s := strings.ToLower(strings.TrimSpace(v))
	for _, a := range allowed {
		if s == a {
			return a
		}
	}
	p.fail(key, v, "want one of "+strings.Join(allowed, ", "))
	return def
}

func (p *parser) list(key string) []string {
	_, v, ok := p.get(key)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	var out []string
	for s := range strings.SplitSeq(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			p.fail(key, v, "empty column name")
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) stats(def StatsMode, key string) StatsMode {
	_, v, ok := p.get(key)
	if !ok {
		return def
	}
	m, err := parseStatsMode(v)
	if err != nil {
		p.fail(key, v, err.Error())
		return def
	}
	return m
}

// ParseConfig parses the options of t into a Config. Options are read with
// t.Option, so the defaults of old schema versions apply. A bad value
// returns an *OptionError wrapping ErrInvalidOption that names the key.
func ParseConfig(t *schema.Table) (*Config, error) {
	p := &parser{t: t, used: make(map[string]bool)}
	c := &Config{
		BucketKey:      p.list("bucket-key"),
		BucketFunction: BucketFunction(p.enum("default", "bucket-function.type", "default", "mod", "hive")),

		FileFormat:          p.lower("parquet", "file.format"),
		FileCompression:     p.lower("zstd", "file.compression"),
		ZstdLevel:           p.integer(1, math.MinInt32, "file.compression.zstd-level"),
		ManifestCompression: p.lower("zstd", "manifest.compression"),

		ManifestTargetFileSize:              p.size(8*mib, "manifest.target-file-size"),
		ManifestMergeMinCount:               p.integer(30, 1, "manifest.merge-min-count"),
		ManifestFullCompactionThresholdSize: p.size(16*mib, "manifest.full-compaction-threshold-size"),

		PartitionDefaultName: p.str("__DEFAULT_PARTITION__", "partition.default-name"),
		PartitionLegacyName:  p.boolean(true, "partition.legacy-name"),

		MergeEngine: MergeEngine(p.enum("deduplicate", "merge-engine",
			"deduplicate", "partial-update", "aggregation", "first-row")),
		IgnoreDelete: p.boolean(false, "ignore-delete",
			"first-row.ignore-delete", "deduplicate.ignore-delete", "partial-update.ignore-delete"),
		SequenceFields:    p.list("sequence.field"),
		SequenceSortOrder: SortOrder(p.enum("ascending", "sequence.field.sort-order", "ascending", "descending")),
		ChangelogProducer: ChangelogProducer(p.enum("none", "changelog-producer",
			"none", "input", "lookup", "full-compaction")),

		DeletionVectorsEnabled:  p.boolean(false, "deletion-vectors.enabled"),
		DeletionVectorsBitmap64: p.boolean(false, "deletion-vectors.bitmap64"),

		StatsMode:              p.stats(StatsMode{Kind: StatsTruncate, Length: 16}, "metadata.stats-mode"),
		StatsDenseStore:        p.boolean(true, "metadata.stats-dense-store"),
		StatsKeepFirstNColumns: p.integer(-1, -1, "metadata.stats-keep-first-n-columns"),

		WriteBufferSize:      p.size(256*mib, "write-buffer-size"),
		WriteBufferSpillable: p.boolean(true, "write-buffer-spillable"),
		PageSize:             p.size(64*kib, "page-size"),

		CompactionMaxSizeAmplificationPercent: p.integer(200, 0, "compaction.max-size-amplification-percent"),
		CompactionSizeRatio:                   p.integer(1, 0, "compaction.size-ratio"),
		CompactionMinFileNum:                  p.integer(5, 1, "compaction.min.file-num"),
		CompactionFileNumLimit:                p.integer(100_000, 1, "compaction.file-num-limit"),
		SourceSplitOpenFileCost:               p.size(4*mib, "source.split.open-file-cost"),
		LocalSortMaxNumFileHandles:            p.integer(128, 2, "local-sort.max-num-file-handles"),
		WriteOnly:                             p.boolean(false, "write-only"),
		CompactionForceUpLevel0:               p.boolean(false, "compaction.force-up-level-0"),
		CompactionOffPeakStartHour:            p.integer(-1, -1, "compaction.offpeak.start.hour"),
		CompactionOffPeakEndHour:              p.integer(-1, -1, "compaction.offpeak.end.hour"),
		CompactionOffPeakRatio:                p.integer(0, 0, "compaction.offpeak-ratio"),
		CompactionOptimizationInterval:        p.duration(0, "compaction.optimization-interval"),
		CompactionTotalSizeThreshold:          p.size(0, "compaction.total-size-threshold"),
		CompactionIncrementalSizeThreshold:    p.size(0, "compaction.incremental-size-threshold"),
		FullCompactionDeltaCommits:            p.integer(0, 1, "full-compaction.delta-commits"),

		ChangelogRowDeduplicate:             p.boolean(false, "changelog-producer.row-deduplicate"),
		ChangelogRowDeduplicateIgnoreFields: p.list("changelog-producer.row-deduplicate-ignore-fields"),

		ForceLookup:              p.boolean(false, "force-lookup"),
		LookupWait:               p.boolean(true, "lookup-wait", "changelog-producer.lookup-wait"),
		LookupCompactGentle:      p.enum("radical", "lookup-compact", "radical", "gentle") == "gentle",
		LookupCompactMaxInterval: p.integer(0, 1, "lookup-compact.max-interval"),
		LookupCacheMaxDiskSize:   p.size(0, "lookup.cache-max-disk-size"),
		LookupCacheFileRetention: p.duration(time.Hour, "lookup.cache-file-retention"),

		CommitMaxRetries:   p.integer(10, 0, "commit.max-retries"),
		CommitMinRetryWait: p.duration(10*time.Millisecond, "commit.min-retry-wait"),
		CommitMaxRetryWait: p.duration(10*time.Second, "commit.max-retry-wait"),
		CommitTimeout:      p.duration(0, "commit.timeout"),
		CommitForceCompact: p.boolean(false, "commit.force-compact"),

		SnapshotNumRetainedMin: p.integer(10, 1, "snapshot.num-retained.min"),
		SnapshotNumRetainedMax: p.integer(math.MaxInt32, 1, "snapshot.num-retained.max"),
		SnapshotTimeRetained:   p.duration(time.Hour, "snapshot.time-retained"),
		SnapshotExpireLimit:    p.integer(50, 1, "snapshot.expire.limit"),
		TagDefaultTimeRetained: p.duration(0, "tag.default-time-retained"),
		SnapshotExpireAsync:    p.enum("sync", "snapshot.expire.execution-mode", "sync", "async") == "async",

		DiscoveryInterval:      p.duration(10*time.Second, "continuous.discovery-interval"),
		ConsumerAtLeastOnce:    p.enum("exactly-once", "consumer.mode", "exactly-once", "at-least-once") == "at-least-once",
		ConsumerExpirationTime: p.duration(0, "consumer.expiration-time"),

		DynamicBucketTargetRowNum: p.long(2_000_000, 1, "dynamic-bucket.target-row-num"),
		DynamicBucketMaxBuckets:   p.integer(-1, -1, "dynamic-bucket.max-buckets"),

		ScanFallbackBranch: notBlank(p.str("", "scan.fallback-branch")),
		ScanPrimaryBranch:  notBlank(p.str("", "scan.primary-branch")),

		DataFilePrefix:      p.str("data-", "data-file.prefix"),
		ChangelogFilePrefix: p.str("changelog-", "changelog-file.prefix"),
		DataFileThinMode:    p.boolean(false, "data-file.thin-mode"),

		ChangelogFileFormat:      p.lower("", "changelog-file.format"),
		ChangelogFileCompression: p.lower("", "changelog-file.compression"),
	}

	c.Bucket = p.integer(-1, math.MinInt32, "bucket")
	if p.err == nil && (c.Bucket == 0 || c.Bucket < -2) {
		v, _ := t.Option("bucket")
		p.fail("bucket", v, "want -1 (dynamic), -2 (postpone) or a positive bucket count")
	}

	if _, _, ok := p.get("target-file-size"); ok {
		n := p.size(0, "target-file-size")
		c.TargetFileSize = &n
	}

	c.NumSortedRunCompactionTrigger = p.integer(5, 1, "num-sorted-run.compaction-trigger")
	if n, ok := p.optInt(1, "num-sorted-run.stop-trigger"); ok {
		c.NumSortedRunStopTrigger = max(n, c.NumSortedRunCompactionTrigger)
		c.NumSortedRunStopTriggerSet = true
	} else {
		c.NumSortedRunStopTrigger = c.NumSortedRunCompactionTrigger + 3
	}
	if n, ok := p.optInt(2, "num-levels"); ok {
		c.NumLevels = n
	} else {
		c.NumLevels = c.NumSortedRunCompactionTrigger + 1
	}

	parseAutoTagOptions(p, c)
	parsePartitionExpireOptions(p, c)

	c.ChangelogNumRetainedMin = p.integer(c.SnapshotNumRetainedMin, 1, "changelog.num-retained.min")
	c.ChangelogNumRetainedMax = p.integer(c.SnapshotNumRetainedMax, 1, "changelog.num-retained.max")
	c.ChangelogTimeRetained = p.duration(c.SnapshotTimeRetained, "changelog.time-retained")
	if p.err == nil && c.SnapshotNumRetainedMin > c.SnapshotNumRetainedMax {
		v, _ := t.Option("snapshot.num-retained.min")
		p.fail("snapshot.num-retained.min", v, "greater than snapshot.num-retained.max")
	}
	if p.err == nil && c.CommitMinRetryWait > c.CommitMaxRetryWait {
		v, _ := t.Option("commit.min-retry-wait")
		p.fail("commit.min-retry-wait", v, "greater than commit.max-retry-wait")
	}

	for _, k := range t.Options.Keys() {
		if p.used[k] || merge.IsOption(k) {
			continue
		}
		v, _ := t.Options.Get(k)
		if col, ok := strings.CutPrefix(k, fieldsPrefix); ok && strings.HasSuffix(col, statsModeSuffix) {
			col = strings.TrimSuffix(col, statsModeSuffix)
			if col != "" {
				m := p.stats(StatsMode{}, k)
				if c.FieldStatsModes == nil {
					c.FieldStatsModes = make(map[string]StatsMode)
				}
				c.FieldStatsModes[col] = m
				continue
			}
		}
		c.Unknown.Set(k, v)
	}
	if p.err != nil {
		return nil, p.err
	}
	mo, err := merge.ParseOptions(t.Options.Map())
	if err != nil {
		return nil, mergeOptionError(err)
	}
	mo.IgnoreDelete, mo.SequenceFields = c.IgnoreDelete, c.SequenceFields
	c.Merge = mo
	return c, nil
}

// parseMemorySize parses a Paimon memory size: a non-negative integer
// followed by an optional unit, with optional spaces between. Units are
// case-insensitive: b/bytes, k/kb/kibibytes, m/mb/mebibytes,
// g/gb/gibibytes, t/tb/tebibytes, all powers of 1024; no unit means bytes.
func parseMemorySize(s string) (int64, error) {
	num, unit, err := splitNumber(s)
	if err != nil {
		return 0, err
	}
	var shift uint
	switch strings.ToLower(unit) {
	case "", "b", "bytes":
		shift = 0
	case "k", "kb", "kibibytes":
		shift = 10
	case "m", "mb", "mebibytes":
		shift = 20
	case "g", "gb", "gibibytes":
		shift = 30
	case "t", "tb", "tebibytes":
		shift = 40
	default:
		return 0, fmt.Errorf("unknown memory unit %q", unit)
	}
	if num > math.MaxInt64>>shift {
		return 0, errors.New("memory size overflows 64 bits")
	}
	return num << shift, nil
}

// parseDuration parses a Paimon duration: a non-negative integer followed
// by an optional unit, with optional spaces between. Units are
// case-insensitive: ns, µs/us, ms, s/sec/secs/second(s), m/min/minute(s),
// h/hour(s), d/day(s) and their long forms; no unit means milliseconds.
func parseDuration(s string) (time.Duration, error) {
	num, unit, err := splitNumber(s)
	if err != nil {
		return 0, err
	}
	var u time.Duration
	switch strings.ToLower(unit) {
	case "ns", "nano", "nanos", "nanosecond", "nanoseconds":
		u = time.Nanosecond
	case "µs", "us", "micro", "micros", "microsecond", "microseconds":
		u = time.Microsecond
	case "", "ms", "milli", "millis", "millisecond", "milliseconds":
		u = time.Millisecond
	case "s", "sec", "secs", "second", "seconds":
		u = time.Second
	case "m", "min", "mins", "minute", "minutes":
		u = time.Minute
	case "h", "hour", "hours":
		u = time.Hour
	case "d", "day", "days":
		u = 24 * time.Hour
	default:
		return 0, fmt.Errorf("unknown time unit %q", unit)
	}
	if num > int64(math.MaxInt64/u) {
		return 0, errors.New("duration overflows")
	}
	return time.Duration(num) * u, nil
}

// splitNumber splits a trimmed "<digits><spaces><unit>" string.
func splitNumber(s string) (int64, string, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, "", errors.New("does not start with a number")
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, "", errors.New("number overflows 64 bits")
	}
	return n, strings.TrimSpace(s[i:]), nil
}

// parseStatsMode parses none, counts, full or truncate(N) (case-insensitive,
// N a positive integer).
func parseStatsMode(s string) (StatsMode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "none":
		return StatsMode{Kind: StatsNone}, nil
	case "counts":
		return StatsMode{Kind: StatsCounts}, nil
	case "full":
		return StatsMode{Kind: StatsFull}, nil
	}
	arg, ok := strings.CutPrefix(v, "truncate(")
	if ok {
		arg, ok = strings.CutSuffix(arg, ")")
	}
	if !ok {
		return StatsMode{}, errors.New("want none, counts, full or truncate(N)")
	}
	for _, r := range arg {
		if r < '0' || r > '9' {
			return StatsMode{}, errors.New("truncate length is not a number")
		}
	}
	n, err := strconv.ParseInt(arg, 10, 32)
	if err != nil || n <= 0 {
		return StatsMode{}, errors.New("truncate length must be a positive 32-bit integer")
	}
	return StatsMode{Kind: StatsTruncate, Length: int(n)}, nil
}

// ParseMemorySize parses a memory size as Paimon options write it: a
// non-negative integer and an optional unit (b, k/kb, m/mb, g/gb, t/tb,
// powers of 1024, case-insensitive; no unit means bytes), as in "256 mb".
func ParseMemorySize(s string) (int64, error) { return parseMemorySize(s) }

// ParseDuration parses a duration as Paimon's options write them ("1 h",
// "30min", "2d", "500 ms"; a bare number is milliseconds).
func ParseDuration(s string) (time.Duration, error) { return parseDuration(strings.TrimSpace(s)) }

// UnsupportedError reports a table option value that Paimon accepts but
// floe cannot write yet. Create and Alter refuse such values, Writers
// refuse tables that have them; reading is not affected. errors.Is(err,
// ErrUnsupported) holds.
type UnsupportedError struct {
	Key    string
	Value  string
	Reason string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("table: unsupported option %s=%s: %s", e.Key, e.Value, e.Reason)
}

// Is makes an *UnsupportedError match ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// fileFormats are the file.format values Paimon knows.
var fileFormats = []string{"parquet", "orc", "avro", "csv", "json", "text", "blob", "row", "lance", "mosaic", "vortex"}

// fileCompressions are the file.compression values Paimon's writers take,
// per format (parquet-java's codec names and "none"; ORC's compression
// kinds; Avro's codecs and "zstd"; Hadoop codecs for the text formats).
// Formats not listed are not checked.
var fileCompressions = map[string][]string{
	"parquet": {"none", "uncompressed", "snappy", "gzip", "lzo", "brotli", "lz4", "zstd", "lz4_raw"},
	"orc":     {"none", "zlib", "snappy", "lzo", "lz4", "zstd", "brotli"},
	"avro":    {"null", "deflate", "snappy", "bzip2", "xz", "zstandard", "zstd"},
	"csv":     {"none", "gzip", "bzip2", "deflate", "snappy", "lz4", "zstd"},
	"json":    {"none", "gzip", "bzip2", "deflate", "snappy", "lz4", "zstd"},
	"text":    {"none", "gzip", "bzip2", "deflate", "snappy", "lz4", "zstd"},
}

// writableCompressions are the Parquet codecs floe writes.
var writableCompressions = []string{"none", "uncompressed", "snappy", "gzip", "lz4", "zstd"}

// checkWritable returns why floe cannot write a table with schema s and
// options cfg: an *OptionError for a value Paimon does not know
// (file.format=xyz), an *UnsupportedError for a layout floe's writer does
// not produce yet, or nil. Create and Alter call it; reading never does.
//
// Deletion vectors and first-row are writable: floe's writer compacts
// level 0 up before each commit. The lookup and full-compaction changelog
// producers are writable too, but floe does not compact them (its
// compaction makes no changelog yet): their level-0 files are left to a
// compaction by another engine, as after a Java write with
// write-only=true.
func checkWritable(s *schema.Table, cfg *Config) error {
	if !slices.Contains(fileFormats, cfg.FileFormat) {
		return &OptionError{Key: "file.format", Value: cfg.FileFormat, Reason: "want one of " + strings.Join(fileFormats, ", ")}
	}
	if known, ok := fileCompressions[cfg.FileFormat]; ok && !slices.Contains(known, cfg.FileCompression) {
		return &OptionError{Key: "file.compression", Value: cfg.FileCompression,
			Reason: "file.format " + cfg.FileFormat + " takes " + strings.Join(known, ", ")}
	}
	if cfg.FileFormat != "parquet" {
		return &UnsupportedError{Key: "file.format", Value: cfg.FileFormat, Reason: "floe writes parquet data files only"}
	}
	if !slices.Contains(writableCompressions, cfg.FileCompression) {
		return &UnsupportedError{Key: "file.compression", Value: cfg.FileCompression, Reason: "floe writes " + strings.Join(writableCompressions, ", ")}
	}
	if f := cfg.ChangelogFileFormat; f != "" && f != "parquet" {
		return &UnsupportedError{Key: "changelog-file.format", Value: f, Reason: "floe writes parquet changelog files only"}
	}
	if c := cfg.ChangelogFileCompression; c != "" && !slices.Contains(writableCompressions, c) {
		return &UnsupportedError{Key: "changelog-file.compression", Value: c, Reason: "floe writes " + strings.Join(writableCompressions, ", ")}
	}
	if err := checkCompactionOptions(s, cfg); err != nil {
		return err
	}
	hasPK := len(s.PrimaryKeys) > 0
	if hasPK {
		eng, err := newEngine(s, cfg)
		if err != nil {
			return err
		}
		if !eng.Traits().Selecting && cfg.DeletionVectorsEnabled {
			return &UnsupportedError{Key: "deletion-vectors.enabled", Value: "true",
				Reason: "floe's lookup compaction does not merge " + eng.Name() + " values yet (it finds positions only)"}
		}
	}
	switch {
	case cfg.Bucket > 0 && cfg.BucketFunction == BucketFunctionHive:
		return &UnsupportedError{Key: "bucket-function.type", Value: string(cfg.BucketFunction), Reason: "floe does not write the hive bucket function yet"}
	case cfg.Bucket == -2 && hasPK:
		return &UnsupportedError{Key: "bucket", Value: "-2", Reason: "floe does not write postpone buckets yet"}
	case cfg.Bucket == -1 && hasPK && s.CrossPartitionUpdate():
		return &UnsupportedError{Key: "bucket", Value: "-1",
			Reason: fmt.Sprintf("a dynamic-bucket primary key %v that lacks partition keys of %v is a cross-partition upsert, which floe does not write yet (add the partition keys to the primary key or set a bucket count)",
				s.PrimaryKeys, s.PartitionKeys)}
	}
	return nil
}

// optionKey returns the option an *OptionError or *UnsupportedError names.
func optionKey(err error) (string, bool) {
	var oe *OptionError
	if errors.As(err, &oe) {
		return oe.Key, true
	}
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		return ue.Key, true
	}
	return "", false
}

// checkCompactionOptions refuses compaction options that cannot work
// together. Paimon quietly raises a stop trigger below the compaction
// trigger to the trigger; floe refuses it when a table is created or
// altered, so that what the options say is what writers do.
func checkCompactionOptions(s *schema.Table, cfg *Config) error {
	opt := func(key string) string { v, _ := s.Option(key); return v }
	if cfg.NumSortedRunStopTriggerSet {
		if n, err := strconv.Atoi(strings.TrimSpace(opt("num-sorted-run.stop-trigger"))); err == nil && n < cfg.NumSortedRunCompactionTrigger {
			return &OptionError{Key: "num-sorted-run.stop-trigger", Value: opt("num-sorted-run.stop-trigger"),
				Reason: fmt.Sprintf("below num-sorted-run.compaction-trigger (%d): writers would stall before compaction starts", cfg.NumSortedRunCompactionTrigger)}
		}
	}
	start, end := cfg.CompactionOffPeakStartHour, cfg.CompactionOffPeakEndHour
	for _, h := range []struct {
		key string
		v   int
	}{{"compaction.offpeak.start.hour", start}, {"compaction.offpeak.end.hour", end}} {
		if h.v > 23 {
			return &OptionError{Key: h.key, Value: opt(h.key), Reason: "want an hour 0-23, or -1 for none"}
		}
	}
	if (start < 0) != (end < 0) {
		key := "compaction.offpeak.end.hour"
		if start < 0 {
			key = "compaction.offpeak.start.hour"
		}
		return &OptionError{Key: key, Value: opt(key), Reason: "off-peak hours need both compaction.offpeak.start.hour and compaction.offpeak.end.hour"}
	}
	return nil
}

// newEngine builds the merge engine of a primary-key table.
func newEngine(s *schema.Table, cfg *Config) (merge.Engine, error) {
	e, err := merge.New(s.Fields, s.PrimaryKeys, cfg.Merge)
	if err != nil {
		return nil, mergeOptionError(err)
	}
	return e, nil
}

// mergeOptionError makes a *merge.OptionError an *OptionError too.
func mergeOptionError(err error) error {
	var me *merge.OptionError
	if !errors.As(err, &me) {
		return err
	}
	reason := me.Reason
	if me.Column != "" {
		reason = "column " + me.Column + ": " + reason
	}
	if errors.Is(me, merge.ErrUnsupported) {
		return fmt.Errorf("%w (%w)", &UnsupportedError{Key: me.Key, Value: me.Value, Reason: reason}, me)
	}
	return fmt.Errorf("%w (%w)", &OptionError{Key: me.Key, Value: me.Value, Reason: reason}, me)
}
