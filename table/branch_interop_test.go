//go:build interop

package table

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// javaTool runs interop/java/tool.sh (Java Paimon version v) on the
// warehouse wh and returns its stdout.
func javaTool(t *testing.T, v, wh string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join("..", "interop", "java", "tool.sh"), append([]string{"--paimon", v}, append(args, "--warehouse", wh)...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tool.sh %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// TestBranchJavaReadsFloe: Java Paimon 1.4.2 and 2.0.0 read the branches
// floe made and wrote (a branch from a tag, one from a snapshot, an empty
// branch of two buckets that main falls back to) as floe reads them,
// write to floe's branch, and fast-forward main to it; floe reads the
// results as Java does. Needs Java and Maven (go test -tags interop).
func TestBranchJavaReadsFloe(t *testing.T) {
	for _, v := range []string{"1.4.2", "2.0.0"} {
		t.Run(v, func(t *testing.T) {
			e := newCastEnv(t, Spec{Columns: []Column{{Name: "dt", Type: "STRING NOT NULL"}, {Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
				PrimaryKeys: []string{"dt", "id"}, PartitionKeys: []string{"dt"}, Options: []Option{{"bucket", "1"}}})
			wh := strings.TrimPrefix(e.cat.Store().URL(), "file://")
			e.writeKinds(`[{"dt":"0724","id":1,"v":"m1"},{"dt":"0725","id":1,"v":"m2"}]`)
			tb := e.open()
			if _, err := tb.CreateTag(e.ctx, "t1", TagOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := tb.CreateBranch(e.ctx, "b", BranchOptions{Tag: "t1"}); err != nil {
				t.Fatal(err)
			}
			e.writeTo(e.openBranch("b"), `[{"dt":"0724","id":1,"v":"b1"},{"dt":"0726","id":3,"v":"b3"}]`)
			if err := tb.CreateBranch(e.ctx, "fb", BranchOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := AlterStore(e.ctx, e.openBranch("fb").BranchStore(), SetOption("bucket", "2")); err != nil {
				t.Fatal(err)
			}
			e.writeTo(e.openBranch("fb"), `[{"dt":"0725","id":9,"v":"f9"},{"dt":"0727","id":1,"v":"f1"},{"dt":"0727","id":2,"v":"f2"}]`)
			e.alter(SetOption("scan.fallback-branch", "fb"))
			e.writeKinds(`[{"dt":"0725","id":5,"v":"m5"}]`)
			if err := tb.CreateBranch(e.ctx, "s", BranchOptions{Snapshot: 1}); err != nil {
				t.Fatal(err)
			}

			cols := []string{"dt", "id", "v"}
			dump := func(args ...string) string {
				t.Helper()
				f := filepath.Join(t.TempDir(), "dump.jsonl")
				if err := os.WriteFile(f, []byte(javaTool(t, v, wh, append([]string{"dump"}, args...)...)), 0o644); err != nil {
					t.Fatal(err)
				}
				return javaDumpRows(t, f, cols)
			}
			same := func(what, floe, java string) {
				t.Helper()
				if floe != java || floe == "" {
					t.Errorf("%s:\n floe %s\n Java %s", what, floe, java)
				}
			}
			same("main with fallback", e.mustRead(e.open(), ScanOptions{}), dump("--table", "db.t"))
			same("branch b", e.mustRead(e.openBranch("b"), ScanOptions{}), dump("--table", "db.t$branch_b"))
			same("branch b at tag t1", e.mustRead(e.openBranch("b"), ScanOptions{Tag: "t1"}), dump("--table", "db.t$branch_b", "--tag", "t1"))
			same("branch s (from snapshot 1)", e.mustRead(e.openBranch("s"), ScanOptions{}), dump("--table", "db.t$branch_s"))
			same("branch fb", e.mustRead(e.openBranch("fb"), ScanOptions{}), dump("--table", "db.t$branch_fb"))
			java := strings.Fields(javaTool(t, v, wh, "branch", "--table", "db.t", "--action", "list"))
			slices.Sort(java)
			if got, _ := tb.Branches(e.ctx); !slices.Equal(got, java) {
				t.Errorf("branches: floe %v, Java %v", got, java)
			}

			// Java writes to floe's branch, then fast-forwards main to it.
			rows := filepath.Join(t.TempDir(), "rows.jsonl")
			os.WriteFile(rows, []byte(`{"dt":"0726","id":4,"v":"j4"}`+"\n"), 0o644)
			javaTool(t, v, wh, "write", "--table", "db.t$branch_b", "--data", rows)
			b := e.openBranch("b")
			if got := e.mustRead(b, ScanOptions{}); got != "0724 1 b1, 0725 1 m2, 0726 3 b3, 0726 4 j4" {
				t.Errorf("floe reads Java's write to its branch: %s", got)
			}
			javaTool(t, v, wh, "branch", "--table", "db.t", "--action", "fast-forward", "--name", "b")
			same("main after Java's fast-forward", e.mustRead(e.open(), ScanOptions{}), dump("--table", "db.t"))
		})
	}
}
