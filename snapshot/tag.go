package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/internal/jsonpp"
	"github.com/floelake/floe/storage"
)

// Tag is one tag/tag-<name> file: the tagged snapshot's JSON plus two
// optional keys written after the snapshot's.
//
// CreateTime is a wall-clock time without zone (Java LocalDateTime): Encode
// writes its clock fields as they are, ignoring the Location, and decoding
// yields a time in time.UTC with the same clock fields.
type Tag struct {
	Snapshot
	// Name is the tag name (not stored in the file).
	Name string
	// CreateTime is tagCreateTime, nil if absent.
	CreateTime *time.Time
	// TimeRetained is tagTimeRetained, nil if absent.
	TimeRetained *time.Duration
}

// tagWire is the encoding layout: snapshot keys, then the tag keys.
type tagWire struct {
	*Snapshot
	TagCreateTime   []int       `json:"tagCreateTime,omitempty"`
	TagTimeRetained json.Number `json:"tagTimeRetained,omitempty"`
}

// DecodeTag parses a tag file. name identifies the file in errors.
func DecodeTag(name string, b []byte) (*Tag, error) {
	s, err := Decode(name, b)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil { // cannot fail after Decode
		return nil, fmt.Errorf("decode %s: %w: %v", name, ErrCorrupt, err)
	}
	t := &Tag{Snapshot: *s}
	if t.CreateTime, err = decodeLocalDateTime(m["tagCreateTime"]); err != nil {
		return nil, fmt.Errorf("decode %s: %w: tagCreateTime: %v", name, ErrCorrupt, err)
	}
	if t.TimeRetained, err = decodeDuration(m["tagTimeRetained"]); err != nil {
		return nil, fmt.Errorf("decode %s: %w: tagTimeRetained: %v", name, ErrCorrupt, err)
	}
	return t, nil
}

// Encode returns the tag file bytes as Paimon 1.4.2 writes them.
func (t *Tag) Encode() ([]byte, error) {
	s := t.Snapshot
	s.LogOffsets = nil
	if s.Version == 0 {
		s.Version = CurrentVersion
	}
	if s.Version != CurrentVersion {
		return nil, fmt.Errorf("encode tag %s: %w: version %d", t.Name, ErrUnsupportedVersion, s.Version)
	}
	if !s.CommitKind.Valid() {
		return nil, fmt.Errorf("encode tag %s: unknown commitKind %q", t.Name, s.CommitKind)
	}
	w := tagWire{Snapshot: &s}
	if t.CreateTime != nil {
		w.TagCreateTime = encodeLocalDateTime(*t.CreateTime)
	}
	if t.TimeRetained != nil {
		if *t.TimeRetained < 0 {
			return nil, fmt.Errorf("encode tag %s: negative tagTimeRetained %v", t.Name, *t.TimeRetained)
		}
		w.TagTimeRetained = json.Number(encodeDuration(*t.TimeRetained))
	}
	return jsonpp.Marshal(&w)
}

// encodeLocalDateTime writes Jackson's array form of a LocalDateTime:
// [y, m, d, h, min], then seconds if seconds or nanos are non-zero, then
// nanos if non-zero.
func encodeLocalDateTime(t time.Time) []int {
	a := []int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute()}
	if t.Second() > 0 || t.Nanosecond() > 0 {
		a = append(a, t.Second())
		if t.Nanosecond() > 0 {
			a = append(a, t.Nanosecond())
		}
	}
	return a
}

func decodeLocalDateTime(raw json.RawMessage) (*time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
			if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
				return &t, nil
			}
		}
		return nil, fmt.Errorf("bad date-time %q", s)
	}
	var a []int
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, err
	}
	if len(a) < 5 || len(a) > 7 {
		return nil, fmt.Errorf("date-time array has %d elements", len(a))
	}
	for len(a) < 7 {
		a = append(a, 0)
	}
	if a[0] < -999999999 || a[0] > 999999999 || a[6] < 0 || a[6] > 999999999 {
		return nil, fmt.Errorf("date-time %v out of range", a)
	}
	t := time.Date(a[0], time.Month(a[1]), a[2], a[3], a[4], a[5], a[6], time.UTC)
	if t.Year() != a[0] || int(t.Month()) != a[1] || t.Day() != a[2] || t.Hour() != a[3] || t.Minute() != a[4] || t.Second() != a[5] {
		return nil, fmt.Errorf("date-time %v out of range", a)
	}
	return &t, nil
}

// encodeDuration writes a non-negative duration as Jackson writes a
// java.time.Duration: a BigDecimal of seconds with nine fraction digits
// ("86400.000000000"), "0.0" for zero, and Java's scientific notation for
// values below a microsecond ("1E-9", "5.00E-7").
func encodeDuration(d time.Duration) string {
	if d == 0 {
		return "0.0"
	}
	digits := strconv.FormatInt(int64(d), 10) // unscaled value, scale 9
	adjusted := len(digits) - 1 - 9
	if adjusted >= -6 {
		if len(digits) <= 9 {
			return "0." + strings.Repeat("0", 9-len(digits)) + digits
		}
		return digits[:len(digits)-9] + "." + digits[len(digits)-9:]
	}
	m := digits[:1]
	if len(digits) > 1 {
		m += "." + digits[1:]
	}
	return m + "E" + strconv.Itoa(adjusted)
}

