package table

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// Automatic tags, as Java Paimon's TagAutoCreation, TagBatchCreation and
// TagTimeExpire make them after a commit (TableCommitImpl.maintain):
//
//   - process-time and watermark: each new snapshot has a time (its commit
//     time, or its watermark, as a local date-time in sink.process-time-zone
//     or sink.watermark-time-zone). Once that time, less tag.creation-delay,
//     reaches the end of the period after the last one tagged, the snapshot
//     gets a tag named after the period before the one its time falls in
//     (with tag.automatic-completion, after the period following the last
//     one tagged). The first snapshot looked at always gets one.
//   - batch: the latest snapshot gets the tag batch-write-<yyyy-MM-dd of its
//     commit time> (or tag.batch.customized-name), replacing one of that
//     name. Java does it when a Flink batch job ends; floe, which has no
//     jobs, after every commit.
//   - tag.num-retained-max keeps that many tags: automatic ones (names that
//     parse as a period) for process-time and watermark, every tag for batch;
//     the oldest snapshots' tags go first.
//   - tags whose tagCreateTime plus tagTimeRetained has passed are deleted
//     (tag.time-expire-enabled), whoever made them.
//
// The decisions are the pure functions below (datadriven tests in
// testdata/autotag; names checked against Java-computed vectors in
// testdata/autotag.java-*); autoTags runs them.

// TagCreationMode is the "tag.automatic-creation" option.
type TagCreationMode string

// Tag creation modes.
const (
	TagCreationNone        TagCreationMode = "none"
	TagCreationProcessTime TagCreationMode = "process-time"
	TagCreationWatermark   TagCreationMode = "watermark"
	TagCreationBatch       TagCreationMode = "batch"
)

// TagCreationPeriod is the "tag.creation-period" option.
type TagCreationPeriod string

// Tag creation periods.
const (
	TagPeriodDaily    TagCreationPeriod = "daily"
	TagPeriodHourly   TagCreationPeriod = "hourly"
	TagPeriodTwoHours TagCreationPeriod = "two-hours"
)

// TagPeriodFormatter is the "tag.period-formatter" option: how automatic tag
// names spell their period.
type TagPeriodFormatter string

// Tag period formatters: daily 2024-06-01 / 20240601 / 20240601, hourly
// 2024-06-01 13 / 20240601 13 / 2024060113.
const (
	TagFormatterWithDashes             TagPeriodFormatter = "with_dashes"
	TagFormatterWithoutDashes          TagPeriodFormatter = "without_dashes"
	TagFormatterWithoutDashesAndSpaces TagPeriodFormatter = "without_dashes_and_spaces"
)

// batchTagPrefix starts the names of batch tags.
const batchTagPrefix = "batch-write-"

// tagSuccessDir holds the tag.create-success-file files.
const tagSuccessDir = snapshot.TagDir + "/tag-success-file"

func parseAutoTagOptions(p *parser, c *Config) {
	c.TagAutoCreation = TagCreationMode(p.enum("none", "tag.automatic-creation", "none", "process-time", "watermark", "batch"))
	c.TagCreationPeriod = TagCreationPeriod(p.enum("daily", "tag.creation-period", "daily", "hourly", "two-hours"))
	c.TagPeriodFormatter = TagPeriodFormatter(p.enum("with_dashes", "tag.period-formatter",
		"with_dashes", "without_dashes", "without_dashes_and_spaces"))
	c.TagCreationDelay = p.duration(0, "tag.creation-delay")
	if _, raw, ok := p.get("tag.creation-period-duration"); ok {
		c.TagCreationPeriodDuration = p.duration(0, "tag.creation-period-duration")
		if d := c.TagCreationPeriodDuration; p.err == nil && (d <= 0 || d%time.Millisecond != 0) {
			p.fail("tag.creation-period-duration", raw, "want a positive whole number of milliseconds")
		}
	}
	c.TagNumRetainedMax = p.integer(0, 1, "tag.num-retained-max")
	c.TagTimeExpireEnabled = p.boolean(true, "tag.time-expire-enabled")
	c.TagAutomaticCompletion = p.boolean(false, "tag.automatic-completion")
	c.TagCreateSuccessFile = p.boolean(false, "tag.create-success-file")
	if _, raw, ok := p.get("tag.batch.customized-name"); ok {
		if err := snapshot.ValidateTagName(raw); err != nil {
			p.fail("tag.batch.customized-name", raw, err.Error())
		}
		c.TagBatchCustomizedName = raw
	}
	c.SinkProcessTimeZone = p.zone(nil, "sink.process-time-zone")
	c.SinkWatermarkTimeZone = p.zone(time.UTC, "sink.watermark-time-zone")
	if m := c.TagAutoCreation; p.err == nil && (m == TagCreationProcessTime || m == TagCreationWatermark) {
		// Java: TagPeriodHandler.validateDelay, when the committer starts.
		if per := c.tagPeriod().length; c.TagCreationDelay >= per {
			_, raw, _ := p.get("tag.creation-delay")
			p.fail("tag.creation-delay", raw, fmt.Sprintf("must be shorter than the tag period (%v)", per))
		}
	}
}

