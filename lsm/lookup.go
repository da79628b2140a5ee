package lsm

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/spilldir"
	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/manifest"
)

// ErrLookupClosed reports a call on a closed Lookup.
var ErrLookupClosed = errors.New("lsm: lookup closed")

// ErrUnsorted reports a data file whose keys are not in ascending order;
// every data file of a primary-key table is sorted by key.
var ErrUnsorted = errors.New("lsm: data file keys out of order")

// ErrLookupDamaged reports a lookup cache file that was damaged again
// right after it was rebuilt (a failing local disk).
var ErrLookupDamaged = errors.New("lsm: lookup cache file damaged")

// DefaultLookupRetention is the default of lookup.cache-file-retention.
const DefaultLookupRetention = time.Hour

// LookupOptions configure NewLookup; they are the lookup.* options of a
// table.
type LookupOptions struct {
	// Dir is the local directory for cache files (created if missing;
	// "" = os.TempDir()). The Lookup makes a private directory in it,
	// named like a write buffer's spill directory, and removes it on Close;
	// NewLookup removes those of dead processes.
	Dir string
	// MaxDiskSize is lookup.cache-max-disk-size: the bound on the total
	// size of finished cache files (0 = unbounded). Beyond it the least
	// recently used files are evicted, before the call that grew the cache
	// returns. A file being built is not counted until it is finished, and
	// a file evicted while another call still reads it keeps its disk
	// blocks (not its name) until that call returns.
	MaxDiskSize int64
	// Retention is lookup.cache-file-retention: files unused for longer
	// are evicted (0 = 1 h; negative = never).
	Retention time.Duration
}

// Lookup is a local, bounded, on-disk cache that answers "is this key in
// data file F, and at which row position?" for the files of one table's
// buckets: the lookup of Paimon's lookup compaction. The first question
// about a file builds its cache file (a sorted key→position index in
// checksummed blocks with a sparse in-memory index) in one streaming pass
// over the data file; later questions read only the blocks they need. A
// damaged cache file is rebuilt rather than trusted.
//
// A Lookup is safe for concurrent use by several buckets' compactions.
type Lookup struct {
	max       int64
	retention time.Duration
	dir       *spilldir.Dir
	now       func() time.Time // tests replace it

	mu     sync.Mutex
	closed bool
	files  map[string]*lookupEntry // cached and being built, by data file name
	lru    list.List               // cached entries, most recently used first
	disk   int64
	seq    uint64
	timer  *time.Timer
}

// lookupEntry is the cache file of one data file. Fields other than ready
// and err are set before ready is closed and then only read; refs, cached
// and used are guarded by Lookup.mu.
type lookupEntry struct {
	name  string
	cols  []int
	ready chan struct{}
	err   error

	path string
	f    *os.File
	idx  *lookupIndex
	size int64

	// A values entry also keeps the file's rows, in file order, in a local
	// Arrow IPC file (path + ".rows"): batch b holds the rows from
	// starts[b].
	values bool
	rf     *os.File
	rows   *ipc.FileReader
	starts []int64

	refs   int // the cache's (while cached) plus one per call using it
	cached bool
	used   time.Time
	elem   *list.Element
}

// NewLookup makes a Lookup whose cache files live under o.Dir.
func NewLookup(o LookupOptions) (*Lookup, error) {
	if o.MaxDiskSize < 0 {
		return nil, fmt.Errorf("%w: lookup max disk size %d", ErrOptions, o.MaxDiskSize)
	}
	if o.Retention == 0 {
		o.Retention = DefaultLookupRetention
	}
	if o.Dir != "" {
		if err := os.MkdirAll(o.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("lsm: lookup: %w", err)
		}
	}
	// Directories of dead processes: best effort, as for spill files.
	_, _ = spilldir.Sweep(o.Dir)
	d := spilldir.New(o.Dir)
	if err := d.Ensure(); err != nil {
		return nil, fmt.Errorf("lsm: lookup: %w", err)
	}
	return &Lookup{
		max:       o.MaxDiskSize,
		retention: o.Retention,
		dir:       d,
		now:       time.Now,
		files:     map[string]*lookupEntry{},
	}, nil
}

