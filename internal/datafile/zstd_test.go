package datafile

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// TestSmallWindowZstd checks that the registered zstd codec compresses
// pages with the small window, that its output for a page under the window
// is byte-for-byte what the default encoder makes, and that it decodes
// (streaming too) as before.
func TestSmallWindowZstd(t *testing.T) {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*streamingZstd); !ok {
		t.Fatalf("zstd codec is %T, want *streamingZstd", c)
	}
	if _, ok := c.(compress.ErrorCodec); !ok {
		t.Fatal("zstd codec lost DecodeWithError")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 1000, 200 << 10, 1 << 20, zstdWindow - 1, zstdWindow + 12345} {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.IntN(16)) // compressible, matches everywhere
		}
		got := c.EncodeLevel(nil, src, 1)
		ref, _ := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(1)),
			zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true))
		want := ref.EncodeAll(src, nil)
		if n < zstdWindow && !bytes.Equal(got, want) {
			t.Errorf("%d bytes: output differs from the default encoder's (%d vs %d bytes)", n, len(got), len(want))
		}
		dec, err := compress.Decode(c, nil, got)
		if err != nil || !bytes.Equal(dec, src) {
			t.Fatalf("%d bytes: round trip failed: %v", n, err)
		}
		if n > 0 {
			r := c.(compress.StreamingCodec).NewReader(bytes.NewReader(got))
			var out bytes.Buffer
			if _, err := out.ReadFrom(r); err != nil || !bytes.Equal(out.Bytes(), src) {
				t.Fatalf("%d bytes: streaming round trip failed: %v", n, err)
			}
			r.Close()
		}
	}
	if _, err := compress.Decode(c, nil, []byte{0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3}); err == nil {
		t.Error("corrupt frame decoded without error")
	}
}

// FuzzSmallWindowZstd: any input round-trips through the page compressor,
// and decoding arbitrary bytes through the registered codec returns an
// error or bytes, never a panic.
func FuzzSmallWindowZstd(f *testing.F) {
	f.Add([]byte("floe floe floe floe"), uint8(1))
	f.Add(bytes.Repeat([]byte{7, 0, 7}, 70000), uint8(3))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0}, uint8(0))
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, level uint8) {
		enc := c.EncodeLevel(nil, data, 1+int(level%4))
		dec, err := compress.Decode(c, nil, enc)
		if err != nil || !bytes.Equal(dec, data) {
			t.Fatalf("round trip of %d bytes: %v", len(data), err)
		}
		_, _ = compress.Decode(c, nil, data)
	})
}
