package datafile

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// zstdWindow is the match window of floe's page compressor. Parquet
// compresses each page on its own and a page is about 1 MiB (arrow-go's
// data page size), so a window of 2 MiB finds every match a larger window
// finds in a page under 2 MiB, and gives the same bytes; the default window
// (8 MiB) costs each pooled encoder a history of about 16 MiB, which
// dominated the heap of a buffered write. The encoders are also made with
// klauspost's lower-memory option: their history then holds the window and
// one block (about 2.1 MiB) rather than twice the window; it changes
// allocation sizes only, not the output.
const zstdWindow = 2 << 20

// smallWindowZstd is arrow-go's zstd codec with its page compression
// (EncodeLevel, the only call Parquet page writers make) done by encoders
// with a zstdWindow window. Everything else, decoding included, is the
// codec it wraps.
type smallWindowZstd struct {
	compress.Codec
	pools sync.Map // zstd.EncoderLevel -> *sync.Pool of *zstd.Encoder
}

func init() {
	base, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		return // no zstd codec to wrap: leave the registry alone
	}
	z := &smallWindowZstd{Codec: base}
	if sc, ok := base.(compress.StreamingCodec); ok {
		// Readers stream pages through the codec when it can.
		compress.RegisterCodec(compress.Codecs.Zstd, &streamingZstd{smallWindowZstd: z, StreamingCodec: sc})
		return
	}
	compress.RegisterCodec(compress.Codecs.Zstd, z)
}

// streamingZstd is smallWindowZstd over a codec that also streams.
type streamingZstd struct {
	*smallWindowZstd
	compress.StreamingCodec
}

// DecodeWithError keeps the wrapped codec's error-returning decoder
// visible to compress.Decode.
func (z *smallWindowZstd) DecodeWithError(dst, src []byte) ([]byte, error) {
	if ec, ok := z.Codec.(compress.ErrorCodec); ok {
		return ec.DecodeWithError(dst, src)
	}
	return compress.Decode(z.Codec, dst, src)
}

func (z *smallWindowZstd) EncodeLevel(dst, src []byte, level int) []byte {
	lv := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		lv = zstd.EncoderLevelFromZstd(level)
	}
	p, ok := z.pools.Load(lv)
	if !ok {
		p, _ = z.pools.LoadOrStore(lv, &sync.Pool{New: func() any {
			enc, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(lv),
				zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true),
				zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true))
			if err != nil {
				return nil
			}
			return enc
		}})
	}
	pool := p.(*sync.Pool)
	enc, _ := pool.Get().(*zstd.Encoder)
	if enc == nil {
		return z.Codec.EncodeLevel(dst, src, level)
	}
	out := enc.EncodeAll(src, dst[:0])
	pool.Put(enc)
	return out
}
