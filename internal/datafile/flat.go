package datafile

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// flatPages is what floe's decoders of flat columns (a Parquet leaf that
// is a top-level field, required or optional, not inside a list, map or
// struct) share: walking the row groups' column chunks and their pages,
// definition levels, dictionary indices, and handing a chunk to pqarrow
// from a page they do not decode. What is particular to a value type
// (the dictionary, PLAIN values, the batch's buffers) is a flatValues.
//
// A column chunk whose metadata lists an encoding other than PLAIN,
// PLAIN_DICTIONARY, RLE_DICTIONARY, RLE or BIT_PACKED, or that is
// encrypted, is read by pqarrow instead, as is the rest of a chunk from a
// page these readers do not decode (bit-packed definition levels, an
// encoding the metadata did not list), so every file pqarrow reads still
// reads. The values are the same either way.
type flatPages struct {
	ctx      context.Context
	pf       *file.Reader
	fr       *pqarrow.FileReader
	field    int // top-level field index in fr's manifest
	leaf     int // Parquet column index
	phys     parquet.Type
	typ      arrow.DataType
	nullable bool // maximum definition level 1
	mem      memory.Allocator
	groups   []int // row groups not yet started

	// The current column chunk.
	group   int             // its row group
	rows    int64           // rows of the chunk not yet decoded
	done    int64           // rows of the chunk decoded
	pages   file.PageReader // nil when other reads the chunk
	other   *pqarrow.ColumnReader
	hasDict bool
	dictN   int // values in the dictionary

	// The current data page.
	pageLeft  int    // values (rows) of the page not yet decoded
	pageValid []byte // the page's definition levels as validity bits, when nullable
	pagePos   int    // the page's next row
	pageNulls bool   // the page has a null
	plain     []byte // PLAIN values not yet decoded
	dict      bool   // the values are dictionary indices in idx
	idx       hybrid
	scratch   []uint32
}

// flatValues is the part of a flat column's reader particular to its
// values. Each call decodes into the batch the reader is filling.
type flatValues interface {
	// loadDict decodes the n PLAIN values of a dictionary page.
	loadDict(data []byte, n int) error
	// plainValues decodes k rows at batch row at, present of them not
	// null, from the PLAIN values in plain, and advances plain.
	plainValues(at, k, present int) error
	// dictValues decodes k rows at batch row at from their dictionary
	// indices ix (one per row not null, each below the dictionary's size).
	dictValues(ix []uint32, at, k int) error
	// copyOther appends m rows read by pqarrow (other) at batch row at.
	copyOther(at, m int) error
}

// flatColumn returns the flatPages of the top-level field of the file when
// it is a flat leaf of physical type phys (maximum definition level at
// most 1), or false.
func flatColumn(ctx context.Context, fr *pqarrow.FileReader, field int, phys parquet.Type, mem memory.Allocator) (flatPages, bool) {
	f := &fr.Manifest.Fields[field]
	if f.ColIndex < 0 || len(f.Children) > 0 || f.Field == nil {
		return flatPages{}, false
	}
	pf := fr.ParquetReader()
	sc := pf.MetaData().Schema
	if f.ColIndex >= sc.NumColumns() {
		return flatPages{}, false
	}
	col := sc.Column(f.ColIndex)
	if col.PhysicalType() != phys || col.MaxRepetitionLevel() != 0 || col.MaxDefinitionLevel() > 1 {
		return flatPages{}, false
	}
	groups := make([]int, pf.NumRowGroups())
	for i := range groups {
		groups[i] = i
	}
	return flatPages{ctx: ctx, pf: pf, fr: fr, field: field, leaf: f.ColIndex, phys: phys, typ: f.Field.Type,
		nullable: col.MaxDefinitionLevel() == 1, mem: mem, groups: groups, group: -1}, true
}