// Positions reports, for each key of keys, the row position of that key
// in the data file f, or -1 when f lacks it. Keys are encoded with a
// KeyEncoder over the same key columns; they are best given in ascending
// order (any order works). A row position counts every row of the file
// from 0; a key the file holds more than once reports its last row.
//
// The first call for f (identified by its FileName: data files are
// immutable) builds f's cache file from open, which must yield every row
// of f in file order as KV records (no deletion vector applied);
// keyColumns index into those records. Later calls reuse the cache file
// and must give the same keyColumns (else ErrOptions). A data file whose
// keys are not ascending gives ErrUnsorted. If ctx ends during the build,
// the partial cache file is removed.
func (l *Lookup) Positions(ctx context.Context, f manifest.DataFile, open func(ctx context.Context) (array.RecordReader, error), keyColumns []int, keys [][]byte) ([]int64, error) {
	if len(keys) == 0 {
		return []int64{}, nil
	}
	var res []int64
	err := l.use(ctx, f.FileName, open, keyColumns, false, func(e *lookupEntry) (err error) {
		res, err = e.positions(keys)
		return err
	})
	return res, err
}

// rowsSuffix names the values entry of a data file in Lookup.files.
const rowsSuffix = "\x00rows"

// Rows is Positions for a lookup that needs the rows as well (lookup
// changelog): open must yield f's whole KV rows, and the cache keeps them
// too (in a local Arrow IPC file next to the key index). It returns each
// key's row position in f (-1 when absent) and a record (of open's
// schema, allocated from mem) holding the rows of the keys found, in key
// order: rows[i] is key i's row in rec, -1 when absent. rec is nil when
// no key is found; the caller releases it.
func (l *Lookup) Rows(ctx context.Context, f manifest.DataFile, open func(ctx context.Context) (array.RecordReader, error), keyColumns []int, keys [][]byte, mem memory.Allocator) (rec arrow.RecordBatch, rows []int, pos []int64, err error) {
	if len(keys) == 0 {
		return nil, []int{}, []int64{}, nil
	}
	err = l.use(ctx, f.FileName+rowsSuffix, open, keyColumns, true, func(e *lookupEntry) (err error) {
		if pos, err = e.positions(keys); err == nil {
			rec, rows, err = e.fetch(pos, mem)
		}
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return rec, rows, pos, nil
}

// use runs query on the cache entry of name (built if needed). A cache
// file found damaged is dropped and rebuilt once; damaged again, it is
// ErrLookupDamaged.
func (l *Lookup) use(ctx context.Context, name string, open func(ctx context.Context) (array.RecordReader, error), keyColumns []int, values bool, query func(*lookupEntry) error) error {
	file := strings.TrimSuffix(name, rowsSuffix)
	for attempt := 0; ; attempt++ {
		e, err := l.acquire(ctx, name, open, keyColumns, values)
		if err != nil {
			return err
		}
		err = query(e)
		if errors.Is(err, errBlockDamaged) {
			l.drop(e)
			l.release(e)
			if attempt == 0 {
				continue
			}
			return fmt.Errorf("%w: %s: %w", ErrLookupDamaged, file, err)
		}
		l.release(e)
		if err != nil {
			return fmt.Errorf("lsm: lookup %s: %w", file, err)
		}
		return nil
	}
}

// fetch gathers the rows at pos (-1: none) from e's rows file.
func (e *lookupEntry) fetch(pos []int64, mem memory.Allocator) (arrow.RecordBatch, []int, error) {
	rows := make([]int, len(pos))
	var refs []take.Ref
	var srcs []arrow.RecordBatch
	defer func() {
		for _, r := range srcs {
			r.Release()
		}
	}()
	loaded := map[int]int32{} // batch -> index in srcs
	for i, p := range pos {
		rows[i] = -1
		if p < 0 {
			continue
		}
		b := sort.Search(len(e.starts), func(j int) bool { return e.starts[j] > p }) - 1
		if b < 0 {
			return nil, nil, fmt.Errorf("%w: position %d before the first batch", errBlockDamaged, p)
		}
		si, ok := loaded[b]
		if !ok {
			rec, err := e.rows.RecordBatchAt(b)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: rows batch %d: %w", errBlockDamaged, b, err)
			}
			si = int32(len(srcs))
			srcs = append(srcs, rec)
			loaded[b] = si
		}
		row := p - e.starts[b]
		if row >= srcs[si].NumRows() {
			return nil, nil, fmt.Errorf("%w: position %d past its batch", errBlockDamaged, p)
		}
		rows[i] = len(refs)
		refs = append(refs, take.Ref{Src: si, Row: int32(row)})
	}
	if len(refs) == 0 {
		return nil, rows, nil
	}
	rec, err := take.Record(mem, srcs[0].Schema(), srcs, refs)
	if err != nil {
		return nil, nil, err
	}
	return rec, rows, nil
}

// acquire returns the cache entry of the named file, building it if
// needed, with a reference the caller must release.
func (l *Lookup) acquire(ctx context.Context, name string, open func(context.Context) (array.RecordReader, error), keyColumns []int, values bool) (*lookupEntry, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return nil, ErrLookupClosed
		}
		now := l.now()
		l.expireLocked(now)
		e := l.files[name]
		if e == nil {
			return l.buildLocked(ctx, name, open, keyColumns, values)
		}
		select {
		case <-e.ready:
			if e.cached {
				if !slices.Equal(e.cols, keyColumns) {
					l.mu.Unlock()
					return nil, fmt.Errorf("%w: lookup of %s with key columns %v, cached with %v", ErrOptions, name, keyColumns, e.cols)
				}
				e.refs++
				e.used = now
				l.lru.MoveToFront(e.elem)
				l.mu.Unlock()
				return e, nil
			}
			// Not kept (failed or discarded builds are unlisted before
			// ready closes, so this does not happen): forget it, retry.
			delete(l.files, name)
			l.mu.Unlock()
			continue
		default:
		}
		l.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// Built (or failed, or evicted at once); look again.
	}
}

