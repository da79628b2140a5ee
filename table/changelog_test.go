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

// TestChangelogReplay: for each changelog producer, a stream of every
// change from snapshot 1, replayed, equals the batch read of the latest
// snapshot, over random writes with deletes, small write buffers (spills,
// several flushes a commit) and compactions in between.
func TestChangelogReplay(t *testing.T) {
	for _, producer := range []string{"input"} {
		strict := producer != "input"
		t.Run(producer, func(t *testing.T) {
			e := newCastEnv(t, pkStreamSpec(Option{"changelog-producer", producer},
				Option{"write-buffer-size", "8 kb"}, Option{"write-buffer-spillable", "true"}))
			rng := rand.New(rand.NewPCG(7, 12))
			for c := range 12 {
				e.writeKinds(randomChanges(rng, 50+rng.IntN(400), 60, true))
				if c%5 == 4 {
					e.compact(CompactOptions{Full: c%2 == 0})
				}
				stream, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := replayChangelog(t, stream, strict), e.rows(); got != want {
					t.Fatalf("commit %d: the changelog replayed:\n%s\nthe table:\n%s", c, got, want)
				}
			}
		})
	}
}
