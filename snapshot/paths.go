package snapshot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Directory and file names relative to a table (or branch) root.
const (
	SnapshotDir  = "snapshot"
	TagDir       = "tag"
	ConsumerDir  = "consumer"
	ChangelogDir = "changelog"

	SnapshotPrefix  = "snapshot-"
	TagPrefix       = "tag-"
	ConsumerPrefix  = "consumer-"
	ChangelogPrefix = "changelog-"

	LatestHint   = "LATEST"
	EarliestHint = "EARLIEST"
)

// SnapshotPath returns "snapshot/snapshot-<id>".
func SnapshotPath(id int64) string { return Snapshots.Path(id) }

// ChangelogPath returns "changelog/changelog-<id>".
func ChangelogPath(id int64) string { return Changelogs.Path(id) }

// TagPath returns "tag/tag-<name>".
func TagPath(name string) string { return TagDir + "/" + TagPrefix + name }

// ConsumerPath returns "consumer/consumer-<id>".
func ConsumerPath(id string) string { return ConsumerDir + "/" + ConsumerPrefix + id }

// ParseID parses the id from a file name such as "snapshot-12" given its
// prefix. It accepts only canonical positive decimals (no sign, no leading
// zero), so that the name can be rebuilt from the id. Names starting with
// "." (temporary files) never parse.
func ParseID(prefix, name string) (int64, bool) {
	if strings.HasPrefix(name, ".") || !strings.HasPrefix(name, prefix) {
		return 0, false
	}
	d := name[len(prefix):]
	if d == "" || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(d, 10, 64)
	if err != nil {
		return 0, false
	}
	return id, true
}

// parseName returns the part after prefix of a listed file name, ignoring
// temporary files (leading ".") and sub-directories.
func parseName(prefix, name string) (string, bool) {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "/") || !strings.HasPrefix(name, prefix) {
		return "", false
	}
	rest := name[len(prefix):]
	if rest == "" {
		return "", false
	}
	return rest, true
}

// NameError reports a tag or consumer name that cannot be used. It matches
// ErrInvalidName.
type NameError struct {
	Kind   string // "tag" or "consumer"
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("snapshot: invalid %s name %q: %s", e.Kind, e.Name, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidName) true.
func (e *NameError) Is(target error) bool { return target == ErrInvalidName }

// ValidateTagName checks that name can be a tag: not blank, valid UTF-8,
// no "/" or "\", no control characters, not starting with ".".
func ValidateTagName(name string) error { return validateName("tag", name) }

// ValidateConsumerID applies the tag-name rules to a consumer id.
func ValidateConsumerID(id string) error { return validateName("consumer", id) }

func validateName(kind, name string) error {
	bad := func(r string) error { return &NameError{Kind: kind, Name: name, Reason: r} }
	switch {
	case strings.TrimSpace(name) == "":
		return bad("blank")
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case strings.HasPrefix(name, "."):
		return bad(`starts with "."`)
	case strings.ContainsAny(name, `/\`):
		return bad("contains a path separator")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return bad("contains a control character")
		}
	}
	return nil
}
