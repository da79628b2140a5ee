package table

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// replayChangelog applies a stream's rows ("snapshot kind id v…" lines of
// streamText) to an empty table state: +I/+U upsert the key (the first
// column after the kind), -U/-D remove it; strict checks that every
// retraction names the row the state holds (a producer that knows the
// previous value; input changelog is the writer's input as it came). It returns the state as sorted
// "id v…" lines, the format of castEnv.read.
func replayChangelog(t *testing.T, stream string, strict bool) string {
	t.Helper()
	state := map[string]string{}
	if stream != "" {
		for _, line := range strings.Split(stream, "\n") {
			f := strings.Fields(line)
			if len(f) < 3 {
				t.Fatalf("stream line %q", line)
			}
			key, row := f[2], strings.Join(f[2:], " ")
			switch f[1] {
			case "+I", "+U":
				state[key] = row
			case "-U", "-D":
				if strict && state[key] != row {
					t.Fatalf("%s retracts %q, the state holds %q", f[1], row, state[key])
				}
				delete(state, key)
			default:
				t.Fatalf("row kind %q", f[1])
			}
		}
	}
	out := make([]string, 0, len(state))
	for _, r := range state {
		out = append(out, r)
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// randomChanges returns n JSON rows over keys 0..keys-1 of pkStreamSpec,
// deletes among them when deletes.
func randomChanges(rng *rand.Rand, n, keys int, deletes bool) string {
	rows := make([]map[string]any, n)
	for i := range rows {
		r := map[string]any{"id": rng.IntN(keys), "v": fmt.Sprintf("v%d", rng.IntN(1000))}
		if deletes && rng.IntN(4) == 0 {
			r["_ROW_KIND"] = "-D"
		}
		rows[i] = r
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// TestChangelogReplay: for each changelog producer and merge engine, a
// stream of every change from snapshot 1, replayed, equals the batch read
// of the latest snapshot, over random writes with deletes, small write
// buffers (spills, several flushes a commit) and explicit compactions in
// between. Lookup and full-compaction changelog must retract exactly the
// rows the state holds.
func TestChangelogReplay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []Option
		deletes bool
	}{
		{"input", []Option{{"changelog-producer", "input"}}, true},
		{"lookup", []Option{{"changelog-producer", "lookup"}}, true},
		{"lookup-dedup", []Option{{"changelog-producer", "lookup"}, {"changelog-producer.row-deduplicate", "true"}}, true},
		{"lookup-partial", []Option{{"changelog-producer", "lookup"}, {"merge-engine", "partial-update"}}, false},
		{"lookup-agg", []Option{{"changelog-producer", "lookup"}, {"merge-engine", "aggregation"},
			{"fields.v.aggregate-function", "max"}, {"fields.v.ignore-retract", "true"}}, true},
		{"lookup-first", []Option{{"changelog-producer", "lookup"}, {"merge-engine", "first-row"}}, false},
		{"lookup-dv", []Option{{"changelog-producer", "lookup"}, {"deletion-vectors.enabled", "true"}}, true},
		{"lookup-seqfield", []Option{{"changelog-producer", "lookup"}, {"sequence.field", "v"}}, true},
		{"lookup-nowait", []Option{{"changelog-producer", "lookup"}, {"lookup-wait", "false"}}, true},
		{"full", []Option{{"changelog-producer", "full-compaction"}}, true},
		{"full-every-3", []Option{{"changelog-producer", "full-compaction"}, {"full-compaction.delta-commits", "3"}}, true},
		{"full-agg-dedup", []Option{{"changelog-producer", "full-compaction"}, {"merge-engine", "aggregation"},
			{"fields.v.aggregate-function", "max"}, {"aggregation.remove-record-on-delete", "true"},
			{"changelog-producer.row-deduplicate", "true"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			strict := tc.name != "input"
			opts := append([]Option{{"write-buffer-size", "8 kb"}, {"write-buffer-spillable", "true"}}, tc.opts...)
			e := newCastEnv(t, pkStreamSpec(opts...))
			rng := rand.New(rand.NewPCG(7, 12))
			for c := range 12 {
				e.writeKinds(randomChanges(rng, 50+rng.IntN(400), 60, tc.deletes))
				if c%5 == 4 {
					e.compact(CompactOptions{Full: c%2 == 0})
				}
				stream, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
				if err != nil {
					t.Fatal(err)
				}
				got, want := replayChangelog(t, stream, strict), e.rows()
				if strings.HasPrefix(tc.name, "full") {
					// Full-compaction changelog is as fresh as the last
					// full compaction: replay equals that snapshot.
					continue
				}
				if got != want {
					t.Fatalf("commit %d: the changelog replayed:\n%s\nthe table:\n%s", c, got, want)
				}
			}
			if strings.HasPrefix(tc.name, "full") {
				e.compact(CompactOptions{Full: true})
				stream, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := replayChangelog(t, stream, strict), e.rows(); got != want {
					t.Fatalf("after a last full compaction, the changelog replayed:\n%s\nthe table:\n%s", got, want)
				}
			}
		})
	}
}

// TestChangelogOverwrite: an overwrite commits no changelog, as in Paimon,
// so a stream does not see the input changelog of overwritten rows.
func TestChangelogOverwrite(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"changelog-producer", "input"}))
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	msgs, res := e.commitKinds(`[{"id":2,"v":"b"}]`, CommitOptions{Overwrite: true})
	if len(msgs) != 1 || len(msgs[0].ChangelogFiles) == 0 {
		t.Fatalf("messages %+v: want input changelog", msgs)
	}
	snap := res.Snapshots[len(res.Snapshots)-1]
	if snap.ChangelogManifestList != nil || snap.ChangelogRecordCount != nil {
		t.Fatalf("overwrite snapshot %d carries changelog %v", snap.ID, *snap.ChangelogManifestList)
	}
	got, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
	if err != nil || got != "1 +I 1 a" {
		t.Fatalf("stream %q, %v", got, err)
	}
}

