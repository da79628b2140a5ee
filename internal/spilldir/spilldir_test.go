package spilldir

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestMain lets the test binary act as a writer process: with
// FLOE_SPILLDIR_CHILD set to a parent directory it makes a spill
// directory there, prints its path and waits to be killed.
func TestMain(m *testing.M) {
	if parent := os.Getenv("FLOE_SPILLDIR_CHILD"); parent != "" {
		d := New(parent)
		if err := d.Ensure(); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(3)
		}
		os.WriteFile(filepath.Join(d.Path(), "floe-spill-1.arrows"), []byte("run"), 0o600)
		os.Stdout.WriteString(d.Path() + "\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child starts a process owning a spill directory in parent and returns
// it with the directory's path.
func child(t *testing.T, parent string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FLOE_SPILLDIR_CHILD="+parent)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	return cmd, line[:len(line)-1]
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// TestSweepKilledProcess: the directory of a process killed with SIGKILL
// is removed by the next sweep; that of a live process, and this
// process's own, survive.
func TestSweepKilledProcess(t *testing.T) {
	if !Supported {
		t.Skip("no flock on this system: nothing is swept")
	}
	parent := t.TempDir()
	killed, deadDir := child(t, parent)
	_, liveDir := child(t, parent)
	own := New(parent)
	if err := own.Ensure(); err != nil {
		t.Fatal(err)
	}
	defer own.Close()

	removed, err := Sweep(parent)
	if err != nil || len(removed) != 0 {
		t.Fatalf("sweep with every owner alive removed %v, err %v", removed, err)
	}
	if err := killed.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed.Wait()
	removed, err = Sweep(parent)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{deadDir}) {
		t.Fatalf("removed %v, want [%s]", removed, deadDir)
	}
	if exists(t, deadDir) {
		t.Error("the killed process's directory is still there")
	}
	if !exists(t, liveDir) || !exists(t, own.Path()) {
		t.Error("a live directory was removed")
	}
}

// TestSweepLeftovers: a directory whose lock nobody holds (its process
// died) is removed; staging and lock-less directories only once old; other
// entries never.
func TestSweepLeftovers(t *testing.T) {
	if !Supported {
		t.Skip("no flock on this system: nothing is swept")
	}
	parent := t.TempDir()
	mk := func(name string, lock bool, age time.Duration) string {
		p := filepath.Join(parent, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if lock {
			if err := os.WriteFile(filepath.Join(p, LockName), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if age > 0 {
			old := time.Now().Add(-age)
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	dead := mk("floe-spill-4194304-00", true, 0)
	newStaging := mk(".floe-spill-new-1", false, 0)
	oldStaging := mk(".floe-spill-new-2", false, 2*time.Hour)
	newNoLock := mk("floe-spill-7-01", false, 0)
	oldNoLock := mk("floe-spill-7-02", false, 2*time.Hour)
	other := mk("not-floe", true, 2*time.Hour)
	file := filepath.Join(parent, "floe-spill-3.arrows")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	removed, err := Sweep(parent)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{oldStaging, dead, oldNoLock}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, p := range []string{newStaging, newNoLock, other, file} {
		if !exists(t, p) {
			t.Errorf("%s was removed", p)
		}
	}
}

// TestDirLifecycle: New creates nothing, Ensure makes the locked
// directory, Close removes it; a missing parent sweeps to nothing.
func TestDirLifecycle(t *testing.T) {
	parent := t.TempDir()
	d := New(parent)
	if exists(t, d.Path()) {
		t.Fatal("New created the directory")
	}
	for range 2 {
		if err := d.Ensure(); err != nil {
			t.Fatal(err)
		}
	}
	if !exists(t, filepath.Join(d.Path(), LockName)) {
		t.Fatal("no lock file")
	}
	if Supported {
		f, err := os.OpenFile(filepath.Join(d.Path(), LockName), os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		locked, err := tryLock(f)
		f.Close()
		if err != nil || locked {
			t.Fatalf("lock of a live directory taken by another open file: %v %v", locked, err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if exists(t, d.Path()) {
		t.Fatal("Close left the directory")
	}
	if err := d.Ensure(); err == nil {
		t.Fatal("Ensure after Close succeeded")
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("parent holds %d entries", len(ents))
	}
	if removed, err := Sweep(filepath.Join(parent, "missing")); err != nil || removed != nil {
		t.Errorf("sweep of a missing parent: %v %v", removed, err)
	}
}
