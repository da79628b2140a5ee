package lsm_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/internal/ddtest"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/pick with the pickers' results")

// TestPickDatadriven runs testdata/pick/*. Commands (args key=value or bare
// flags; files are named f<n> in creation order, sizes in bytes):
//
//	define num-levels=N        input lines "L<i>: <size>..."; level 0 newest first
//	add                        input "L0: <size>...", newest first, newer than all
//	universal [trigger= size-amp= size-ratio= offpeak=S-E:R interval=<dur> total= incr=]
//	force-up [max-interval=N]  wraps the last universal (0 = radical)
//	pick [t=HH:MM] [dv]        picks with the last strategy at 2025-01-01 t UTC
//	pick-full [rewrite=f1,f2]
//	apply                      applies the last pick: one output file at its level
//	                           (FileRewrite: one output per input file)
//	pick-append min= target= [compaction=]            input "files: <size>..." (sequence order)
//	pick-append-full min= target= [compaction=] [dv] [force] [dvfiles=f1,..]
//	pick-append-unaware min= target= open-cost= [age=] [dv=f1:i1,..]
func TestPickDatadriven(t *testing.T) {
	paths, err := filepath.Glob("testdata/pick/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata/pick files: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases, trailer := ddtest.Read(t, path)
			h := &harness{}
			for i := range cases {
				c := &cases[i]
				got, err := h.run(c.Input)
				if err != nil {
					got = "error: " + err.Error()
				}
				if *rewrite {
					c.Output = got
					continue
				}
				if got != c.Output {
					t.Errorf("%s case %d (%s):\ngot:\n%s\nwant:\n%s", path, i, c.Input[0], got, c.Output)
				}
			}
			if *rewrite {
				ddtest.Write(t, path, cases, trailer)
			}
		})
	}
}

type harness struct {
	levels    *lsm.Levels
	numLevels int
	next      int   // file counter
	seq       int64 // sequence counter
	univ      *lsm.Universal
	force     *lsm.ForceUpLevel0
	last      lsm.Unit
	hasLast   bool
}

type args map[string]string

func parseArgs(fields []string) args {
	a := args{}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		a[k] = v
	}
	return a
}

func (a args) int(k string, def int) (int, error) {
	v, ok := a[k]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", k, err)
	}
	return n, nil
}

func (a args) has(k string) bool { _, ok := a[k]; return ok }