func decodeDuration(raw json.RawMessage) (*time.Duration, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		raw = []byte(s) // a quoted number of seconds
	}
	if err := checkNumber(raw); err != nil {
		return nil, err
	}
	r, ok := new(big.Rat).SetString(string(raw))
	if !ok {
		return nil, fmt.Errorf("bad duration %q", raw)
	}
	r.Mul(r, big.NewRat(int64(time.Second), 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return nil, fmt.Errorf("duration %q out of range", raw)
	}
	d := time.Duration(r.Num().Int64())
	return &d, nil
}

// checkNumber accepts a JSON-style decimal number with a small exponent, so
// that big.Rat never sees fractions, hex or exponents that would make it
// allocate without bound.
func checkNumber(raw []byte) error {
	if len(raw) == 0 || len(raw) > 64 {
		return fmt.Errorf("bad duration %q", raw)
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(string(raw)), "e")
	mant = strings.TrimPrefix(mant, "-")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" || strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return fmt.Errorf("bad duration %q", raw)
	}
	if hasExp {
		e, err := strconv.Atoi(exp)
		if err != nil || e < -40 || e > 40 {
			return fmt.Errorf("bad duration %q", raw)
		}
	}
	return nil
}

// TagOptions configures CreateTag. The zero value creates a tag without
// retention, stamped with the current local wall-clock time, failing if the
// tag exists.
type TagOptions struct {
	// TimeRetained sets tagTimeRetained (must not be negative).
	TimeRetained *time.Duration
	// CreateTime overrides the creation time (zero: time.Now()).
	CreateTime time.Time
	// Replace overwrites an existing tag instead of failing.
	Replace bool
}

// ReadTag reads tag/tag-<name>.
func ReadTag(ctx context.Context, store *storage.Store, name string) (*Tag, error) {
	if err := ValidateTagName(name); err != nil {
		return nil, err
	}
	p := TagPath(name)
	b, err := store.Read(ctx, p)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("%w: %s: %w", ErrNotFound, p, err)
		}
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	t, err := DecodeTag(p, b)
	if err != nil {
		return nil, err
	}
	t.Name = name
	return t, nil
}

// Tags reads every tag, sorted by snapshot id and then name. Files whose
// names start with "." are ignored; a tag deleted while listing is skipped.
func Tags(ctx context.Context, store *storage.Store) ([]*Tag, error) {
	names, err := store.ListDir(ctx, TagDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", TagDir, err)
	}
	var out []*Tag
	for _, n := range names {
		name, ok := parseName(TagPrefix, n)
		if !ok || ValidateTagName(name) != nil {
			continue
		}
		t, err := ReadTag(ctx, store, name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Tag) int {
		if a.ID != b.ID {
			return compareInt64(a.ID, b.ID)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CreateTag writes tag/tag-<name> for snap. Without opts.Replace the write is
// create-only and an existing tag gives an error matching ErrTagExists; if
// the store's answer is ambiguous the tag is read back and the call succeeds
// only if it holds our bytes. Tag names are checked with ValidateTagName.
func CreateTag(ctx context.Context, store *storage.Store, name string, snap *Snapshot, opts TagOptions) (*Tag, error) {
	if err := ValidateTagName(name); err != nil {
		return nil, err
	}
	ct := opts.CreateTime
	if ct.IsZero() {
		ct = time.Now()
	}
	ct = time.Date(ct.Year(), ct.Month(), ct.Day(), ct.Hour(), ct.Minute(), ct.Second(), ct.Nanosecond(), time.UTC)
	t := &Tag{Snapshot: *snap, Name: name, CreateTime: &ct, TimeRetained: opts.TimeRetained}
	t.LogOffsets = nil
	b, err := t.Encode()
	if err != nil {
		return nil, err
	}
	p := TagPath(name)
	if opts.Replace {
		if err := store.Write(ctx, p, b); err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		return t, nil
	}
	err = store.Create(ctx, p, b)
	if err == nil {
		return t, nil
	}
	if errors.Is(err, storage.ErrExist) {
		return nil, fmt.Errorf("%w: %s: %w", ErrTagExists, name, err)
	}
	// Ambiguous: ours if the file now holds exactly our bytes.
	if got, rerr := store.Read(ctx, p); rerr == nil && bytes.Equal(got, b) {
		return t, nil
	}
	return nil, fmt.Errorf("create %s: %w", p, err)
}

// DeleteTag removes tag/tag-<name>. It does not clean up files that only the
// tag kept alive; expiry planning does that. A missing tag gives an error
// matching ErrNotFound.
func DeleteTag(ctx context.Context, store *storage.Store, name string) error {
	if err := ValidateTagName(name); err != nil {
		return err
	}
	p := TagPath(name)
	if err := store.Delete(ctx, p); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: %s: %w", ErrNotFound, p, err)
		}
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}
