package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/floelake/floe/internal/jsonpp"
)

// Sentinel errors. Callers test with errors.Is.
var (
	// ErrCorrupt reports bytes that do not decode as the expected file.
	ErrCorrupt = errors.New("snapshot: corrupt")
	// ErrUnsupportedVersion reports a snapshot whose version is not 3.
	ErrUnsupportedVersion = errors.New("snapshot: unsupported version")
	// ErrNotFound reports a snapshot, tag, consumer or changelog file that
	// does not exist (or a table with no snapshot at all).
	ErrNotFound = errors.New("snapshot: not found")
	// ErrConflict reports that another writer published a different
	// snapshot under the id we tried to create. *ConflictError matches it.
	ErrConflict = errors.New("snapshot: conflict")
	// ErrAmbiguous reports that the outcome of a publish is unknown: the
	// snapshot may or may not exist. The caller must not delete anything
	// the snapshot references.
	ErrAmbiguous = errors.New("snapshot: commit outcome unknown")
	// ErrTagExists reports that CreateTag found the tag already present.
	ErrTagExists = errors.New("snapshot: tag exists")
	// ErrHint reports that a LATEST/EARLIEST hint could not be written after
	// the file it describes was. Hints are best effort: log and carry on.
	ErrHint = errors.New("snapshot: hint not written")
	// ErrInvalidName reports a tag or consumer name that cannot be a file
	// name. *NameError matches it.
	ErrInvalidName = errors.New("snapshot: invalid name")
)

// CurrentVersion is the only snapshot format version floe reads and writes.
const CurrentVersion = 3

// Kind is a snapshot's commit kind.
type Kind string

// Commit kinds.
const (
	// KindAppend only adds data, changelog or index files.
	KindAppend Kind = "APPEND"
	// KindCompact rewrites existing files (adds and deletes).
	KindCompact Kind = "COMPACT"
	// KindOverwrite deletes files (INSERT OVERWRITE, deletes, updates).
	KindOverwrite Kind = "OVERWRITE"
	// KindAnalyze only changes the statistics file.
	KindAnalyze Kind = "ANALYZE"
)

// Valid reports whether k is one of the four known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindAppend, KindCompact, KindOverwrite, KindAnalyze:
		return true
	}
	return false
}

// Snapshot is one snapshot-N file: the entry point to a committed version of
// a table. Optional fields are pointers (nil = absent or null in the file).
// The field order is the order Encode writes keys in.
//
// A Snapshot is a plain value; it is not safe to mutate concurrently.
type Snapshot struct {
	Version int `json:"version"`
	// UUID is written by Paimon 2.0+ only.
	UUID     *string `json:"uuid,omitempty"`
	ID       int64   `json:"id"`
	SchemaID int64   `json:"schemaId"`

	BaseManifestList          string  `json:"baseManifestList"`
	BaseManifestListSize      *int64  `json:"baseManifestListSize,omitempty"`
	DeltaManifestList         string  `json:"deltaManifestList"`
	DeltaManifestListSize     *int64  `json:"deltaManifestListSize,omitempty"`
	ChangelogManifestList     *string `json:"changelogManifestList,omitempty"`
	ChangelogManifestListSize *int64  `json:"changelogManifestListSize,omitempty"`
	IndexManifest             *string `json:"indexManifest,omitempty"`

	CommitUser string `json:"commitUser"`
	// WriterVersion is written by Paimon 2.1+ only.
	WriterVersion    *string `json:"writerVersion,omitempty"`
	CommitIdentifier int64   `json:"commitIdentifier"`
	CommitKind       Kind    `json:"commitKind"`
	TimeMillis       int64   `json:"timeMillis"`

	// LogOffsets is read from files written by Paimon ≤1.3 and never
	// written (Paimon 1.4 dropped it). An empty map decodes as nil.
	LogOffsets map[int32]int64 `json:"logOffsets,omitempty"`

	TotalRecordCount     int64   `json:"totalRecordCount"`
	DeltaRecordCount     int64   `json:"deltaRecordCount"`
	ChangelogRecordCount *int64  `json:"changelogRecordCount,omitempty"`
	Watermark            *int64  `json:"watermark,omitempty"`
	Statistics           *string `json:"statistics,omitempty"`
	// Properties is nil when empty (an empty map decodes as nil).
	Properties map[string]string `json:"properties,omitempty"`
	// NextRowID is always set by Paimon 1.3+ writers (0 without row
	// tracking); a floe committer should set it too.
	NextRowID *int64 `json:"nextRowId,omitempty"`
	// TotalFileSize and TotalDataFiles appear in Paimon 2.x (master) only.
	TotalFileSize  *int64 `json:"totalFileSize,omitempty"`
	TotalDataFiles *int64 `json:"totalDataFiles,omitempty"`
	// Operation is written by Paimon 2.0+ only (WRITE, OVERWRITE, ...).
	Operation *string `json:"operation,omitempty"`
}