// ownEncodings says whether every encoding a column chunk's metadata lists
// is one these readers decode (BIT_PACKED included: parquet-mr lists it for
// the repetition levels a flat column does not store).
func ownEncodings(cc *metadata.ColumnChunkMetaData, phys parquet.Type) bool {
	if cc.CryptoMetadata() != nil || cc.Type() != phys {
		return false
	}
	for _, e := range cc.Encodings() {
		switch e {
		case parquet.Encodings.Plain, parquet.Encodings.PlainDict, parquet.Encodings.RLEDict,
			parquet.Encodings.RLE, parquet.Encodings.BitPacked:
		default:
			return false
		}
	}
	return true
}

func (r *flatPages) release() {
	r.closeChunk()
	r.groups = nil
}

func (r *flatPages) closeChunk() {
	if r.pages != nil {
		r.pages.Close()
		r.pages = nil
	}
	if r.other != nil {
		r.other.Release()
		r.other = nil
	}
	r.hasDict, r.dictN, r.pageLeft, r.plain, r.dict = false, 0, 0, nil, false
}

// nextChunk starts the next row group's column chunk that has rows.
func (r *flatPages) nextChunk() error {
	r.closeChunk()
	for len(r.groups) > 0 {
		g := r.groups[0]
		r.groups = r.groups[1:]
		rg := r.pf.RowGroup(g)
		rows := rg.NumRows()
		if rows < 0 {
			return fmt.Errorf("row group %d: %d rows", g, rows)
		}
		if rows == 0 {
			continue
		}
		cc, err := rg.MetaData().ColumnChunk(r.leaf)
		if err != nil {
			return fmt.Errorf("row group %d: %w", g, err)
		}
		r.group, r.rows, r.done = g, rows, 0
		if !ownEncodings(cc, r.phys) {
			return r.fallback()
		}
		if cc.NumValues() != rows {
			return fmt.Errorf("row group %d: %d values in a flat column of %d rows", g, cc.NumValues(), rows)
		}
		if r.pages, err = pageReader(rg, r.leaf); err != nil {
			return fmt.Errorf("row group %d: %w", g, err)
		}
		return nil
	}
	return errors.New("no row group left")
}

// fallback hands the rest of the current chunk to pqarrow.
func (r *flatPages) fallback() error {
	if r.pages != nil {
		r.pages.Close()
		r.pages = nil
	}
	cr, err := r.fieldReader()
	if err != nil {
		return fmt.Errorf("row group %d: %w", r.group, err)
	}
	r.other = cr
	for skip := r.done; skip > 0; {
		n := min(skip, 1<<16)
		ch, err := pqBatch(cr, n)
		if err != nil {
			return fmt.Errorf("row group %d: %w", r.group, err)
		}
		got := int64(ch.Len())
		ch.Release()
		if got != n {
			return fmt.Errorf("row group %d: %d rows where %d were expected", r.group, got, n)
		}
		skip -= n
	}
	return nil
}

// pageReader is rg.GetColumnPageReader(leaf), with arrow-go's panic on
// some damaged metadata as an error.
func pageReader(rg *file.RowGroupReader, leaf int) (pr file.PageReader, err error) {
	defer func() {
		if r := recover(); r != nil {
			pr, err = nil, fmt.Errorf("column chunk: %v", r)
		}
	}()
	return rg.GetColumnPageReader(leaf)
}

// pqBatch is cr.NextBatch(n), with a panic of arrow-go's decoders on
// damaged input as an error.
func pqBatch(cr *pqarrow.ColumnReader, n int64) (ch *arrow.Chunked, err error) {
	defer func() {
		if p := recover(); p != nil {
			ch, err = nil, fmt.Errorf("pqarrow: %v", p)
		}
	}()
	return cr.NextBatch(n)
}

// pageNext moves to the next page: false at the end of the chunk.
// arrow-go's page reader panics on some damaged page headers: that is an
// error here.
func (r *flatPages) pageNext() (more bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			more, err = false, fmt.Errorf("page header: %v", p)
		}
	}()
	if r.pages.Next() {
		return true, nil
	}
	return false, r.pages.Err()
}

