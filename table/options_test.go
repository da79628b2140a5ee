package table

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/floelake/floe/schema"
)

func optsTable(kv ...string) *schema.Table {
	return &schema.Table{Version: schema.CurrentVersion, Options: schema.NewOptions(kv...)}
}

func TestOptionsDefaults(t *testing.T) {
	c, err := ParseConfig(optsTable())
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Bucket:                                -1,
		BucketFunction:                        BucketFunctionDefault,
		FileFormat:                            "parquet",
		FileCompression:                       "zstd",
		ZstdLevel:                             1,
		ManifestCompression:                   "zstd",
		ManifestTargetFileSize:                8 << 20,
		ManifestMergeMinCount:                 30,
		ManifestFullCompactionThresholdSize:   16 << 20,
		PartitionDefaultName:                  "__DEFAULT_PARTITION__",
		PartitionLegacyName:                   true,
		MergeEngine:                           MergeDeduplicate,
		SequenceSortOrder:                     Ascending,
		ChangelogProducer:                     ChangelogNone,
		StatsMode:                             StatsMode{Kind: StatsTruncate, Length: 16},
		StatsDenseStore:                       true,
		StatsKeepFirstNColumns:                -1,
		WriteBufferSize:                       256 << 20,
		WriteBufferSpillable:                  true,
		PageSize:                              64 << 10,
		NumSortedRunCompactionTrigger:         5,
		NumSortedRunStopTrigger:               8,
		NumLevels:                             6,
		CompactionMaxSizeAmplificationPercent: 200,
		CompactionSizeRatio:                   1,
		CompactionMinFileNum:                  5,
		CompactionFileNumLimit:                100_000,
		SourceSplitOpenFileCost:               4 << 20,
		LocalSortMaxNumFileHandles:            128,
		CompactionOffPeakStartHour:            -1,
		CompactionOffPeakEndHour:              -1,
		LookupWait:                            true,
		LookupCacheFileRetention:              time.Hour,
		CommitMaxRetries:                      10,
		CommitMinRetryWait:                    10 * time.Millisecond,
		CommitMaxRetryWait:                    10 * time.Second,
		SnapshotNumRetainedMin:                10,
		SnapshotNumRetainedMax:                math.MaxInt32,
		SnapshotTimeRetained:                  time.Hour,
		SnapshotExpireLimit:                   50,
		ChangelogNumRetainedMin:               10,
		ChangelogNumRetainedMax:               math.MaxInt32,
		ChangelogTimeRetained:                 time.Hour,
		DiscoveryInterval:                     10 * time.Second,
		DynamicBucketTargetRowNum:             2_000_000,
		DynamicBucketMaxBuckets:               -1,
		DataFilePrefix:                        "data-",
		ChangelogFilePrefix:                   "changelog-",

		TagAutoCreation:                  TagCreationNone,
		TagCreationPeriod:                TagPeriodDaily,
		TagPeriodFormatter:               TagFormatterWithDashes,
		TagTimeExpireEnabled:             true,
		SinkWatermarkTimeZone:            time.UTC,
		PartitionExpirationCheckInterval: time.Hour,
		PartitionExpirationStrategy:      PartitionExpireValuesTime,
		PartitionExpirationMaxNum:        100,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if got := c.TargetFileSizeFor(true); got != 128<<20 {
		t.Errorf("PK target size %d", got)
	}
	if got := c.TargetFileSizeFor(false); got != 256<<20 {
		t.Errorf("append target size %d", got)
	}
	if got := c.StatsModeFor("x"); got != (StatsMode{Kind: StatsTruncate, Length: 16}) {
		t.Errorf("StatsModeFor default %v", got)
	}
}

func TestOptionsOldVersionDefaults(t *testing.T) {
	tb := &schema.Table{Version: schema.Version07}
	c, err := ParseConfig(tb)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bucket != 1 || c.FileFormat != "orc" {
		t.Errorf("version 1: bucket %d format %q, want 1 orc", c.Bucket, c.FileFormat)
	}
	tb = &schema.Table{Version: schema.Version08}
	if c, err = ParseConfig(tb); err != nil {
		t.Fatal(err)
	}
	if c.Bucket != -1 || c.FileFormat != "orc" {
		t.Errorf("version 2: bucket %d format %q, want -1 orc", c.Bucket, c.FileFormat)
	}
}

