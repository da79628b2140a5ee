package datafile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// hybrid decodes Parquet's RLE/bit-packed hybrid encoding (definition
// levels, dictionary indices): a sequence of runs, each a ULEB128 header
// whose low bit says what follows. 0: a repeated run of header>>1 copies of
// one value stored in ceil(width/8) little-endian bytes. 1: header>>1 groups
// of 8 values packed width bits each, least significant bit first.
type hybrid struct {
	buf   []byte // the bytes after the current run
	width uint   // bits per value, 0 to 32

	left   int    // values left in the current run
	rle    bool   // the current run repeats value
	value  uint32 // the repeated value
	packed []byte // the current bit-packed run's bytes
	pos    int    // index of the next value in packed
}

var errRunsEnd = errors.New("RLE/bit-packed runs end before their values")

func (h *hybrid) init(buf []byte, width uint) {
	*h = hybrid{buf: buf, width: width}
}

// nextRun reads the next run header.
func (h *hybrid) nextRun() error {
	hdr, n := binary.Uvarint(h.buf)
	if n <= 0 {
		return errRunsEnd
	}
	h.buf = h.buf[n:]
	count := hdr >> 1
	if hdr&1 == 0 {
		if count == 0 || count > math.MaxInt32 {
			return fmt.Errorf("RLE run of %d values", count)
		}
		nb := int(h.width+7) / 8
		if len(h.buf) < nb {
			return errRunsEnd
		}
		var v uint32
		for i := nb - 1; i >= 0; i-- {
			v = v<<8 | uint32(h.buf[i])
		}
		h.buf = h.buf[nb:]
		h.rle, h.value, h.left = true, v, int(count)
		return nil
	}
	if count == 0 || count > math.MaxInt32/8 {
		return fmt.Errorf("bit-packed run of %d groups", count)
	}
	values := int(count) * 8
	nb := int(count) * int(h.width)
	if nb > len(h.buf) {
		return errRunsEnd
	}
	h.rle, h.packed, h.pos, h.left = false, h.buf[:nb], 0, values
	h.buf = h.buf[nb:]
	return nil
}

// unpack returns the bit-packed value at index i of h.packed.
func (h *hybrid) unpack(i int) uint32 {
	bit := uint(i) * h.width
	b := int(bit >> 3)
	var w uint64
	if b+8 <= len(h.packed) {
		w = binary.LittleEndian.Uint64(h.packed[b:])
	} else {
		for j := len(h.packed) - 1; j >= b; j-- {
			w = w<<8 | uint64(h.packed[j])
		}
	}
	return uint32(w>>(bit&7)) & uint32(1<<h.width-1)
}

// decode fills out with the next len(out) values.
func (h *hybrid) decode(out []uint32) error {
	for len(out) > 0 {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return err
			}
		}
		m := min(h.left, len(out))
		if h.rle {
			v := h.value
			for i := range out[:m] {
				out[i] = v
			}
		} else {
			for i := range out[:m] {
				out[i] = h.unpack(h.pos + i)
			}
			h.pos += m
		}
		h.left -= m
		out = out[m:]
	}
	return nil
}

// levels decodes the next n definition levels of a column whose maximum
// level is 1 (h.width 1) into the validity bits valid[at:at+n], and
// returns how many are 1 (values present).
func (h *hybrid) levels(valid []byte, at, n int) (int, error) {
	set := 0
	for n > 0 {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return 0, err
			}
		}
		m := min(h.left, n)
		if h.rle {
			switch h.value {
			case 0:
				bitutil.SetBitsTo(valid, int64(at), int64(m), false)
			case 1:
				bitutil.SetBitsTo(valid, int64(at), int64(m), true)
				set += m
			default:
				return 0, fmt.Errorf("definition level %d above the maximum 1", h.value)
			}
		} else {
			bitutil.CopyBitmap(h.packed, h.pos, m, valid, at)
			set += bitutil.CountSetBits(valid, at, m)
			h.pos += m
		}
		h.left -= m
		at += m
		n -= m
	}
	return set, nil
}