// fieldReader is a pqarrow reader of the current chunk, with arrow-go's
// panic on some damaged metadata as an error.
func (r *flatPages) fieldReader() (cr *pqarrow.ColumnReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			cr, err = nil, fmt.Errorf("column chunk: %v", p)
		}
	}()
	return r.fr.GetFieldReader(r.ctx, r.field, map[int]bool{r.leaf: true}, []int{r.group})
}

// nextPage loads the next data page of the current chunk, decoding a
// dictionary page on the way. errUnsupportedPage: pqarrow should read the
// chunk from this page on.
func (r *flatPages) nextPage(v flatValues) error {
	for {
		more, err := r.pageNext()
		if err != nil {
			return err
		}
		if !more {
			return fmt.Errorf("column chunk ends after %d of %d rows", r.done, r.done+r.rows)
		}
		switch p := r.pages.Page().(type) {
		case *file.DictionaryPage:
			if r.hasDict {
				return errors.New("a second dictionary page")
			}
			if r.done > 0 {
				return errors.New("a dictionary page after data pages")
			}
			switch parquet.Encoding(p.Encoding()) {
			case parquet.Encodings.Plain, parquet.Encodings.PlainDict:
			default:
				return errUnsupportedPage
			}
			n := int(p.NumValues())
			if n < 0 {
				return fmt.Errorf("dictionary of %d values", n)
			}
			if err := v.loadDict(p.Data(), n); err != nil {
				return err
			}
			r.hasDict, r.dictN = true, n
		case *file.DataPageV1:
			nv := int64(p.NumValues())
			if err := r.pageRows(nv); err != nil || nv == 0 {
				if err != nil {
					return err
				}
				continue
			}
			data := p.Data()
			if r.nullable {
				if p.DefinitionLevelEncoding() != parquet.Encodings.RLE {
					return errUnsupportedPage
				}
				if len(data) < 4 {
					return errors.New("definition levels cut short")
				}
				l := binary.LittleEndian.Uint32(data)
				if uint64(l) > uint64(len(data)-4) {
					return fmt.Errorf("definition levels of %d bytes in a page of %d", l, len(data))
				}
				if err := r.pageLevels(data[4:4+l], int(nv)); err != nil {
					return err
				}
				data = data[4+l:]
			}
			if err := r.values(parquet.Encoding(p.Encoding()), data); err != nil {
				return err
			}
			r.pageLeft = int(nv)
			return nil
		case *file.DataPageV2:
			nv := int64(p.NumValues())
			if int64(p.NumRows()) != nv {
				return fmt.Errorf("page of %d values in %d rows of a flat column", nv, p.NumRows())
			}
			if err := r.pageRows(nv); err != nil || nv == 0 {
				if err != nil {
					return err
				}
				continue
			}
			data := p.Data()
			rl, dl := int64(p.RepetitionLevelByteLen()), int64(p.DefinitionLevelByteLen())
			if rl < 0 || dl < 0 || rl+dl > int64(len(data)) {
				return fmt.Errorf("levels of %d+%d bytes in a page of %d", rl, dl, len(data))
			}
			if r.nullable {
				if err := r.pageLevels(data[rl:rl+dl], int(nv)); err != nil {
					return err
				}
			}
			if err := r.values(parquet.Encoding(p.Encoding()), data[rl+dl:]); err != nil {
				return err
			}
			r.pageLeft = int(nv)
			return nil
		default:
			return errUnsupportedPage
		}
	}
}

