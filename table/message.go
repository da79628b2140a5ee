package table

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/floelake/floe/manifest"
)

// ErrBadMessage reports bytes that do not decode as a CommitMessage, or a
// message format version this build does not know.
var ErrBadMessage = errors.New("table: bad commit message")

// Commit message wire format (version 1):
//
//	"FLCM" magic, one version byte,
//	partition: uvarint length + serialized BinaryRow,
//	bucket, total buckets: 4-byte big-endian ints,
//	seven sections in this order — new files, deleted files, compact before,
//	compact after, changelog files (each a manifest file, Avro codec null,
//	whose entries are all ADD), new index files, deleted index files (each an
//	index manifest) — every section a uvarint length followed by that many
//	bytes, 0 meaning no entries.
//
// The role of an entry is the section it sits in; the Avro container carries
// its own schema, so a reader of a later version can still decode it.
//
// Version 2 (written only when LookupBase is set) appends one more section:
// a uvarint count, then each name as a uvarint length and its bytes.
// Version 3 (written only when CompactChangelog is set) appends that
// section (a count of 0 when LookupBase is empty), then the compaction
// changelog files as one more manifest section.
const (
	messageMagic   = "FLCM"
	messageVersion = 1
	messageV2      = 2
	messageV3      = 3
)

var messageSync = [16]byte{'f', 'l', 'o', 'e', '-', 'c', 'o', 'm', 'm', 'i', 't', '-', 'm', 's', 'g', 1}

func (m *CommitMessage) dataSections() []*[]manifest.DataFile {
	return []*[]manifest.DataFile{&m.NewFiles, &m.DeletedFiles, &m.CompactBefore, &m.CompactAfter, &m.ChangelogFiles}
}

// MarshalBinary encodes m (a versioned, self-describing format).
func (m *CommitMessage) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(messageMagic)
	version := byte(messageVersion)
	switch {
	case len(m.CompactChangelog) > 0:
		version = messageV3
	case len(m.LookupBase) > 0:
		version = messageV2
	}
	buf.WriteByte(version)
	buf.Write(binary.AppendUvarint(nil, uint64(len(m.Partition))))
	buf.Write(m.Partition)
	var b4 [4]byte
	binary.BigEndian.PutUint32(b4[:], uint32(m.Bucket))
	buf.Write(b4[:])
	binary.BigEndian.PutUint32(b4[:], uint32(m.TotalBuckets))
	buf.Write(b4[:])
	opts := manifest.EncodeOptions{Codec: manifest.CodecNull, Sync: &messageSync}
	section := func(b []byte) {
		buf.Write(binary.AppendUvarint(nil, uint64(len(b))))
		buf.Write(b)
	}
	files := func(fs []manifest.DataFile) error {
		if len(fs) == 0 {
			section(nil)
			return nil
		}
		entries := make([]manifest.Entry, len(fs))
		for i, f := range fs {
			entries[i] = manifest.Entry{Kind: manifest.Add, Partition: m.Partition, Bucket: m.Bucket, TotalBuckets: m.TotalBuckets, File: f}
		}
		b, err := manifest.EncodeManifest(entries, opts)
		if err != nil {
			return fmt.Errorf("encode commit message: %w", err)
		}
		section(b)
		return nil
	}
	for _, fs := range m.dataSections() {
		if err := files(*fs); err != nil {
			return nil, err
		}
	}
	for _, idx := range [][]manifest.IndexEntry{m.NewIndexFiles, m.DeletedIndexFiles} {
		if len(idx) == 0 {
			section(nil)
			continue
		}
		entries := make([]manifest.IndexEntry, len(idx))
		copy(entries, idx)
		for i := range entries {
			entries[i].Kind = manifest.Add
		}
		b, err := manifest.EncodeIndexManifest(entries, opts)
		if err != nil {
			return nil, fmt.Errorf("encode commit message: %w", err)
		}
		section(b)
	}
	if version >= messageV2 {
		var names []byte
		names = binary.AppendUvarint(names, uint64(len(m.LookupBase)))
		for _, n := range m.LookupBase {
			names = binary.AppendUvarint(names, uint64(len(n)))
			names = append(names, n...)
		}
		section(names)
	}
	if version >= messageV3 {
		if err := files(m.CompactChangelog); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (m *CommitMessage) UnmarshalBinary(b []byte) error {
	if len(b) < len(messageMagic)+1 || string(b[:len(messageMagic)]) != messageMagic {
		return fmt.Errorf("%w: no magic", ErrBadMessage)
	}
	version := b[len(messageMagic)]
	if version < messageVersion || version > messageV3 {
		return fmt.Errorf("%w: unsupported version %d", ErrBadMessage, version)
	}
	r := b[len(messageMagic)+1:]
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(r)
		if k <= 0 || n > uint64(len(r)-k) {
			return nil, fmt.Errorf("%w: truncated", ErrBadMessage)
		}
		out := r[k : k+int(n)]
		r = r[k+int(n):]
		return out, nil
	}
	var out CommitMessage
	p, err := next()
	if err != nil {
		return err
	}
	if len(p) > 0 {
		out.Partition = append([]byte(nil), p...)
	}
	if len(r) < 8 {
		return fmt.Errorf("%w: truncated", ErrBadMessage)
	}
	out.Bucket = int32(binary.BigEndian.Uint32(r))
	out.TotalBuckets = int32(binary.BigEndian.Uint32(r[4:]))
	r = r[8:]
	files := func(fs *[]manifest.DataFile) error {
		sec, err := next()
		if err != nil {
			return err
		}
		if len(sec) == 0 {
			return nil
		}
		entries, err := manifest.DecodeManifest("commit message", sec)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadMessage, err)
		}
		*fs = make([]manifest.DataFile, len(entries))
		for i := range entries {
			(*fs)[i] = entries[i].File
		}
		return nil
	}
	for _, fs := range out.dataSections() {
		if err := files(fs); err != nil {
			return err
		}
	}
	for _, idx := range []*[]manifest.IndexEntry{&out.NewIndexFiles, &out.DeletedIndexFiles} {
		sec, err := next()
		if err != nil {
			return err
		}
		if len(sec) == 0 {
			continue
		}
		entries, err := manifest.DecodeIndexManifest("commit message", sec)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadMessage, err)
		}
		*idx = entries
	}
	if version >= messageV2 {
		sec, err := next()
		if err != nil {
			return err
		}
		n, k := binary.Uvarint(sec)
		if k <= 0 || n > uint64(len(sec)) {
			return fmt.Errorf("%w: bad lookup base", ErrBadMessage)
		}
		sec = sec[k:]
		for range n {
			l, k := binary.Uvarint(sec)
			if k <= 0 || l > uint64(len(sec)-k) {
				return fmt.Errorf("%w: bad lookup base", ErrBadMessage)
			}
			out.LookupBase = append(out.LookupBase, string(sec[k:k+int(l)]))
			sec = sec[k+int(l):]
		}
		if len(sec) != 0 {
			return fmt.Errorf("%w: bad lookup base", ErrBadMessage)
		}
	}
	if version >= messageV3 {
		if err := files(&out.CompactChangelog); err != nil {
			return err
		}
	}
	if len(r) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrBadMessage, len(r))
	}
	*m = out
	return nil
}