func TestOptionsParsedValues(t *testing.T) {
	c, err := ParseConfig(optsTable(
		"bucket", "4",
		"bucket-key", "a,b",
		"bucket-function.type", "HIVE",
		"file.format", "ORC",
		"file.compression", "LZ4",
		"file.compression.zstd-level", "3",
		"manifest.target-file-size", "2 mb",
		"partition.default-name", "null",
		"partition.legacy-name", "FALSE",
		"merge-engine", "Partial-Update",
		"partial-update.ignore-delete", "true",
		"sequence.field", "ts, seq",
		"sequence.field.sort-order", "descending",
		"changelog-producer", "lookup",
		"deletion-vectors.enabled", "true",
		"metadata.stats-mode", "FULL",
		"fields.name.stats-mode", "none",
		"fields.id.stats-mode", "truncate(8)",
		"target-file-size", "64mb",
		"num-sorted-run.compaction-trigger", "3",
		"commit.timeout", "30 s",
		"commit.max-retries", "0",
		"snapshot.time-retained", "2 d",
		"dynamic-bucket.target-row-num", "100",
	))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"bucket", c.Bucket, 4},
		{"bucket-key", c.BucketKey, []string{"a", "b"}},
		{"bucket-function", c.BucketFunction, BucketFunctionHive},
		{"format", c.FileFormat, "orc"},
		{"compression", c.FileCompression, "lz4"},
		{"zstd level", c.ZstdLevel, 3},
		{"manifest size", c.ManifestTargetFileSize, int64(2 << 20)},
		{"default name", c.PartitionDefaultName, "null"},
		{"legacy", c.PartitionLegacyName, false},
		{"merge", c.MergeEngine, MergePartialUpdate},
		{"ignore-delete fallback", c.IgnoreDelete, true},
		{"sequence", c.SequenceFields, []string{"ts", "seq"}},
		{"sort order", c.SequenceSortOrder, Descending},
		{"changelog", c.ChangelogProducer, ChangelogLookup},
		{"dv", c.DeletionVectorsEnabled, true},
		{"stats", c.StatsMode, StatsMode{Kind: StatsFull}},
		{"stats name", c.StatsModeFor("name"), StatsMode{Kind: StatsNone}},
		{"stats id", c.StatsModeFor("id"), StatsMode{Kind: StatsTruncate, Length: 8}},
		{"stats other", c.StatsModeFor("other"), StatsMode{Kind: StatsFull}},
		{"target PK", c.TargetFileSizeFor(true), int64(64 << 20)},
		{"target append", c.TargetFileSizeFor(false), int64(64 << 20)},
		{"stop trigger", c.NumSortedRunStopTrigger, 6},
		{"levels", c.NumLevels, 4},
		{"timeout", c.CommitTimeout, 30 * time.Second},
		{"retries", c.CommitMaxRetries, 0},
		{"time retained", c.SnapshotTimeRetained, 48 * time.Hour},
		{"row num", c.DynamicBucketTargetRowNum, int64(100)},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if c.Unknown.Len() != 0 {
		t.Errorf("unknown: %v", c.Unknown.Keys())
	}
}

func TestOptionsDerivedTriggers(t *testing.T) {
	cases := []struct {
		kv           []string
		stop, levels int
	}{
		{nil, 8, 6},
		{[]string{"num-sorted-run.compaction-trigger", "10"}, 13, 11},
		{[]string{"num-sorted-run.stop-trigger", "20"}, 20, 6},
		{[]string{"num-sorted-run.compaction-trigger", "10", "num-sorted-run.stop-trigger", "4"}, 10, 11},
		{[]string{"num-levels", "3"}, 8, 3},
	}
	for _, tc := range cases {
		c, err := ParseConfig(optsTable(tc.kv...))
		if err != nil {
			t.Fatalf("%v: %v", tc.kv, err)
		}
		if c.NumSortedRunStopTrigger != tc.stop || c.NumLevels != tc.levels {
			t.Errorf("%v: stop %d levels %d, want %d %d", tc.kv, c.NumSortedRunStopTrigger, c.NumLevels, tc.stop, tc.levels)
		}
	}
}