// pageLevels decodes all n definition levels of a page (so that damaged
// levels fail the page as a whole, as in pqarrow).
func (r *flatPages) pageLevels(levels []byte, n int) error {
	nb := int(bitutil.BytesForBits(int64(n)))
	if cap(r.pageValid) < nb {
		r.pageValid = make([]byte, nb)
	}
	r.pageValid = r.pageValid[:nb]
	var h hybrid
	h.init(levels, 1)
	set, err := h.levels(r.pageValid, 0, n)
	if err != nil {
		return fmt.Errorf("definition levels: %w", err)
	}
	r.pagePos, r.pageNulls = 0, set < n
	return nil
}

// pageRows checks a data page's value count against the chunk's rows.
func (r *flatPages) pageRows(nv int64) error {
	if nv < 0 || nv > r.rows {
		return fmt.Errorf("page of %d values where the chunk has %d rows left", nv, r.rows)
	}
	return nil
}

// values sets up the decoding of a data page's values.
func (r *flatPages) values(enc parquet.Encoding, data []byte) error {
	switch enc {
	case parquet.Encodings.Plain:
		r.plain, r.dict = data, false
	case parquet.Encodings.PlainDict, parquet.Encodings.RLEDict:
		if !r.hasDict {
			return errors.New("dictionary-encoded page without a dictionary page")
		}
		r.plain, r.dict = nil, true
		if len(data) == 0 {
			// No bit width: only nulls may follow (an index is an error).
			r.idx.init(nil, 0)
			return nil
		}
		if data[0] > 32 {
			return fmt.Errorf("dictionary index bit width %d", data[0])
		}
		r.idx.init(data[1:], uint(data[0]))
	default:
		return errUnsupportedPage
	}
	return nil
}

// endChunk checks that the chunk holds no values past its rows.
func (r *flatPages) endChunk() error {
	if r.pages == nil {
		return nil
	}
	if r.pageLeft > 0 {
		return fmt.Errorf("%d values past the row group's rows", r.pageLeft)
	}
	more, err := r.pageNext()
	if more {
		return errors.New("pages past the row group's rows")
	}
	return err
}

// decode decodes m rows of the current chunk into the batch (validity
// bits valid, nil for a required column) at row at.
func (r *flatPages) decode(v flatValues, valid []byte, at, m int) error {
	for m > 0 {
		if r.pageLeft == 0 {
			err := r.nextPage(v)
			if errors.Is(err, errUnsupportedPage) {
				if err := r.fallback(); err != nil {
					return err
				}
				return v.copyOther(at, m)
			}
			if err != nil {
				return err
			}
		}
		k := min(m, r.pageLeft)
		present := k
		if r.nullable {
			if r.pageNulls {
				bitutil.CopyBitmap(r.pageValid, r.pagePos, k, valid, at)
				present = bitutil.CountSetBits(valid, at, k)
			} else {
				bitutil.SetBitsTo(valid, int64(at), int64(k), true)
			}
			r.pagePos += k
		}
		var err error
		if r.dict {
			err = r.dictIndices(v, at, k, present)
		} else {
			err = v.plainValues(at, k, present)
		}
		if err != nil {
			return err
		}
		r.pageLeft -= k
		r.done += int64(k)
		r.rows -= int64(k)
		at += k
		m -= k
	}
	return nil
}

// dictIndices decodes the dictionary indices of k rows (present of them
// not null) and hands them to v.
func (r *flatPages) dictIndices(v flatValues, at, k, present int) error {
	if cap(r.scratch) < present {
		r.scratch = make([]uint32, max(present, 1024))
	}
	ix := r.scratch[:present]
	if err := r.idx.decode(ix); err != nil {
		return fmt.Errorf("dictionary indices: %w", err)
	}
	dn := uint32(r.dictN)
	for _, i := range ix {
		if i >= dn {
			return fmt.Errorf("dictionary index %d of a dictionary of %d values", i, dn)
		}
	}
	return v.dictValues(ix, at, k)
}

// errUnsupportedPage marks a page these readers leave to pqarrow.
var errUnsupportedPage = errors.New("unsupported page")

var errPlainShort = errors.New("PLAIN values end before the page's values")
