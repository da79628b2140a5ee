package table_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
	"github.com/floelake/floe/table"
)

// The maintenance soak: table upkeep (expiry, tag creation and deletion,
// orphan cleanup, rollback) runs in its own process beside two writers, a streaming
// reader with a consumer id and a batch reader, each another process of
// this test binary. The parent kills a random writer or the maintainer
// with SIGKILL at random moments and restarts it; the maintainer also
// runs with an injected store fault at a random operation. Afterwards:
// every row of every commit a writer saw succeed is in the table, every
// snapshot and tag reads in full, and no reader ever met a missing file
// of a snapshot it was allowed to read (the latest one when the read
// started, when the read took less than snapshot.time-retained; a tag that
// still exists; the snapshot a consumer stands on).
//
// go test ./table -run TestMaintSoak runs two short trials of each
// maintenance kind; FLOE_MAINT_SOAK=<trials> runs more (scripts/CI), and
// FLOE_MAINT_SOAK_CHECK=<sh script> runs on each final table (its path is
// $0), e.g. Java's check through the interop tool (.ci/maint-soak).

const (
	soakRows     = 20 // rows per commit
	soakRetained = 1500 * time.Millisecond
	// soakOrphanAge is the orphan cleanup's threshold: far above the time
	// a soak writer takes from its first file to its commit.
	soakOrphanAge = 3 * time.Second
)

var soakOptions = []table.Option{
	{Key: "bucket", Value: "2"},
	{Key: "num-sorted-run.compaction-trigger", Value: "3"},
	{Key: "snapshot.num-retained.min", Value: "3"},
	{Key: "snapshot.time-retained", Value: fmt.Sprintf("%d ms", soakRetained.Milliseconds())},
}

func TestMaintSoak(t *testing.T) {
	if os.Getenv("FLOE_MAINT_ROLE") != "" {
		t.Skip("child")
	}
	trials := 2
	dur := 2500 * time.Millisecond
	if s := os.Getenv("FLOE_MAINT_SOAK"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		trials, dur = n, 6*time.Second
	}
	if testing.Short() {
		trials = 1
	}
	summary := map[string]int{}
	for _, kind := range []string{"expire", "tags", "orphans", "rollback"} {
		for i := range trials {
			t.Run(fmt.Sprintf("%s-%d", kind, i), func(t *testing.T) {
				runSoakTrial(t, kind, uint64(i+1), dur, summary)
			})
		}
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range summary {
			if !yield(k) {
				return
			}
		}
	})
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s=%d ", k, summary[k])
	}
	t.Logf("soak outcomes: %s", sb.String())
}

// soakChild is a running child process.
type soakChild struct {
	role string
	cmd  *exec.Cmd
	done chan error
}

func startSoakChild(t *testing.T, dir, role string, seed uint64) *soakChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMaintSoakChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FLOE_MAINT_ROLE="+role, "FLOE_MAINT_DIR="+dir, fmt.Sprintf("FLOE_MAINT_SEED=%d", seed))
	out, err := os.OpenFile(filepath.Join(dir, "log-"+role), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &soakChild{role: role, cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait(); out.Close() }()
	return c
}

func (c *soakChild) kill() error {
	c.cmd.Process.Signal(syscall.SIGKILL)
	return <-c.done
}

func (c *soakChild) stop() error {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		return err
	case <-time.After(20 * time.Second):
		return c.kill()
	}
}