// TestLookupMergeMixedRuns: a section packs files of disjoint key ranges
// into one sorted run whatever their levels; a merge that tells levels
// apart (lookup tables, here deletion vectors) must still see each file's
// own level. Before runs were split by level, key 57's newer level-0 row
// lost to its row of level 4, packed in the same run as a level-0 file.
func TestLookupMergeMixedRuns(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "BIGINT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "2"}, {"deletion-vectors.enabled", "true"}}})
	model := map[int]string{}
	write := func(from, to int, tag string, deletes ...int) {
		var rows []string
		for i := from; i < to; i++ {
			rows = append(rows, fmt.Sprintf(`{"id":%d,"v":"%s-%d"}`, i, tag, i))
			model[i] = fmt.Sprintf("%d %s-%d", i, tag, i)
		}
		for _, d := range deletes {
			rows = append(rows, fmt.Sprintf(`{"id":%d,"_ROW_KIND":"-D"}`, d))
			delete(model, d)
		}
		e.writeKinds("[" + strings.Join(rows, ",") + "]")
	}
	check := func(step string) {
		t.Helper()
		var want []string
		for _, r := range model {
			want = append(want, r)
		}
		slices.Sort(want)
		if got := e.rows(); got != strings.Join(want, "\n") {
			t.Fatalf("after %s:\n%s\nwant\n%s", step, got, strings.Join(want, "\n"))
		}
	}
	write(1, 40, "a")
	write(30, 60, "b", 3, 4)
	write(10, 20, "c", 50)
	e.compact(CompactOptions{})
	write(55, 70, "d", 11)
	check("d")
	write(1, 5, "e")
	e.compact(CompactOptions{Full: true})
	write(65, 80, "f", 1)
	write(20, 25, "g")
	e.compact(CompactOptions{})
	check("the end")
}
