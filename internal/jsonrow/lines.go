package jsonrow

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// Record sizes: one input record (a JSON line, a CSV record) may hold at
// most a limit of bytes, so that bad input fails with an error instead of
// taking the process's memory. Arrow string arrays address under 2 GiB,
// which caps the limit.
const (
	DefaultMaxRecordSize = 256 << 20
	MaxRecordSizeLimit   = 1 << 30
)

// ErrRecordTooLarge marks an input record longer than the record-size
// limit.
var ErrRecordTooLarge = errors.New("record too large")

// LineReader reads lines of bounded length. It is not safe for concurrent
// use.
type LineReader struct {
	br   *bufio.Reader
	max  int
	line int
	err  error
}

// NewLineReader reads lines from r; a line of more than max bytes (0:
// DefaultMaxRecordSize) is an error.
func NewLineReader(r io.Reader, max int) *LineReader {
	if max <= 0 {
		max = DefaultMaxRecordSize
	}
	return &LineReader{br: bufio.NewReaderSize(r, 1<<20), max: max}
}

// Next returns the next line without its line terminator ("\n" or
// "\r\n") and its 1-based number, or io.EOF after the last line. A line
// longer than the limit gives an error wrapping ErrRecordTooLarge with its
// number, after which the reader keeps returning that error.
//
// A line longer than the read buffer is returned as a string over memory
// allocated for that line alone, so values parsed from it may share its
// memory without a copy.
func (lr *LineReader) Next() (string, int, error) {
	if lr.err != nil {
		return "", lr.line, lr.err
	}
	chunk, err := lr.br.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(chunk) > 0) {
		lr.line++
		if len(trimEOL(chunk)) > lr.max {
			return "", lr.line, lr.tooLarge()
		}
		return string(trimEOL(chunk)), lr.line, nil
	}
	if err == io.EOF {
		return "", lr.line, io.EOF
	}
	if err != bufio.ErrBufferFull {
		return "", lr.line, err
	}
	lr.line++
	// Keep the pieces and join them once: a growing slice would allocate
	// several times the line in all.
	pieces := [][]byte{append([]byte(nil), chunk...)}
	total := len(chunk)
	for {
		if total > lr.max+2 {
			return "", lr.line, lr.tooLarge()
		}
		chunk, err = lr.br.ReadSlice('\n')
		pieces = append(pieces, append([]byte(nil), chunk...))
		total += len(chunk)
		if err == nil || err == io.EOF {
			break
		}
		if err != bufio.ErrBufferFull {
			return "", lr.line, err
		}
	}
	buf := make([]byte, 0, total)
	for i, p := range pieces {
		buf = append(buf, p...)
		pieces[i] = nil
	}
	buf = trimEOL(buf)
	if len(buf) > lr.max {
		return "", lr.line, lr.tooLarge()
	}
	if len(buf) == 0 {
		return "", lr.line, nil
	}
	// buf is never written again: the string may own it.
	return unsafe.String(&buf[0], len(buf)), lr.line, nil
}

func (lr *LineReader) tooLarge() error {
	lr.err = fmt.Errorf("%w: the line is longer than %s", ErrRecordTooLarge, SizeText(int64(lr.max)))
	return lr.err
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// SizeText renders a byte count for messages: "256 MiB", "1 GiB",
// "1000 bytes".
func SizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