// SameCommit reports whether s and o carry the same commit identity:
// commitUser, commitIdentifier and commitKind. One logical commit may
// produce an APPEND and a COMPACT snapshot with the same user and
// identifier; the kind tells them apart.
func (s *Snapshot) SameCommit(o *Snapshot) bool {
	return s.CommitUser == o.CommitUser && s.CommitIdentifier == o.CommitIdentifier && s.CommitKind == o.CommitKind
}

// Decode parses a snapshot file. name identifies the file in errors. It
// accepts explicit nulls, empty maps, absent optional keys and unknown keys,
// as every Paimon writer from 0.8 to 2.x produces. Bytes that are not a
// JSON object of the right shape give ErrCorrupt; a version other than 3
// gives ErrUnsupportedVersion.
func Decode(name string, b []byte) (*Snapshot, error) {
	var s Snapshot
	m, err := decodeObject(name, b, &s)
	if err != nil {
		return nil, err
	}
	if err := s.check(name, m); err != nil {
		return nil, err
	}
	return &s, nil
}

// decodeObject unmarshals a JSON object into the struct pointed to by v,
// mapping every failure to ErrCorrupt, and returns the object's raw members.
// Keys match struct tags exactly: encoding/json alone would also accept
// "ID" for "id", which Jackson (and so Java Paimon) ignores.
func decodeObject(name string, b []byte, v any) (map[string]json.RawMessage, error) {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("decode %s: %w: not a JSON object", name, ErrCorrupt)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %v", name, ErrCorrupt, err)
	}
	known := jsonKeys(reflect.TypeOf(v).Elem())
	exact := make(map[string]json.RawMessage, len(m))
	for k, raw := range m {
		if known[k] {
			exact[k] = raw
		}
	}
	fb, err := json.Marshal(exact)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w: %v", name, ErrCorrupt, err)
	}
	if err := json.Unmarshal(fb, v); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %v", name, ErrCorrupt, err)
	}
	return m, nil
}

var keyCache sync.Map // reflect.Type -> map[string]bool

// jsonKeys returns the JSON keys of a struct type's fields.
func jsonKeys(t reflect.Type) map[string]bool {
	if k, ok := keyCache.Load(t); ok {
		return k.(map[string]bool)
	}
	keys := make(map[string]bool)
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag != "" && tag != "-" {
			keys[tag] = true
		}
	}
	keyCache.Store(t, keys)
	return keys
}

func (s *Snapshot) check(name string, m map[string]json.RawMessage) error {
	if v, ok := m["version"]; !ok || string(v) == "null" {
		return fmt.Errorf("decode %s: %w: no version field", name, ErrCorrupt)
	}
	if s.Version != CurrentVersion {
		return fmt.Errorf("decode %s: %w: version %d", name, ErrUnsupportedVersion, s.Version)
	}
	if !s.CommitKind.Valid() {
		return fmt.Errorf("decode %s: %w: unknown commitKind %q", name, ErrCorrupt, s.CommitKind)
	}
	if len(s.LogOffsets) == 0 {
		s.LogOffsets = nil
	}
	if len(s.Properties) == 0 {
		s.Properties = nil
	}
	return nil
}

// Encode returns the file bytes in the form Paimon 1.4.2 writes: Jackson's
// default pretty printer, keys in the order of the Snapshot fields, nil
// optional fields omitted, no logOffsets, no trailing newline.
func (s *Snapshot) Encode() ([]byte, error) {
	c := *s
	c.LogOffsets = nil
	if c.Version == 0 {
		c.Version = CurrentVersion
	}
	if c.Version != CurrentVersion {
		return nil, fmt.Errorf("encode snapshot %d: %w: version %d", s.ID, ErrUnsupportedVersion, s.Version)
	}
	if !c.CommitKind.Valid() {
		return nil, fmt.Errorf("encode snapshot %d: unknown commitKind %q", s.ID, s.CommitKind)
	}
	return jsonpp.Marshal(&c)
}