// buildLocked registers and builds the cache file of name; l.mu is held
// on entry and released on return.
func (l *Lookup) buildLocked(ctx context.Context, name string, open func(context.Context) (array.RecordReader, error), keyColumns []int, values bool) (*lookupEntry, error) {
	e := &lookupEntry{name: name, cols: slices.Clone(keyColumns), ready: make(chan struct{}), values: values}
	l.files[name] = e
	l.seq++
	e.path = filepath.Join(l.dir.Path(), strconv.FormatUint(l.seq, 10)+".lookup")
	l.mu.Unlock()

	err := e.build(ctx, open)

	l.mu.Lock()
	defer l.mu.Unlock()
	defer close(e.ready)
	listed := l.files[name] == e
	if err != nil {
		e.err = err
		if listed {
			delete(l.files, name)
		}
		if l.closed {
			return nil, fmt.Errorf("%w (%w)", ErrLookupClosed, err)
		}
		return nil, err
	}
	e.refs = 1
	if !listed || l.closed {
		// Forgotten or closed during the build: answer this call, keep
		// nothing.
		e.remove()
		return e, nil
	}
	e.refs++
	e.cached = true
	e.used = l.now()
	e.elem = l.lru.PushFront(e)
	l.disk += e.size
	l.evictLocked()
	l.armLocked()
	return e, nil
}