func runSoakTrial(t *testing.T, kind string, seed uint64, dur time.Duration, summary map[string]int) {
	ctx := context.Background()
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh")
	cat, err := catalog.Open(ctx, wh, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, "db", false); err != nil {
		t.Fatal(err)
	}
	tb, err := table.Create(ctx, cat, catalog.Identifier{Database: "db", Table: "t"}, table.Spec{
		Columns:     []table.Column{{Name: "id", Type: "BIGINT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: soakOptions}, table.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tb.Close()
	rng := rand.New(rand.NewPCG(seed, 77))
	children := map[string]*soakChild{}
	start := func(role string) {
		children[role] = startSoakChild(t, dir, role, rng.Uint64())
	}
	writers := []string{"writer-0", "writer-1"}
	for _, w := range writers {
		start(w)
	}
	start("stream")
	start("batch")
	if kind == "rollback" {
		// Write a while, then roll back beside the writers and readers,
		// killing the rollback (and the writers) at random.
		time.Sleep(dur / 2)
		start("maint-rollback")
	} else {
		start("maint-" + kind)
	}
	deadline := time.Now().Add(dur)
	for time.Now().Before(deadline) {
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		var victims []string
		for r := range children {
			if strings.HasPrefix(r, "writer") || strings.HasPrefix(r, "maint") {
				victims = append(victims, r)
			}
		}
		if len(victims) == 0 {
			break
		}
		slices.Sort(victims)
		v := victims[rng.IntN(len(victims))]
		if children["maint-rollback"] != nil && rng.IntN(2) == 0 {
			v = "maint-rollback" // mostly kill the rollback midway
		}
		select {
		case err := <-children[v].done:
			// It finished (a rollback) or failed on its own.
			if err != nil {
				t.Fatalf("%s exited: %v\n%s", v, err, readFile(t, filepath.Join(dir, "log-"+v)))
			}
			delete(children, v)
			if strings.HasPrefix(v, "maint-rollback") {
				summary["rollback-completed"]++
			}
			continue
		default:
		}
		children[v].kill()
		summary["kill-"+strings.SplitN(v, "-", 2)[0]]++
		// The table a crash leaves must be consistent before anything
		// repairs it.
		for _, p := range soakConsistency(t, filepath.Join(wh, "db.db", "t")) {
			t.Errorf("after killing %s: %s", v, p)
		}
		summary["consistency-checks"]++
		start(v)
	}
	// Quiesce: stop writers and maintenance gracefully, let a killed
	// rollback finish, then readers.
	for r, c := range children {
		if strings.HasPrefix(r, "writer") || r == "maint-expire" || r == "maint-tags" || r == "maint-orphans" {
			if err := c.stop(); err != nil && !isKill(err) {
				t.Fatalf("%s: %v\n%s", r, err, readFile(t, filepath.Join(dir, "log-"+r)))
			}
			delete(children, r)
		}
	}
	if c := children["maint-rollback"]; c != nil {
		if err := <-c.done; err != nil {
			t.Fatalf("rollback: %v\n%s", err, readFile(t, filepath.Join(dir, "log-maint-rollback")))
		}
		delete(children, "maint-rollback")
		summary["rollback-completed"]++
	}
	time.Sleep(300 * time.Millisecond)
	for r, c := range children {
		if err := c.stop(); err != nil && !isKill(err) {
			t.Fatalf("%s: %v\n%s", r, err, readFile(t, filepath.Join(dir, "log-"+r)))
		}
	}
	// Violations the readers recorded.
	for _, r := range []string{"stream", "batch", "maint-expire", "maint-tags", "maint-orphans", "maint-rollback"} {
		for _, l := range lines(t, filepath.Join(dir, "out-"+r)) {
			k, _, _ := strings.Cut(l, " ")
			summary[r+"-"+k]++
			if k == "VIOLATION" {
				t.Errorf("%s: %s", r, l)
			}
		}
	}
	verifySoakTable(t, dir, kind, summary)
	if cmd := os.Getenv("FLOE_MAINT_SOAK_CHECK"); cmd != "" {
		c := exec.Command("sh", "-c", cmd, filepath.Join(wh, "db.db", "t"))
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		summary["check-passed"]++
	}
	summary["trials"]++
}

func isKill(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && !ee.Exited()
}

func readFile(t *testing.T, p string) string {
	b, _ := os.ReadFile(p)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func lines(t *testing.T, p string) []string {
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// verifySoakTable checks the table after a trial.
func verifySoakTable(t *testing.T, dir, kind string, summary map[string]int) {
	ctx := context.Background()
	tb, err := table.Open(ctx, filepath.Join(dir, "wh", "db.db", "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	keys, err := soakKeys(ctx, tb, table.ScanOptions{})
	if err != nil {
		t.Fatalf("read latest: %v", err)
	}
	// Commits acknowledged to a writer must be in the table; with a
	// rollback, those acknowledged after it finished, and the rows of the
	// target snapshot.
	var rolledBackAt int64
	if kind == "rollback" {
		done := lines(t, filepath.Join(dir, "out-maint-rollback"))
		for _, l := range done {
			if f := strings.Fields(l); f[0] == "rolled-back" {
				rolledBackAt, _ = strconv.ParseInt(f[2], 10, 64)
			}
		}
		target := lines(t, filepath.Join(dir, "rollback-target"))
		if rolledBackAt == 0 || len(target) == 0 {
			t.Fatal("the rollback did not finish")
		}
		f := strings.Fields(target[0])
		for _, k := range strings.Split(f[2], ",") {
			key, _ := strconv.ParseInt(k, 10, 64)
			if !keys[key] {
				t.Fatalf("key %d of rollback target %s lost", key, f[0])
			}
		}
		summary["rollback-rows-verified"]++
	}
	for w := range 2 {
		for _, l := range lines(t, filepath.Join(dir, fmt.Sprintf("out-writer-%d", w))) {
			f := strings.Fields(l)
			if f[1] == "withdrawn" {
				summary["commits-withdrawn-by-rollback"]++
				continue
			}
			ident, _ := strconv.ParseInt(f[0], 10, 64)
			at, _ := strconv.ParseInt(f[1], 10, 64)
			if at <= rolledBackAt {
				continue // acknowledged before the rollback finished: it may be gone
			}
			for j := range soakRows {
				if !keys[soakKey(w, ident, j)] {
					t.Fatalf("writer %d commit %d row %d (key %d) lost", w, ident, j, soakKey(w, ident, j))
				}
			}
			summary["commits-verified"]++
		}
	}
	ids, err := snapshot.List(ctx, tb.Store())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := soakKeys(ctx, tb, table.ScanOptions{SnapshotID: id}); err != nil {
			t.Errorf("snapshot %d unreadable: %v", id, err)
		}
	}
	tags, err := tb.Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range tags {
		if _, err := soakKeys(ctx, tb, table.ScanOptions{Tag: tg.Name}); err != nil {
			t.Errorf("tag %s unreadable: %v", tg.Name, err)
		}
	}
	summary["snapshots-checked"] += len(ids)
	summary["tags-checked"] += len(tags)
}

// soakConsistency reads every snapshot and tag of the table in full and
// returns the problems: a snapshot or tag that exists but does not read
// (one removed while it was read, by a writer's expiry, is fine).
func soakConsistency(t *testing.T, path string) []string {
	ctx := context.Background()
	tb, err := table.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	return soakConsistencyOf(ctx, tb)
}

func soakConsistencyOf(ctx context.Context, tb *table.Table) []string {
	var problems []string
	ids, err := snapshot.List(ctx, tb.Store())
	if err != nil {
		return []string{err.Error()}
	}
	for _, id := range ids {
		if _, err := soakKeys(ctx, tb, table.ScanOptions{SnapshotID: id}); err != nil {
			if ok, xerr := snapshot.Snapshots.Exists(ctx, tb.Store(), id); xerr != nil || ok {
				problems = append(problems, fmt.Sprintf("snapshot %d unreadable: %v", id, err))
			}
		}
	}
	tags, err := tb.Tags(ctx)
	if err != nil {
		return append(problems, err.Error())
	}
	for _, tg := range tags {
		if _, err := soakKeys(ctx, tb, table.ScanOptions{Tag: tg.Name}); err != nil {
			if _, terr := snapshot.ReadTag(ctx, tb.Store(), tg.Name); !errors.Is(terr, snapshot.ErrNotFound) {
				problems = append(problems, fmt.Sprintf("tag %s unreadable: %v", tg.Name, err))
			}
		}
	}
	return problems
}

func soakKey(writer int, ident int64, j int) int64 {
	return int64(writer)*10_000_000 + ident*100 + int64(j)
}

// soakKeys reads a snapshot's keys.
func soakKeys(ctx context.Context, tb *table.Table, so table.ScanOptions) (map[int64]bool, error) {
	rr, err := tb.ReadAll(ctx, so, table.ReadOptions{})
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	out := map[int64]bool{}
	for rr.Next() {
		col := rr.RecordBatch().Column(0).(*array.Int64)
		for i := range col.Len() {
			out[col.Value(i)] = true
		}
	}
	return out, rr.Err()
}

// TestMaintSoakChild is a child process of TestMaintSoak.
func TestMaintSoakChild(t *testing.T) {
	role := os.Getenv("FLOE_MAINT_ROLE")
	if role == "" {
		t.Skip("run by TestMaintSoak")
	}
	dir := os.Getenv("FLOE_MAINT_DIR")
	seed, _ := strconv.ParseUint(os.Getenv("FLOE_MAINT_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 5))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		<-ch
		cancel()
	}()
	// A child whose test process died (killed, timed out) stops too.
	go func() {
		parent := os.Getppid()
		for range time.Tick(200 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(3)
			}
		}
	}()
	st, err := storage.Open(ctx, filepath.Join(dir, "wh", "db.db", "t"))
	if err != nil {
		t.Fatal(err)
	}
	var faults storage.Faults
	if strings.HasPrefix(role, "maint") && rng.IntN(2) == 0 {
		// A store fault at a random delete or read of the maintenance.
		op := []storage.Op{storage.OpDelete, storage.OpRead}[rng.IntN(2)]
		faults.Add(storage.Fault{Op: op, Skip: rng.IntN(30), Times: 1, Phase: storage.Phase(rng.IntN(2))})
	}
	if role == "maint-rollback" {
		faults.SetLatency(3 * time.Millisecond) // so that kills land mid-rollback
	}
	tb, err := table.OpenStore(ctx, storage.WithFaults(st, &faults))
	if err != nil {
		if ctx.Err() != nil {
			return // asked to stop while opening
		}
		t.Fatal(err)
	}
	out, err := os.OpenFile(filepath.Join(dir, "out-"+role), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	record := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		out.Sync()
	}
	switch {
	case strings.HasPrefix(role, "writer-"):
		w, _ := strconv.Atoi(strings.TrimPrefix(role, "writer-"))
		soakWriter(ctx, t, tb, w, filepath.Join(dir, "out-"+role), record)
	case role == "stream":
		soakStream(ctx, t, tb, record)
	case role == "batch":
		soakBatch(ctx, tb, rng, record)
	case role == "maint-expire":
		for ctx.Err() == nil {
			res, err := tb.Expire(ctx, table.ExpireOptions{})
			if err != nil && ctx.Err() == nil {
				if !errors.Is(err, storage.ErrInjected) {
					t.Fatalf("expire: %v", err)
				}
				faults.Clear()
				soakCheckAfterFault(ctx, tb, record)
			}
			if res != nil && res.Snapshots > 0 {
				record("expired %d", res.Snapshots)
			}
			sleepCtx(ctx, time.Duration(rng.IntN(50))*time.Millisecond)
		}
	case role == "maint-tags":
		for ctx.Err() == nil {
			name := fmt.Sprintf("t%d", rng.IntN(1_000_000))
			if _, err := tb.CreateTag(ctx, name, table.TagOptions{}); err != nil && ctx.Err() == nil &&
				!errors.Is(err, storage.ErrInjected) && !errors.Is(err, table.ErrNoSnapshot) && !errors.Is(err, snapshot.ErrTagExists) {
				t.Fatalf("create tag: %v", err)
			}
			tags, err := tb.Tags(ctx)
			if err == nil && len(tags) > 3 {
				_, err = tb.DeleteTag(ctx, tags[rng.IntN(len(tags)-1)].Name)
			}
			if err != nil && ctx.Err() == nil && !errors.Is(err, storage.ErrInjected) && !errors.Is(err, snapshot.ErrNotFound) {
				t.Fatalf("tags: %v", err)
			}
			if errors.Is(err, storage.ErrInjected) {
				faults.Clear()
				soakCheckAfterFault(ctx, tb, record)
			}
			// Expiry runs too (in other processes' commits as well), so
			// tags race it.
			if _, err := tb.Expire(ctx, table.ExpireOptions{}); err != nil && errors.Is(err, storage.ErrInjected) {
				faults.Clear()
				soakCheckAfterFault(ctx, tb, record)
			}
			sleepCtx(ctx, time.Duration(rng.IntN(80))*time.Millisecond)
		}
	case role == "maint-orphans":
		// Orphan cleanup with a short threshold (soak commits take
		// milliseconds), beside expiry whose kills leave orphans.
		for ctx.Err() == nil {
			res, err := tb.RemoveOrphanFiles(ctx, table.RemoveOrphansOptions{OlderThan: soakOrphanAge})
			if err != nil && ctx.Err() == nil {
				if !errors.Is(err, storage.ErrInjected) {
					t.Fatalf("remove orphans: %v", err)
				}
				faults.Clear()
				soakCheckAfterFault(ctx, tb, record)
			}
			if res != nil && len(res.Files) > 0 && !res.DryRun {
				record("orphans-deleted %d", len(res.Files))
			}
			if _, err := tb.Expire(ctx, table.ExpireOptions{}); err != nil && errors.Is(err, storage.ErrInjected) {
				faults.Clear()
				soakCheckAfterFault(ctx, tb, record)
			}
			sleepCtx(ctx, time.Duration(rng.IntN(100))*time.Millisecond)
		}
	case role == "maint-rollback":
		soakRollback(ctx, t, tb, dir, &faults, rng, record)
	default:
		t.Fatalf("unknown role %q", role)
	}
}

// soakCheckAfterFault checks the table an operation failed midway left.
func soakCheckAfterFault(ctx context.Context, tb *table.Table, record func(string, ...any)) {
	problems := soakConsistencyOf(ctx, tb)
	if ctx.Err() != nil {
		return // stopped while checking: the reads were cut short
	}
	for _, p := range problems {
		record("VIOLATION after-fault: %s", strings.ReplaceAll(p, " ", "_"))
	}
	record("fault-checked")
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// soakWriter commits soakRows new keys per commit, as commit user
// writer-W with increasing identifiers, and records each identifier once
// its commit returned.
func soakWriter(ctx context.Context, t *testing.T, tb *table.Table, w int, log string, record func(string, ...any)) {
	var ident int64
	for _, l := range lines(t, log) {
		if n, err := strconv.ParseInt(strings.Fields(l)[0], 10, 64); err == nil && n > ident {
			ident = n
		}
	}
	user := fmt.Sprintf("writer-%d", w)
	// A commit killed in flight may have landed: go on after it (a retry
	// of an identifier must carry the same messages, which are gone).
	if last, err := snapshot.LatestByUser(ctx, tb.Store(), user); err == nil && last.CommitIdentifier > ident {
		ident = last.CommitIdentifier
	}
	sch, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		ident++
		b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
		for j := range soakRows {
			b.Field(0).(*array.Int64Builder).Append(soakKey(w, ident, j))
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("w%d-%d", w, ident))
		}
		rec := b.NewRecordBatch()
		b.Release()
		wr, err := tb.NewWriter(ctx, table.WriterOptions{SpillDir: os.TempDir()})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			t.Fatal(err)
		}
		err = wr.Write(ctx, rec)
		rec.Release()
		var msgs []table.CommitMessage
		var started time.Time
		if err == nil {
			msgs, err = wr.Prepare(ctx)
		}
		if err == nil {
			// The commit must land even when asked to stop: a SIGTERM
			// between prepare and commit is not a crash.
			var res *table.CommitResult
			started = time.Now()
			res, err = tb.Commit(context.WithoutCancel(ctx), msgs, table.CommitOptions{CommitUser: user, Identifier: ident})
			if err == nil && res.AlreadyCommitted {
				// An attempt before a kill landed, at a time unknown:
				// perhaps before a rollback that removed it.
				wr.Close()
				record("%d 0", ident)
				continue
			}
		}
		wr.Close()
		if errors.Is(err, table.ErrRolledBack) {
			record("%d withdrawn", ident)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			t.Fatalf("writer %d commit %d: %v", w, ident, err)
		}
		// The time the Commit call began: one that overlaps a rollback may
		// land before it (and be removed) and still return after it.
		record("%d %d", ident, started.UnixNano())
	}
}

// soakStream follows the table with consumer c1, saving its position after
// each snapshot. Once its progress is on record the consumer protects the
// snapshot it reads next, so any error is a violation.
func soakStream(ctx context.Context, t *testing.T, tb *table.Table, record func(string, ...any)) {
	s, err := tb.NewStream(ctx, table.StreamOptions{ConsumerID: "c1", MaxWait: 20 * time.Millisecond})
	if err != nil {
		if ctx.Err() == nil {
			record("VIOLATION start: %v", strings.ReplaceAll(err.Error(), " ", "_"))
		}
		return
	}
	defer s.Close()
	// Until the consumer's progress is on record, nothing keeps the
	// stream's next snapshot: a first stream that reads its starting
	// snapshot for longer than expiry retains the next one may lose it
	// (a loaded machine does that), as a Paimon stream would.
	_, cerr := snapshot.ReadConsumer(ctx, tb.Store(), "c1")
	protected := cerr == nil
	for {
		b, err := s.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return
			}
			if !protected && errors.Is(err, table.ErrSnapshotExpired) {
				record("stream-expired-before-progress")
				s.Close()
				if s, err = tb.NewStream(ctx, table.StreamOptions{ConsumerID: "c1", MaxWait: 20 * time.Millisecond}); err != nil {
					return
				}
				_, cerr = snapshot.ReadConsumer(ctx, tb.Store(), "c1")
				protected = cerr == nil
				continue
			}
			if _, serr := os.Stat(filepath.Join(os.Getenv("FLOE_MAINT_DIR"), "rollback-target")); serr == nil {
				// A rollback removed what the stream was reading: start
				// again where the consumer stands.
				record("stream-rolled-back")
				s.Close()
				if s, err = tb.NewStream(ctx, table.StreamOptions{ConsumerID: "c1", MaxWait: 20 * time.Millisecond}); err != nil {
					return
				}
				continue
			}
			record("VIOLATION next: %s", strings.ReplaceAll(err.Error(), " ", "_"))
			return
		}
		if b.Last {
			if err := s.SaveProgress(ctx); err != nil && ctx.Err() == nil {
				record("VIOLATION save: %s", strings.ReplaceAll(err.Error(), " ", "_"))
				return
			}
			protected = true
			record("snapshot-read %d", b.SnapshotID)
		}
	}
}

// soakBatch reads the latest snapshot, or a tag, in full, again and again.
// A missing file is a violation unless the read took longer than
// snapshot.time-retained (the snapshot was no longer the latest for that
// long) or its tag was deleted meanwhile.
func soakBatch(ctx context.Context, tb *table.Table, rng *rand.Rand, record func(string, ...any)) {
	for ctx.Err() == nil {
		so := table.ScanOptions{}
		var tag string
		if rng.IntN(3) == 0 {
			if tags, err := tb.Tags(ctx); err == nil && len(tags) > 0 {
				tag = tags[rng.IntN(len(tags))].Name
				so.Tag = tag
			}
		}
		var read *snapshot.Snapshot
		if tag == "" {
			var err error
			if read, err = snapshot.Latest(ctx, tb.Store()); err != nil {
				continue
			}
			so.SnapshotID = read.ID
		}
		start := time.Now()
		_, err := soakKeys(ctx, tb, so)
		took := time.Since(start)
		switch {
		case err == nil:
			record("read-ok")
		case ctx.Err() != nil:
			return
		case tag != "":
			if _, terr := snapshot.ReadTag(ctx, tb.Store(), tag); errors.Is(terr, snapshot.ErrNotFound) {
				record("read-tag-deleted")
			} else {
				record("VIOLATION tag %s: %s", tag, strings.ReplaceAll(err.Error(), " ", "_"))
			}
		case took >= soakRetained:
			record("read-slow-expired")
		case isRolledBack(ctx, tb, read):
			record("read-rolled-back")
		default:
			record("VIOLATION snapshot %d (%s): %s", so.SnapshotID, took, strings.ReplaceAll(err.Error(), " ", "_"))
		}
	}
}

// isRolledBack says whether a rollback removed snapshot s (its id is gone
// or names another commit now, while an older snapshot stays): reading a
// removed snapshot is not allowed.
func isRolledBack(ctx context.Context, tb *table.Table, s *snapshot.Snapshot) bool {
	now, err := snapshot.Read(ctx, tb.Store(), s.ID)
	if err == nil {
		return !now.SameCommit(s)
	}
	earliest, eerr := snapshot.EarliestID(ctx, tb.Store())
	return errors.Is(err, snapshot.ErrNotFound) && eerr == nil && earliest < s.ID
}

// soakRollback rolls back to a snapshot chosen once (recorded with its row
// count before anything is removed); a restarted rollback continues to the
// same target.
func soakRollback(ctx context.Context, t *testing.T, tb *table.Table, dir string, faults *storage.Faults, rng *rand.Rand, record func(string, ...any)) {
	targetFile := filepath.Join(dir, "rollback-target")
	var target int64
	chosen := false // by this process: no rollback to it has begun yet
	if ls := lines(t, targetFile); len(ls) > 0 {
		target, _ = strconv.ParseInt(strings.Fields(ls[0])[0], 10, 64)
	} else {
		// The writers start with it: under load they may not have
		// committed twice yet.
		var ids []int64
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			var err error
			ids, err = snapshot.List(ctx, tb.Store())
			if err != nil {
				t.Fatalf("snapshots to roll back: %v", err)
			}
			if len(ids) >= 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("snapshots to roll back: %v after a minute", ids)
			}
		}
		target = ids[max(0, len(ids)-1-1-rng.IntN(3))] // one of the newest, not yet expired
		keys, err := soakKeys(ctx, tb, table.ScanOptions{SnapshotID: target})
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(targetFile + ".tmp")
		if err != nil {
			t.Fatal(err)
		}
		var ks []string
		for k := range keys {
			ks = append(ks, strconv.FormatInt(k, 10))
		}
		fmt.Fprintf(f, "%d %d %s\n", target, len(keys), strings.Join(ks, ","))
		f.Sync()
		f.Close()
		if err := os.Rename(targetFile+".tmp", targetFile); err != nil {
			t.Fatal(err)
		}
		chosen = true
	}
	for {
		_, err := tb.Rollback(context.WithoutCancel(ctx), table.RollbackOptions{SnapshotID: target})
		if err == nil {
			record("rolled-back %d %d", target, time.Now().UnixNano())
			return
		}
		if chosen && errors.Is(err, table.ErrNoSnapshot) && !errors.Is(err, storage.ErrInjected) {
			// The target expired between its choice and the marker (a
			// loaded machine): Rollback refused it and changed nothing.
			// Choose again.
			if ok, serr := snapshot.Snapshots.Exists(ctx, tb.Store(), target); serr == nil && !ok {
				record("rollback-target-expired %d", target)
				if err := os.Remove(targetFile); err != nil {
					t.Fatal(err)
				}
				soakRollback(ctx, t, tb, dir, faults, rng, record)
				return
			}
		}
		if !errors.Is(err, storage.ErrInjected) {
			t.Fatalf("rollback to %d: %v", target, err)
		}
		faults.Clear()
		soakCheckAfterFault(ctx, tb, record)
	}
}