func TestOptionsUnknownKeptInOrder(t *testing.T) {
	tb := optsTable(
		"zeta", "1",
		"bucket", "2",
		"primary-key", "ignored-here",
		"fields.v.aggregate-function", "sum",
		"fields.v.stats-mode", "counts",
		"fields..stats-mode", "odd",
		"alpha", " spaced value ",
	)
	c, err := ParseConfig(tb)
	if err != nil {
		t.Fatal(err)
	}
	// fields.v.aggregate-function is a merge option (Config.Merge).
	wantKeys := []string{"zeta", "primary-key", "fields..stats-mode", "alpha"}
	if got := c.Unknown.Keys(); !slices.Equal(got, wantKeys) {
		t.Fatalf("unknown keys %v, want %v", got, wantKeys)
	}
	for _, k := range wantKeys {
		got, _ := c.Unknown.Get(k)
		want, _ := tb.Options.Get(k)
		if got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if c.StatsModeFor("v") != (StatsMode{Kind: StatsCounts}) {
		t.Errorf("fields.v.stats-mode: %v", c.StatsModeFor("v"))
	}
}

func TestOptionsBadValueNamesKey(t *testing.T) {
	cases := []struct{ key, val string }{
		{"bucket", "x"},
		{"bucket", "0"},
		{"bucket", "-3"},
		{"bucket-function.type", "md5"},
		{"write-buffer-size", "lots"},
		{"write-buffer-size", "10 pb"},
		{"commit.timeout", "soon"},
		{"commit.timeout", "-1 s"},
		{"snapshot.time-retained", "1 fortnight"},
		{"partition.legacy-name", "yes"},
		{"merge-engine", "last-row"},
		{"changelog-producer", "always"},
		{"sequence.field.sort-order", "up"},
		{"metadata.stats-mode", "truncate(x)"},
		{"fields.c.stats-mode", "partial"},
		{"num-sorted-run.compaction-trigger", "0"},
		{"num-levels", "1"},
		{"commit.max-retries", "99999999999"},
		{"dynamic-bucket.target-row-num", "1.5"},
		{"target-file-size", ""},
		{"sequence.field", "a,,b"},
		{"file.format", "  "},
		{"ignore-delete", "maybe"},
		{"first-row.ignore-delete", "maybe"},
	}
	for _, tc := range cases {
		_, err := ParseConfig(optsTable("zz", "ok", tc.key, tc.val))
		if !errors.Is(err, ErrInvalidOption) {
			t.Errorf("%s=%q: got %v, want ErrInvalidOption", tc.key, tc.val, err)
			continue
		}
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Key != tc.key || oe.Value != tc.val || oe.Reason == "" {
			t.Errorf("%s=%q: error %#v does not name the key and value", tc.key, tc.val, err)
		}
	}
	// Cross-option checks name the lower bound.
	_, err := ParseConfig(optsTable("snapshot.num-retained.min", "20", "snapshot.num-retained.max", "5"))
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Key != "snapshot.num-retained.min" {
		t.Errorf("min > max: %v", err)
	}
	_, err = ParseConfig(optsTable("commit.min-retry-wait", "1 min"))
	if !errors.As(err, &oe) || oe.Key != "commit.min-retry-wait" {
		t.Errorf("min wait > max wait: %v", err)
	}
}

func TestOptionsMemorySize(t *testing.T) {
	good := map[string]int64{
		"1024":        1024,
		"0":           0,
		"64 mb":       64 << 20,
		"128MB":       128 << 20,
		"1 gb":        1 << 30,
		"1G":          1 << 30,
		"256kb":       256 << 10,
		"256 k":       256 << 10,
		"3m":          3 << 20,
		"2 tb":        2 << 40,
		"1t":          1 << 40,
		"10 b":        10,
		"10 bytes":    10,
		" 7 Mb ":      7 << 20,
		"1 mebibytes": 1 << 20,
	}
	for s, want := range good {
		got, err := parseMemorySize(s)
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "mb", "-1 mb", "1.5 mb", "10 pb", "10 mbs", "99999999999 tb", "99999999999999999999"} {
		if got, err := parseMemorySize(s); err == nil {
			t.Errorf("%q: %d, want error", s, got)
		}
	}
}

func TestOptionsDuration(t *testing.T) {
	good := map[string]time.Duration{
		"500":       500 * time.Millisecond,
		"10ms":      10 * time.Millisecond,
		"500 ms":    500 * time.Millisecond,
		"10 s":      10 * time.Second,
		"10 sec":    10 * time.Second,
		"3 seconds": 3 * time.Second,
		"1 min":     time.Minute,
		"5m":        5 * time.Minute,
		"1 h":       time.Hour,
		"1 H":       time.Hour,
		"2 hours":   2 * time.Hour,
		"2 d":       48 * time.Hour,
		"1 day":     24 * time.Hour,
		"7 us":      7 * time.Microsecond,
		"9 ns":      9,
		"0":         0,
	}
	for s, want := range good {
		got, err := parseDuration(s)
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "s", "-1 s", "1.5 s", "1 week", "PT1H", "999999999999 d"} {
		if got, err := parseDuration(s); err == nil {
			t.Errorf("%q: %v, want error", s, got)
		}
	}
}

func TestOptionsStatsMode(t *testing.T) {
	good := map[string]StatsMode{
		"none":          {Kind: StatsNone},
		"COUNTS":        {Kind: StatsCounts},
		"Full":          {Kind: StatsFull},
		"truncate(16)":  {Kind: StatsTruncate, Length: 16},
		" TRUNCATE(1) ": {Kind: StatsTruncate, Length: 1},
	}
	for s, want := range good {
		got, err := parseStatsMode(s)
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", s, got, err, want)
		}
		if err == nil && got.String() == "" {
			t.Errorf("%q: empty String", s)
		}
	}
	if s := (StatsMode{Kind: StatsTruncate, Length: 16}).String(); s != "truncate(16)" {
		t.Errorf("String: %q", s)
	}
	for _, s := range []string{"", "truncate(x)", "truncate()", "truncate(0)", "truncate(-1)", "truncate(16",
		"truncate 16", "truncate(1 6)", "truncate(99999999999)", "min-max", "truncate(+3)"} {
		if got, err := parseStatsMode(s); err == nil {
			t.Errorf("%q: %v, want error", s, got)
		}
	}
}