// zone parses a time zone option as Java's ZoneId.of does: Z, UTC, GMT,
// UT, offsets (+8, +08:00, -0530), prefixed offsets (UTC+8, GMT-08:00) and
// region ids (Asia/Shanghai) from the system's time zone database.
func (p *parser) zone(def *time.Location, key string) *time.Location {
	_, raw, ok := p.get(key)
	if !ok {
		return def
	}
	loc, err := parseZone(strings.TrimSpace(raw))
	if err != nil {
		p.fail(key, raw, err.Error())
		return def
	}
	return loc
}

func parseZone(s string) (*time.Location, error) {
	switch s {
	case "Z", "UTC", "GMT", "UT":
		return time.FixedZone(s, 0), nil
	case "", "Local":
		return nil, errors.New("not a time zone id")
	}
	prefix := ""
	for _, pre := range []string{"UTC", "GMT", "UT"} {
		if strings.HasPrefix(s, pre) && len(s) > len(pre) && (s[len(pre)] == '+' || s[len(pre)] == '-') {
			prefix = pre
			break
		}
	}
	if rest := s[len(prefix):]; rest[0] == '+' || rest[0] == '-' {
		off, ok := parseZoneOffset(rest)
		if !ok {
			return nil, errors.New("bad zone offset")
		}
		return time.FixedZone(s, off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone: %v", err)
	}
	return loc, nil
}

// parseZoneOffset parses ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss (at
// most ±18:00) into seconds east of UTC.
func parseZoneOffset(s string) (int, bool) {
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	s = s[1:]
	num := func(t string) (int, bool) {
		if len(t) != 2 || t[0] < '0' || t[0] > '9' || t[1] < '0' || t[1] > '9' {
			return 0, false
		}
		return int(t[0]-'0')*10 + int(t[1]-'0'), true
	}
	var h, m, sec int
	ok := true
	switch {
	case len(s) == 1 && s[0] >= '0' && s[0] <= '9':
		h = int(s[0] - '0')
	case len(s) == 2:
		h, ok = num(s)
	case len(s) == 5 && s[2] == ':':
		h, ok = num(s[:2])
		if ok {
			m, ok = num(s[3:])
		}
	case len(s) == 4:
		h, ok = num(s[:2])
		if ok {
			m, ok = num(s[2:])
		}
	case len(s) == 8 && s[2] == ':' && s[5] == ':':
		h, ok = num(s[:2])
		if ok {
			m, ok = num(s[3:5])
		}
		if ok {
			sec, ok = num(s[6:])
		}
	case len(s) == 6:
		h, ok = num(s[:2])
		if ok {
			m, ok = num(s[2:4])
		}
		if ok {
			sec, ok = num(s[4:])
		}
	default:
		return 0, false
	}
	off := h*3600 + m*60 + sec
	if !ok || m > 59 || sec > 59 || off > 18*3600 {
		return 0, false
	}
	return sign * off, true
}

// tagPeriod is Java's TagPeriodHandler: a period length and how names spell
// a period's start. Times are local date-times: clock fields in time.UTC.
type tagPeriod struct {
	length time.Duration
	// layout spells a name: Y, M, D, h and m are digits of the year,
	// month, day, hour and minute; anything else is literal.
	layout string
	// daily periods parse a name's text up to its first space, as a date.
	daily bool
}

// tagPeriod returns the period of automatic tags.
func (c *Config) tagPeriod() tagPeriod {
	if d := c.TagCreationPeriodDuration; d > 0 {
		return tagPeriod{length: d, layout: "YYYYMMDDhhmm"}
	}
	switch c.TagCreationPeriod {
	case TagPeriodHourly:
		switch c.TagPeriodFormatter {
		case TagFormatterWithoutDashes:
			return tagPeriod{length: time.Hour, layout: "YYYYMMDD hh"}
		case TagFormatterWithoutDashesAndSpaces:
			return tagPeriod{length: time.Hour, layout: "YYYYMMDDhh"}
		}
		return tagPeriod{length: time.Hour, layout: "YYYY-MM-DD hh"}
	case TagPeriodTwoHours: // Java ignores the formatter
		return tagPeriod{length: 2 * time.Hour, layout: "YYYY-MM-DD hh"}
	}
	if c.TagPeriodFormatter == TagFormatterWithDashes {
		return tagPeriod{length: 24 * time.Hour, layout: "YYYY-MM-DD", daily: true}
	}
	return tagPeriod{length: 24 * time.Hour, layout: "YYYYMMDD", daily: true}
}

// name spells the period starting at t (Java: timeToTag).
func (p tagPeriod) name(t time.Time) (string, error) {
	if t.Year() < 0 || t.Year() > 9999 {
		return "", fmt.Errorf("tag period %v: year outside 0-9999", t)
	}
	var sb strings.Builder
	fields := map[byte]int{'Y': t.Year(), 'M': int(t.Month()), 'D': t.Day(), 'h': t.Hour(), 'm': t.Minute()}
	for i := 0; i < len(p.layout); {
		c := p.layout[i]
		v, ok := fields[c]
		if !ok {
			sb.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(p.layout) && p.layout[i+n] == c {
			n++
		}
		s := strconv.Itoa(v)
		sb.WriteString(strings.Repeat("0", n-len(s)) + s)
		i += n
	}
	return sb.String(), nil
}

// parse returns the start of the period a name spells, and false when the
// name is not an automatic tag of this period (Java: isAutoTag, tagToTime:
// exact digits, a valid date, hours 0-23).
func (p tagPeriod) parse(name string) (time.Time, bool) {
	if p.daily {
		name, _, _ = strings.Cut(name, " ")
	}
	if len(name) != len(p.layout) {
		return time.Time{}, false
	}
	f := map[byte]int{}
	for i := 0; i < len(p.layout); i++ {
		c := p.layout[i]
		switch c {
		case 'Y', 'M', 'D', 'h', 'm':
			if name[i] < '0' || name[i] > '9' {
				return time.Time{}, false
			}
			f[c] = f[c]*10 + int(name[i]-'0')
		default:
			if name[i] != c {
				return time.Time{}, false
			}
		}
	}
	t := time.Date(f['Y'], time.Month(f['M']), f['D'], f['h'], f['m'], 0, 0, time.UTC)
	if t.Year() != f['Y'] || int(t.Month()) != f['M'] || t.Day() != f['D'] || t.Hour() != f['h'] || t.Minute() != f['m'] {
		return time.Time{}, false
	}
	return t, true
}

// previous returns the start of the period before the one t falls in
// (Java: normalizeToPreviousTag; periods are aligned to 1970-01-01T00:00).
func (p tagPeriod) previous(t time.Time) time.Time {
	per := p.length.Milliseconds()
	return time.UnixMilli(t.UnixMilli() / per * per).UTC().Add(-p.length)
}

// next returns the start of the period after the one starting at t.
func (p tagPeriod) next(t time.Time) time.Time { return t.Add(p.length) }

// localTime returns the local date-time of an instant in a zone (nil: the
// local zone), as a time with those clock fields in UTC.
func localTime(t time.Time, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.Local
	}
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// autoTagger decides the tags of process-time and watermark tagging, one
// snapshot at a time (Java: TagAutoCreation.tryToCreateTags). It is pure.
type autoTagger struct {
	period     tagPeriod
	delay      time.Duration
	completion bool
	watermark  bool           // a snapshot's time is its watermark, else its commit time
	zone       *time.Location // of that time (nil: local)
	// nextTag is the start of the period after the last one tagged; nil
	// before the first tag.
	nextTag *time.Time
}

func (c *Config) autoTagger() *autoTagger {
	a := &autoTagger{period: c.tagPeriod(), delay: c.TagCreationDelay, completion: c.TagAutomaticCompletion,
		watermark: c.TagAutoCreation == TagCreationWatermark, zone: c.SinkProcessTimeZone}
	if a.watermark {
		a.zone = c.SinkWatermarkTimeZone
	}
	return a
}

// snapshotTime returns the local date-time of a snapshot, false for a
// watermark tagger when it has no watermark.
func (a *autoTagger) snapshotTime(timeMillis int64, watermark *int64) (time.Time, bool) {
	ms := timeMillis
	if a.watermark {
		if watermark == nil || *watermark == minWatermark {
			return time.Time{}, false
		}
		ms = *watermark
	}
	return localTime(time.UnixMilli(ms), a.zone), true
}

// minWatermark is Java's Long.MIN_VALUE: no watermark.
const minWatermark = -1 << 63

// decide returns the period a snapshot of local time t tags, if any.
// advance must follow once the tag exists.
func (a *autoTagger) decide(t time.Time) (period time.Time, name string, ok bool, err error) {
	if a.nextTag != nil && t.Add(-a.delay).Before(a.period.next(*a.nextTag)) {
		return time.Time{}, "", false, nil
	}
	period = a.period.previous(t)
	if a.completion && a.nextTag != nil {
		period = *a.nextTag
	}
	name, err = a.period.name(period)
	if err != nil {
		return time.Time{}, "", false, err
	}
	return period, name, true, nil
}

// advance records that the period starting at tagged has its tag.
func (a *autoTagger) advance(tagged time.Time) {
	n := a.period.next(tagged)
	a.nextTag = &n
}

// tagRef is a tag as the decisions see it.
type tagRef struct {
	name    string
	id      int64     // snapshot id
	modTime time.Time // of the tag file (batch retention only)
}

// autoTagStart returns where automatic tagging resumes, from the tags
// (Java 2.0's TagAutoCreation constructor): after the snapshot of the
// automatic tag of the latest period, whose next period is tagged next; with
// no automatic tag, at the earliest snapshot (1 when there is none) with no
// period yet.
func autoTagStart(p tagPeriod, tags []tagRef, earliest int64) (nextSnapshot int64, nextTag *time.Time) {
	var best *tagRef
	var bestTime time.Time
	for i := range tags {
		t, ok := p.parse(tags[i].name)
		if !ok {
			continue
		}
		if best == nil || t.After(bestTime) || t.Equal(bestTime) && tags[i].name < best.name {
			best, bestTime = &tags[i], t
		}
	}
	if best == nil {
		return max(earliest, 1), nil
	}
	n := p.next(bestTime)
	return best.id + 1, &n
}

// errAutoTags reports a snapshot with more than one automatic tag, which
// Java's retention refuses too.
var errAutoTags = errors.New("table: more than one automatic tag of a snapshot")

// autoTagsOverMax returns the automatic tags to delete so that at most keep
// snapshots keep one: those of the oldest snapshots (Java: TagAutoCreation,
// tag.num-retained-max; tags that are not automatic do not count).
func autoTagsOverMax(p tagPeriod, tags []tagRef, keep int) ([]string, error) {
	byID := map[int64][]string{}
	var ids []int64
	for _, t := range tags {
		if _, ok := p.parse(t.name); !ok {
			continue
		}
		if _, seen := byID[t.id]; !seen {
			ids = append(ids, t.id)
		}
		byID[t.id] = append(byID[t.id], t.name)
	}
	slices.Sort(ids)
	var out []string
	for _, id := range ids[:max(len(ids)-keep, 0)] {
		if names := byID[id]; len(names) > 1 {
			slices.Sort(names)
			return nil, fmt.Errorf("%w: snapshot %d has %s", errAutoTags, id, strings.Join(names, ", "))
		}
		out = append(out, byID[id][0])
	}
	return out, nil
}

// batchTagName is the name of the batch tag of a snapshot committed at
// timeMillis (Java: TagBatchCreation).
func batchTagName(custom string, timeMillis int64, zone *time.Location) string {
	if custom != "" {
		return custom
	}
	return batchTagPrefix + localTime(time.UnixMilli(timeMillis), zone).Format("2006-01-02")
}

// batchTagsOverMax returns the tags to delete so that at most keep remain,
// every tag counting: the oldest snapshots' first, those of one snapshot
// oldest file first (Java: TagBatchCreation.expireTag).
func batchTagsOverMax(tags []tagRef, keep int) []string {
	s := slices.Clone(tags)
	slices.SortStableFunc(s, func(a, b tagRef) int {
		return cmp.Or(cmp.Compare(a.id, b.id), a.modTime.Compare(b.modTime), strings.Compare(a.name, b.name))
	})
	var out []string
	for _, t := range s[:max(len(s)-keep, 0)] {
		out = append(out, t.name)
	}
	return out
}

// tagsTimeExpired returns the tags whose tagCreateTime plus tagTimeRetained
// is before now, a local date-time (Java: TagTimeExpire; a tag without
// either never expires).
func tagsTimeExpired(tags []*snapshot.Tag, now time.Time) []string {
	var out []string
	for _, t := range tags {
		if t.CreateTime == nil || t.TimeRetained == nil {
			continue
		}
		if now.After(t.CreateTime.Add(*t.TimeRetained)) {
			out = append(out, t.Name)
		}
	}
	return out
}

// autoTagState is the in-process state of automatic tagging (Java keeps it
// in its committer): the next snapshot to look at and the next period.
type autoTagState struct {
	mu           sync.Mutex
	started      bool
	nextSnapshot int64
	nextTag      *time.Time
}

// now is the table's clock (time.Now unless a test set one).
func (t *Table) now() time.Time {
	if t.clock != nil {
		return t.clock()
	}
	return time.Now()
}

// autoTags runs the tag upkeep after a commit: automatic or batch creation
// with its retention, then expiry by tagTimeRetained.
func (t *Table) autoTags(ctx context.Context, log *slog.Logger) error {
	switch t.cfg.TagAutoCreation {
	case TagCreationProcessTime, TagCreationWatermark:
		if err := t.createAutoTags(ctx, log); err != nil {
			return fmt.Errorf("automatic tags: %w", err)
		}
	case TagCreationBatch:
		if err := t.createBatchTag(ctx, log); err != nil {
			return fmt.Errorf("batch tag: %w", err)
		}
	}
	if t.cfg.TagTimeExpireEnabled {
		if err := t.expireTagsByTime(ctx, log); err != nil {
			return fmt.Errorf("tag expiry: %w", err)
		}
	}
	return nil
}

func autoTagRefs(tags []*snapshot.Tag) []tagRef {
	out := make([]tagRef, len(tags))
	for i, x := range tags {
		out[i] = tagRef{name: x.Name, id: x.ID}
	}
	return out
}

func (t *Table) createAutoTags(ctx context.Context, log *slog.Logger) error {
	st := &t.maint.tags
	st.mu.Lock()
	defer st.mu.Unlock()
	a := t.cfg.autoTagger()
	if !st.started {
		tags, err := t.Tags(ctx)
		if err != nil {
			return err
		}
		earliest, err := snapshot.EarliestID(ctx, t.meta)
		if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			return err
		}
		st.nextSnapshot, st.nextTag = autoTagStart(a.period, autoTagRefs(tags), earliest)
		st.started = true
	}
	a.nextTag = st.nextTag
	for {
		s, err := snapshot.Read(ctx, t.meta, st.nextSnapshot)
		if errors.Is(err, snapshot.ErrNotFound) {
			// Expired meanwhile: go on from the earliest.
			earliest, err := snapshot.EarliestID(ctx, t.meta)
			if err == nil && earliest > st.nextSnapshot {
				st.nextSnapshot = earliest
				continue
			}
			if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
				return err
			}
			return nil
		}
		if err != nil {
			return err
		}
		if tm, ok := a.snapshotTime(s.TimeMillis, s.Watermark); ok {
			period, name, ok, err := a.decide(tm)
			if err != nil {
				return err
			}
			if ok {
				if err := t.createAutoTag(ctx, name, s.ID, log); err != nil {
					return err
				}
				a.advance(period)
				st.nextTag = a.nextTag
				if err := t.retainAutoTags(ctx, a.period, log); err != nil {
					return err
				}
			}
		}
		st.nextSnapshot++
	}
}