func (a args) list(k string) []string {
	if v, ok := a[k]; ok && v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

func cmpKeys(a, b []byte) int { return bytes.Compare(a, b) }

func (h *harness) newFile(level int, size int64, minKey, maxKey string) manifest.DataFile {
	h.next++
	f := manifest.DataFile{
		FileName:          "f" + strconv.Itoa(h.next),
		FileSize:          size,
		Level:             int32(level),
		MinKey:            []byte(minKey),
		MaxKey:            []byte(maxKey),
		MinSequenceNumber: h.seq,
		MaxSequenceNumber: h.seq + 9,
	}
	h.seq += 10
	return f
}

func parseSizes(s string) ([]int64, error) {
	var out []int64
	for _, w := range strings.Fields(s) {
		n, err := strconv.ParseInt(w, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// parseLevels reads "L<i>: sizes" lines.
func parseLevels(lines []string) (map[int][]int64, error) {
	m := map[int][]int64{}
	for _, l := range lines {
		name, sizes, ok := strings.Cut(l, ":")
		if !ok || !strings.HasPrefix(name, "L") {
			return nil, fmt.Errorf("bad level line %q", l)
		}
		lv, err := strconv.Atoi(name[1:])
		if err != nil {
			return nil, err
		}
		s, err := parseSizes(sizes)
		if err != nil {
			return nil, err
		}
		m[lv] = s
	}
	return m, nil
}

func (h *harness) dump() string {
	var sb strings.Builder
	for i := 0; i < h.levels.NumLevels(); i++ {
		files := h.levels.Level(i)
		if len(files) == 0 {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "L%d:", i)
		for _, f := range files {
			fmt.Fprintf(&sb, " %s(%d)", f.FileName, f.FileSize)
		}
	}
	if sb.Len() == 0 {
		return "empty"
	}
	return sb.String()
}

func names(files []manifest.DataFile) string {
	var s []string
	for _, f := range files {
		s = append(s, f.FileName)
	}
	return strings.Join(s, " ")
}

func (h *harness) showUnit(u lsm.Unit, ok bool, dv bool) string {
	h.last, h.hasLast = u, ok
	if !ok {
		return "none"
	}
	s := fmt.Sprintf("output L%d: %s", u.OutputLevel, names(u.Files))
	if u.FileRewrite {
		s += " (file-rewrite)"
	}
	if h.levels.DropDelete(u, dv) {
		s += " (drop-delete)"
	}
	return s
}

func (h *harness) run(input []string) (string, error) {
	fields := strings.Fields(input[0])
	a := parseArgs(fields[1:])
	switch fields[0] {
	case "define":
		n, err := a.int("num-levels", 6)
		if err != nil {
			return "", err
		}
		m, err := parseLevels(input[1:])
		if err != nil {
			return "", err
		}
		*h = harness{numLevels: n}
		var files []manifest.DataFile
		maxL := 0
		for l := range m {
			maxL = max(maxL, l)
		}
		for l := maxL; l >= 1; l-- {
			for j, s := range m[l] {
				files = append(files, h.newFile(l, s, fmt.Sprintf("k%03d", j*100), fmt.Sprintf("k%03d", j*100+50)))
			}
		}
		l0 := m[0]
		for j := len(l0) - 1; j >= 0; j-- {
			files = append(files, h.newFile(0, l0[j], "k000", "k999"))
		}
		// Hand them over in a scrambled order: Levels orders them.
		slices.Reverse(files)
		h.levels = lsm.NewLevels(files, n, cmpKeys)
		if err := h.levels.Validate(); err != nil {
			return "", err
		}
		h.numLevels = h.levels.NumLevels()
		return h.dump(), nil
	case "add":
		m, err := parseLevels(input[1:])
		if err != nil {
			return "", err
		}
		l0 := m[0]
		for j := len(l0) - 1; j >= 0; j-- {
			h.levels.AddLevel0(h.newFile(0, l0[j], "k000", "k999"))
		}
		return h.dump(), nil
	case "universal":
		o := lsm.DefaultUniversalOptions()
		var err error
		get := func(k string, p *int) {
			if err == nil {
				*p, err = a.int(k, *p)
			}
		}
		get("trigger", &o.NumRunTrigger)
		get("size-amp", &o.MaxSizeAmp)
		get("size-ratio", &o.SizeRatio)
		var total, incr int
		get("total", &total)
		get("incr", &incr)
		if err != nil {
			return "", err
		}
		o.TotalSizeThreshold, o.IncrementalSizeThreshold = int64(total), int64(incr)
		if v, ok := a["interval"]; ok {
			if o.OptimizationInterval, err = time.ParseDuration(v); err != nil {
				return "", err
			}
		}
		if v, ok := a["offpeak"]; ok {
			if _, err := fmt.Sscanf(v, "%d-%d:%d", &o.OffPeakStartHour, &o.OffPeakEndHour, &o.OffPeakRatio); err != nil {
				return "", fmt.Errorf("offpeak=%s: %w", v, err)
			}
		}
		h.univ, h.force = lsm.NewUniversal(o), nil
		return "ok", nil
	case "force-up":
		if h.univ == nil {
			h.univ = lsm.NewUniversal(lsm.DefaultUniversalOptions())
		}
		n, err := a.int("max-interval", 0)
		if err != nil {
			return "", err
		}
		h.force = lsm.NewForceUpLevel0(h.univ, n)
		return "ok", nil
	case "pick":
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if v, ok := a["t"]; ok {
			var hh, mm int
			if _, err := fmt.Sscanf(v, "%d:%d", &hh, &mm); err != nil {
				return "", fmt.Errorf("t=%s: %w", v, err)
			}
			now = now.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
		}
		var u lsm.Unit
		var ok bool
		switch {
		case h.force != nil:
			u, ok = h.force.Pick(h.numLevels, h.levels.Runs(), now)
		case h.univ != nil:
			u, ok = h.univ.Pick(h.numLevels, h.levels.Runs(), now)
		default:
			return "", errors.New("no strategy: use universal or force-up")
		}
		return h.showUnit(u, ok, a.has("dv")), nil
	case "pick-full":
		rw := a.list("rewrite")
		var fn func(manifest.DataFile) bool
		if rw != nil {
			fn = func(f manifest.DataFile) bool { return slices.Contains(rw, f.FileName) }
		}
		u, ok := lsm.PickFullRewrite(h.numLevels, h.levels.Runs(), fn)
		return h.showUnit(u, ok, a.has("dv")), nil
	case "apply":
		if !h.hasLast {
			return "", errors.New("nothing picked")
		}
		u := h.last
		var after []manifest.DataFile
		if u.FileRewrite {
			for _, f := range u.Files {
				after = append(after, h.newFile(u.OutputLevel, f.FileSize, string(f.MinKey), string(f.MaxKey)))
			}
		} else {
			var size int64
			minK, maxK := u.Files[0].MinKey, u.Files[0].MaxKey
			for _, f := range u.Files {
				size += f.FileSize
				if bytes.Compare(f.MinKey, minK) < 0 {
					minK = f.MinKey
				}
				if bytes.Compare(f.MaxKey, maxK) > 0 {
					maxK = f.MaxKey
				}
			}
			after = append(after, h.newFile(u.OutputLevel, size, string(minK), string(maxK)))
		}
		if err := h.levels.Update(u.Files, after); err != nil {
			return "", err
		}
		h.hasLast = false
		return h.dump(), nil
	case "pick-append", "pick-append-full", "pick-append-unaware":
		return runAppend(fields[0], a, input[1:])
	}
	return "", fmt.Errorf("unknown command %q", fields[0])
}

func runAppend(cmd string, a args, input []string) (string, error) {
	var o lsm.AppendOptions
	var err error
	get := func(k string, p *int, def int) {
		if err == nil {
			*p, err = a.int(k, def)
		}
	}
	var target, compaction, openCost, age int
	get("min", &o.MinFileNum, 5)
	get("target", &target, 100)
	get("compaction", &compaction, int(lsm.CompactionFileSize(int64(target))))
	get("open-cost", &openCost, 0)
	get("age", &age, 0)
	if err != nil {
		return "", err
	}
	o.TargetFileSize, o.CompactionFileSize, o.OpenFileCost = int64(target), int64(compaction), int64(openCost)
	if len(input) != 1 || !strings.HasPrefix(input[0], "files:") {
		return "", errors.New(`want one input line "files: <size>..."`)
	}
	sizes, err := parseSizes(strings.TrimPrefix(input[0], "files:"))
	if err != nil {
		return "", err
	}
	var files []manifest.DataFile
	for i, s := range sizes {
		files = append(files, manifest.DataFile{
			FileName: "f" + strconv.Itoa(i+1), FileSize: s,
			MinSequenceNumber: int64(i * 10), MaxSequenceNumber: int64(i*10 + 9),
		})
	}
	// The pickers order by sequence number themselves.
	slices.Reverse(files)
	switch cmd {
	case "pick-append":
		picked, rest, ok := lsm.PickAppendQueue(files, o)
		p2, ok2 := lsm.PickAppend(files, o)
		if ok != ok2 || names(p2) != names(picked) {
			return "", errors.New("PickAppend and PickAppendQueue disagree")
		}
		if !ok {
			return "none\nrest: " + names(rest), nil
		}
		return "picked: " + names(picked) + "\nrest: " + names(rest), nil
	case "pick-append-full":
		dvFiles := a.list("dvfiles")
		picked, ok := lsm.PickAppendFull(files, o, a.has("dv"), a.has("force"), func(f manifest.DataFile) bool {
			return slices.Contains(dvFiles, f.FileName)
		})
		if !ok {
			return "none", nil
		}
		return "picked: " + names(picked), nil
	default:
		var indexFile func(manifest.DataFile) string
		if a.has("dv") {
			m := map[string]string{}
			for _, p := range a.list("dv") {
				f, idx, _ := strings.Cut(p, ":")
				m[f] = idx
			}
			indexFile = func(f manifest.DataFile) string { return m[f.FileName] }
		}
		slices.Reverse(files) // the waiting set in name order, for a readable rest
		var cands []manifest.DataFile
		for _, f := range files {
			if lsm.AppendUnawareCandidate(f, o) {
				cands = append(cands, f)
			}
		}
		tasks, rest, newAge := lsm.PickAppendUnaware(cands, o, age, indexFile)
		var sb strings.Builder
		fmt.Fprintf(&sb, "candidates: %s\n", names(cands))
		for _, task := range tasks {
			fmt.Fprintf(&sb, "task: %s\n", names(task))
		}
		fmt.Fprintf(&sb, "rest: %s\nage: %d", names(rest), newAge)
		return sb.String(), nil
	}
}

func df(name string, level int32, minSeq, maxSeq int64, keys ...string) manifest.DataFile {
	f := manifest.DataFile{FileName: name, Level: level, MinSequenceNumber: minSeq, MaxSequenceNumber: maxSeq, FileSize: 1}
	if len(keys) == 2 {
		f.MinKey, f.MaxKey = []byte(keys[0]), []byte(keys[1])
	}
	return f
}

func withTime(f manifest.DataFile, ms int64) manifest.DataFile {
	f.CreationTime = &ms
	return f
}

func TestLevels(t *testing.T) {
	t.Run("level0 order", func(t *testing.T) {
		files := []manifest.DataFile{
			df("a", 0, 0, 5),
			df("b", 0, 6, 9),
			df("c", 0, 3, 9),              // same max: smaller min first
			withTime(df("e", 0, 6, 9), 2), // same max and min: earlier creation first
			withTime(df("d", 0, 6, 9), 1), //
			withTime(df("g", 0, 6, 9), 2), // all equal but the name
			withTime(df("g", 0, 6, 9), 2), // an exact duplicate counts once
			df("h", 0, 10, 12),            // newest
		}
		l := lsm.NewLevels(files, 3, cmpKeys)
		if got, want := names(l.Level0()), "h c b d e g a"; got != want {
			t.Fatalf("level 0 = %s, want %s", got, want)
		}
		l.AddLevel0(df("i", 0, 13, 13))
		if got, want := names(l.Level0()), "i h c b d e g a"; got != want {
			t.Fatalf("after AddLevel0: %s, want %s", got, want)
		}
		if l.NumRuns() != 8 || l.NonEmptyHighestLevel() != 0 || l.NumLevels() != 3 || l.MaxLevel() != 2 {
			t.Fatalf("runs %d highest %d levels %d", l.NumRuns(), l.NonEmptyHighestLevel(), l.NumLevels())
		}
	})
	t.Run("levels", func(t *testing.T) {
		l := lsm.NewLevels([]manifest.DataFile{
			df("x2", 2, 0, 1, "m", "p"), df("x1", 2, 0, 1, "a", "c"), df("y", 4, 0, 1, "a", "z"), df("z", 0, 5, 5),
		}, 2, cmpKeys)
		if err := l.Validate(); err != nil {
			t.Fatal(err)
		}
		if l.NumLevels() != 5 {
			t.Fatalf("NumLevels %d, want 5 (raised by the level-4 file)", l.NumLevels())
		}
		if got := names(l.Level(2)); got != "x1 x2" {
			t.Fatalf("level 2 = %s", got)
		}
		var runs []string
		for _, r := range l.Runs() {
			runs = append(runs, fmt.Sprintf("L%d[%s]", r.Level, names(r.Files)))
		}
		if got, want := strings.Join(runs, " "), "L0[z] L2[x1 x2] L4[y]"; got != want {
			t.Fatalf("runs %s, want %s", got, want)
		}
		if got := names(l.Files()); got != "z x1 x2 y" {
			t.Fatalf("files %s", got)
		}
		if l.NonEmptyHighestLevel() != 4 || l.Level(7) != nil || l.Level(-1) != nil {
			t.Fatal("NonEmptyHighestLevel or Level out of range")
		}
		if lsm.NewLevels(nil, 6, cmpKeys).NonEmptyHighestLevel() != -1 {
			t.Fatal("empty levels: want -1")
		}
	})
	t.Run("validate", func(t *testing.T) {
		l := lsm.NewLevels([]manifest.DataFile{df("a", 1, 0, 1, "a", "m"), df("b", 1, 0, 1, "m", "z")}, 3, cmpKeys)
		if err := l.Validate(); !errors.Is(err, lsm.ErrOverlap) {
			t.Fatalf("touching key ranges: %v, want ErrOverlap", err)
		}
		l = lsm.NewLevels([]manifest.DataFile{df("a", -1, 0, 1)}, 3, cmpKeys)
		if err := l.Validate(); !errors.Is(err, lsm.ErrLevelRange) {
			t.Fatalf("negative level: %v, want ErrLevelRange", err)
		}
	})
	t.Run("update", func(t *testing.T) {
		base := []manifest.DataFile{df("a", 0, 1, 1), df("b", 0, 2, 2), df("c", 1, 0, 0, "a", "c")}
		for _, tc := range []struct {
			name          string
			before, after []manifest.DataFile
			err           error
			want          string
		}{
			{"compact", []manifest.DataFile{base[0], base[1]}, []manifest.DataFile{df("d", 1, 1, 2, "e", "f")}, nil, "L1: c d"},
			{"upgrade", []manifest.DataFile{base[0]}, []manifest.DataFile{df("a", 2, 1, 1, "x", "y")}, nil, "L0: b | L1: c | L2: a"},
			{"unknown", []manifest.DataFile{df("q", 0, 1, 1)}, nil, lsm.ErrUnknownFile, ""},
			{"wrong level", []manifest.DataFile{df("c", 2, 0, 0)}, nil, lsm.ErrUnknownFile, ""},
			{"level too high", nil, []manifest.DataFile{df("e", 3, 0, 0)}, lsm.ErrLevelRange, ""},
			{"overlap", []manifest.DataFile{base[0]}, []manifest.DataFile{df("e", 1, 0, 0, "b", "d")}, lsm.ErrOverlap, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				l := lsm.NewLevels(base, 3, cmpKeys)
				err := l.Update(tc.before, tc.after)
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("err %v, want %v", err, tc.err)
					}
					if got := names(l.Files()); got != "b a c" {
						t.Fatalf("a failed Update changed the levels: %s", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var parts []string
				for i := 0; i < l.NumLevels(); i++ {
					if fs := l.Level(i); len(fs) > 0 {
						parts = append(parts, fmt.Sprintf("L%d: %s", i, names(fs)))
					}
				}
				if got := strings.Join(parts, " | "); got != tc.want {
					t.Fatalf("got %s, want %s", got, tc.want)
				}
			})
		}
	})
}

func TestDropDelete(t *testing.T) {
	l := lsm.NewLevels([]manifest.DataFile{df("a", 0, 1, 1), df("b", 3, 0, 0, "a", "b")}, 6, cmpKeys)
	for _, tc := range []struct {
		out  int
		dv   bool
		want bool
	}{
		{0, false, false}, {0, true, false}, // never at level 0
		{2, false, false}, {2, true, true},
		{3, false, true}, {5, false, true},
	} {
		if got := l.DropDelete(lsm.Unit{OutputLevel: tc.out}, tc.dv); got != tc.want {
			t.Errorf("DropDelete(out=%d, dv=%v) = %v, want %v", tc.out, tc.dv, got, tc.want)
		}
	}
}

func TestGentleMaxInterval(t *testing.T) {
	for _, tc := range []struct{ trigger, configured, want int }{
		{5, 0, 10}, {5, 3, 5}, {5, 7, 7},
	} {
		if got := lsm.GentleMaxInterval(tc.trigger, tc.configured); got != tc.want {
			t.Errorf("GentleMaxInterval(%d, %d) = %d, want %d", tc.trigger, tc.configured, got, tc.want)
		}
	}
	if got := lsm.CompactionFileSize(128<<20 + 5); got != (128<<20+5)/10*7 {
		t.Errorf("CompactionFileSize = %d", got)
	}
}

// A single file already at its output level is no compaction (Paimon's
// manager drops it), and the empty early-full pick of an empty bucket is
// none too.
func TestPickTrivial(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	u := lsm.NewUniversal(lsm.UniversalOptions{NumRunTrigger: 0, MaxSizeAmp: 200, SizeRatio: 1, OptimizationInterval: time.Hour})
	if _, ok := u.Pick(6, nil, now); ok {
		t.Fatal("empty bucket picked")
	}
	f := lsm.NewForceUpLevel0(lsm.NewUniversal(lsm.DefaultUniversalOptions()), 0)
	runs := []lsm.SortedRun{{Level: 5, Files: []manifest.DataFile{df("a", 5, 0, 0, "a", "b")}}}
	if u, ok := f.Pick(6, runs, now); ok {
		t.Fatalf("one max-level run picked: %+v", u)
	}
}