// build writes e's cache file from one pass over open's records.
func (e *lookupEntry) build(ctx context.Context, open func(context.Context) (array.RecordReader, error)) (err error) {
	rr, err := open(ctx)
	if err != nil {
		return err
	}
	defer rr.Release()
	enc, err := NewKeyEncoder(rr.Schema(), e.cols)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(e.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("lsm: lookup: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(e.path)
		}
	}()
	w, err := newLookupWriter(f)
	if err != nil {
		return fmt.Errorf("lsm: lookup: %w", err)
	}
	var rw *ipc.FileWriter
	if e.values {
		var rf *os.File
		if rf, err = os.OpenFile(e.path+".rows", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return fmt.Errorf("lsm: lookup: %w", err)
		}
		e.rf = rf
		defer func() {
			if err != nil {
				rf.Close()
				os.Remove(e.path + ".rows")
				e.rf = nil
			}
		}()
		if rw, err = ipc.NewFileWriter(rf, ipc.WithSchema(rr.Schema()), ipc.WithLZ4()); err != nil {
			return fmt.Errorf("lsm: lookup: %w", err)
		}
	}
	var (
		buf     []byte
		ends    []int
		pending []byte
		pendPos int64 = -1
		row     int64
	)
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := rr.RecordBatch()
		buf, ends, err = enc.AppendKeys(buf[:0], ends[:0], rec)
		if err != nil {
			return err
		}
		if rw != nil && rec.NumRows() > 0 {
			e.starts = append(e.starts, row)
			if err := rw.Write(rec); err != nil {
				return fmt.Errorf("lsm: lookup: %w", err)
			}
		}
		start := 0
		for r, end := range ends {
			k := buf[start:end]
			start = end
			pos := row + int64(r)
			if pendPos >= 0 {
				c := bytes.Compare(k, pending)
				if c < 0 {
					return fmt.Errorf("%w: %s row %d", ErrUnsorted, e.name, pos)
				}
				if c == 0 {
					pendPos = pos
					continue
				}
				if err := w.add(pending, pendPos); err != nil {
					return fmt.Errorf("lsm: lookup: %w", err)
				}
			}
			pending, pendPos = append(pending[:0], k...), pos
		}
		row += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if pendPos >= 0 {
		if err := w.add(pending, pendPos); err != nil {
			return fmt.Errorf("lsm: lookup: %w", err)
		}
	}
	idx, size, err := w.finish()
	if err != nil {
		return fmt.Errorf("lsm: lookup: %w", err)
	}
	if rw != nil {
		if err := rw.Close(); err != nil {
			return fmt.Errorf("lsm: lookup: %w", err)
		}
		st, err := e.rf.Stat()
		if err != nil {
			return fmt.Errorf("lsm: lookup: %w", err)
		}
		size += st.Size()
		if e.rows, err = ipc.NewFileReader(e.rf); err != nil {
			return fmt.Errorf("lsm: lookup: %w", err)
		}
		if e.rows.NumRecords() != len(e.starts) {
			return fmt.Errorf("lsm: lookup: %d row batches written, %d read back", len(e.starts), e.rows.NumRecords())
		}
	}
	e.f, e.idx, e.size = f, idx, size
	return nil
}

// remove deletes e's files (open handles keep their blocks).
func (e *lookupEntry) remove() {
	os.Remove(e.path)
	if e.values {
		os.Remove(e.path + ".rows")
	}
}

// positions answers keys from e's cache file.
func (e *lookupEntry) positions(keys [][]byte) ([]int64, error) {
	res := make([]int64, len(keys))
	for i := range res {
		res[i] = -1
	}
	x := e.idx
	if x.blocks() == 0 {
		return res, nil
	}
	var order []int
	if !slices.IsSortedFunc(keys, bytes.Compare) {
		order = make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	}
	var (
		cur    blockCursor
		buf    []byte
		loaded = -1
	)
	for j := range keys {
		i := j
		if order != nil {
			i = order[j]
		}
		k := keys[i]
		if bytes.Compare(k, x.last) > 0 {
			break // and so are all later keys
		}
		b := x.block(k, max(loaded, 0))
		if b < 0 {
			continue
		}
		if b != loaded {
			payload, err := readBlock(e.f, x, b, buf)
			if err != nil {
				return nil, err
			}
			buf = payload[:cap(payload)]
			if err := cur.reset(payload); err != nil {
				return nil, fmt.Errorf("block %d: %w", b, err)
			}
			loaded = b
		}
		ok, err := cur.seek(k)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", b, err)
		}
		if ok && bytes.Equal(cur.key, k) {
			res[i] = cur.pos
		}
	}
	return res, nil
}