// createAutoTag tags snapshot id, unless a tag of that name exists.
func (t *Table) createAutoTag(ctx context.Context, name string, id int64, log *slog.Logger) error {
	_, err := t.CreateTag(ctx, name, TagOptions{SnapshotID: id, Now: t.now()})
	switch {
	case errors.Is(err, snapshot.ErrTagExists):
		return nil
	case errors.Is(err, ErrNoSnapshot):
		log.Warn("automatic tag skipped: its snapshot expired", "tag", name, "snapshot_id", id)
		return nil
	case err != nil:
		return err
	}
	log.Info("tag created", "tag", name, "snapshot_id", id)
	return t.tagCreated(ctx, name)
}

func (t *Table) retainAutoTags(ctx context.Context, p tagPeriod, log *slog.Logger) error {
	if t.cfg.TagNumRetainedMax <= 0 {
		return nil
	}
	tags, err := t.Tags(ctx)
	if err != nil {
		return err
	}
	del, err := autoTagsOverMax(p, autoTagRefs(tags), t.cfg.TagNumRetainedMax)
	if err != nil {
		return err
	}
	return t.deleteTags(ctx, del, "tag.num-retained-max", log)
}

func (t *Table) createBatchTag(ctx context.Context, log *slog.Logger) error {
	s, err := snapshot.Latest(ctx, t.meta)
	if errors.Is(err, snapshot.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	name := batchTagName(t.cfg.TagBatchCustomizedName, s.TimeMillis, t.cfg.SinkProcessTimeZone)
	// Java deletes the tag (with its success file) and creates it anew.
	if err := t.deleteTags(ctx, []string{name}, "replaced by the batch tag", log); err != nil {
		return err
	}
	if _, err := t.CreateTag(ctx, name, TagOptions{SnapshotID: s.ID, Now: t.now()}); err != nil {
		// Java logs it and goes on to the retention.
		log.Warn("batch tag not created", "tag", name, "snapshot_id", s.ID, "error", err)
	} else {
		log.Info("tag created", "tag", name, "snapshot_id", s.ID)
		if err := t.tagCreated(ctx, name); err != nil {
			return err
		}
	}
	if t.cfg.TagNumRetainedMax <= 0 {
		return nil
	}
	objs, err := t.meta.List(ctx, snapshot.TagDir+"/")
	if err != nil {
		return err
	}
	mod := map[string]time.Time{}
	for _, o := range objs {
		mod[o.Key] = o.ModTime
	}
	tags, err := t.Tags(ctx)
	if err != nil {
		return err
	}
	refs := autoTagRefs(tags)
	for i := range refs {
		refs[i].modTime = mod[snapshot.TagPath(refs[i].name)]
	}
	return t.deleteTags(ctx, batchTagsOverMax(refs, t.cfg.TagNumRetainedMax), "tag.num-retained-max", log)
}

func (t *Table) expireTagsByTime(ctx context.Context, log *slog.Logger) error {
	names, err := t.meta.ListDir(ctx, snapshot.TagDir)
	if err != nil || len(names) == 0 {
		return err
	}
	tags, err := t.Tags(ctx)
	if err != nil {
		return err
	}
	// tagCreateTime holds the clock fields of the creator's now, in its
	// own zone (snapshot.CreateTag).
	now := t.now()
	return t.deleteTags(ctx, tagsTimeExpired(tags, localTime(now, now.Location())), "tagTimeRetained", log)
}

// deleteTags deletes tags (and the files only they kept) and their success
// files; a tag deleted meanwhile is skipped.
func (t *Table) deleteTags(ctx context.Context, names []string, why string, log *slog.Logger) error {
	for _, n := range names {
		res, err := t.DeleteTag(ctx, n)
		if errors.Is(err, snapshot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		log.Info("tag deleted", "tag", n, "reason", why, "snapshot_id", res.Tag.ID,
			"data_files", res.DataFiles, "meta_files", res.MetaFiles)
		if t.cfg.TagCreateSuccessFile {
			if err := t.meta.Delete(ctx, tagSuccessPath(n)); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

func tagSuccessPath(name string) string { return tagSuccessDir + "/" + name + "_SUCCESS" }

// tagCreated writes the tag's success file (tag.create-success-file), as
// Java's SuccessFileTagCallback: creation and modification time in epoch
// milliseconds, the creation time kept when the file exists.
func (t *Table) tagCreated(ctx context.Context, name string) error {
	if !t.cfg.TagCreateSuccessFile {
		return nil
	}
	now := t.now().UnixMilli()
	created := now
	p := tagSuccessPath(name)
	if b, err := t.meta.Read(ctx, p); err == nil {
		var old struct {
			CreationTime *int64 `json:"creationTime"`
		}
		if json.Unmarshal(b, &old) == nil && old.CreationTime != nil {
			created = *old.CreationTime
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	body := fmt.Sprintf("{\n  \"creationTime\" : %d,\n  \"modificationTime\" : %d\n}", created, now)
	return t.meta.Write(ctx, p, []byte(body))
}