// release drops a call's reference to e.
func (l *Lookup) release(e *lookupEntry) {
	l.mu.Lock()
	l.unrefLocked(e)
	l.mu.Unlock()
}

func (l *Lookup) unrefLocked(e *lookupEntry) {
	e.refs--
	if e.refs == 0 && e.f != nil {
		e.f.Close()
		if e.rows != nil {
			e.rows.Close()
		}
		if e.rf != nil {
			e.rf.Close()
		}
	}
}

// drop evicts e if it is still cached (its file proved damaged).
func (l *Lookup) drop(e *lookupEntry) {
	l.mu.Lock()
	if e.cached {
		l.evictEntryLocked(e)
	}
	l.mu.Unlock()
}

func (l *Lookup) evictEntryLocked(e *lookupEntry) {
	l.lru.Remove(e.elem)
	e.elem, e.cached = nil, false
	if l.files[e.name] == e {
		delete(l.files, e.name)
	}
	l.disk -= e.size
	e.remove()
	l.unrefLocked(e)
}

// evictLocked evicts the least recently used files beyond MaxDiskSize.
func (l *Lookup) evictLocked() {
	for l.max > 0 && l.disk > l.max && l.lru.Len() > 0 {
		l.evictEntryLocked(l.lru.Back().Value.(*lookupEntry))
	}
}

// expireLocked evicts the files unused for longer than the retention.
func (l *Lookup) expireLocked(now time.Time) {
	if l.retention < 0 {
		return
	}
	for l.lru.Len() > 0 {
		e := l.lru.Back().Value.(*lookupEntry)
		if now.Sub(e.used) <= l.retention {
			return
		}
		l.evictEntryLocked(e)
	}
}

// armLocked makes sure a timer expires idle files even when no calls come.
func (l *Lookup) armLocked() {
	if l.timer != nil || l.closed || l.retention < 0 || l.lru.Len() == 0 {
		return
	}
	oldest := l.lru.Back().Value.(*lookupEntry)
	d := oldest.used.Add(l.retention).Sub(l.now()) + time.Millisecond
	l.timer = time.AfterFunc(max(d, time.Millisecond), func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.timer = nil
		if l.closed {
			return
		}
		l.expireLocked(l.now())
		l.armLocked()
	})
}

// Forget evicts the cache file of a data file that was compacted away; a
// build under way for it is discarded when it finishes.
func (l *Lookup) Forget(fileName string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, name := range []string{fileName, fileName + rowsSuffix} {
		e := l.files[name]
		if e == nil {
			continue
		}
		if e.cached {
			l.evictEntryLocked(e)
			continue
		}
		delete(l.files, name)
	}
}

// DiskSize returns the total size of the cache files, after evicting those
// past their retention.
func (l *Lookup) DiskSize() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.expireLocked(l.now())
	}
	return l.disk
}

// Close evicts every cache file and removes the Lookup's directory. Calls
// still running finish with the files they hold; later calls give
// ErrLookupClosed.
func (l *Lookup) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	for l.lru.Len() > 0 {
		l.evictEntryLocked(l.lru.Back().Value.(*lookupEntry))
	}
	clear(l.files)
	l.mu.Unlock()
	if err := l.dir.Close(); err != nil {
		return fmt.Errorf("lsm: lookup: %w", err)
	}
	return nil
}
