//go:build interop

package driver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// engine is one tool of the contract: its argv prefix before the
// subcommand. reason, when set, says why the engine does not run.
type engine struct {
	name   string // "floe", "pypaimon 2.1.0", "java 1.4.2", "spark 1.4.2"
	prefix []string
	reason string
	note   string // what the engine is, for the report
	// serve: the tool takes "serve" and then runs many commands in one
	// process (interop/README.md), which saves a JVM's start-up per
	// command (Java, Spark).
	serve bool
	srv   *server
	log   string // the server's stderr
	// reads, when set, limits the rows the engine reads to those it
	// accepts; writes, when set, the cases it writes (as A or B). A slow
	// engine runs on a sample of the cases this way (interop/README.md);
	// its other cells read "not sampled".
	reads  func(sh shape, j job) bool
	writes func(sh shape) bool
	// calls and busy count the engine's commands and the time they took,
	// for the report.
	calls int
	busy  time.Duration
}

// reading reports whether the engine runs and reads the row of job j.
func (e *engine) reading(sh shape, j job) bool {
	return e.reason == "" && (e.reads == nil || e.reads(sh, j))
}

// writing reports whether the engine runs and writes in case sh.
func (e *engine) writing(sh shape) bool {
	return e.reason == "" && (e.writes == nil || e.writes(sh))
}

// server is a running "tool serve" process.
type server struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan []byte // answers; closed when the process's stdout ends
}

// result of one tool invocation.
type result struct {
	out, errOut string
	code        int // exit status; -1 when it did not start or timed out
}

func (r result) unsupported() bool { return r.code == 3 }

// message is the last line of stderr, for reports.
func (r result) message() string {
	s := strings.TrimSpace(r.errOut)
	if s == "" {
		s = strings.TrimSpace(r.out)
	}
	lines := strings.Split(s, "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	// Java stack traces: prefer the root cause, else the first exception
	// line that is not py4j's wrapper.
	cause := ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "Caused by: ") {
			cause = strings.TrimPrefix(l, "Caused by: ")
		}
	}
	if cause != "" {
		last = cause
	} else {
		for _, l := range lines {
			if (strings.Contains(l, "Exception: ") || strings.Contains(l, "Error: ")) && !strings.Contains(l, "py4j") {
				last = strings.TrimSpace(l)
				break
			}
		}
	}
	if len(last) > 160 {
		last = last[:157] + "..."
	}
	return fmt.Sprintf("exit %d: %s", r.code, last)
}

var toolTimeout = envDuration("FLOE_INTEROP_TOOL_TIMEOUT", 5*time.Minute)

func envDuration(k string, d time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return v
	}
	return d
}

// setupTimeout bounds an engine's first command, which may install it.
var setupTimeout = envDuration("FLOE_INTEROP_SETUP_TIMEOUT", 20*time.Minute)

func (e *engine) run(sub string, args ...string) result {
	return e.runFor(toolTimeout, sub, args...)
}

func (e *engine) runFor(timeout time.Duration, sub string, args ...string) result {
	start := time.Now()
	defer func() { e.calls, e.busy = e.calls+1, e.busy+time.Since(start) }()
	if e.serve {
		return e.runServed(timeout, append([]string{sub}, args...))
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append(append(append([]string{}, e.prefix...), sub), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{out: out.String(), errOut: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		r.code = -1
		r.errOut += "\ntimed out after " + timeout.String()
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		r.code = -1
		r.errOut += "\n" + err.Error()
	}
	return r
}

// runServed sends one command to the engine's server, starting it first
// if needed. A server that dies or times out is killed; the next command
// starts a new one.
func (e *engine) runServed(timeout time.Duration, argv []string) result {
	if e.srv == nil {
		if err := e.startServer(); err != nil {
			return result{code: -1, errOut: err.Error()}
		}
	}
	req, _ := json.Marshal(argv)
	if _, err := e.srv.in.Write(append(req, '\n')); err != nil {
		e.stopServer()
		return result{code: -1, errOut: "server: " + err.Error() + e.logTail()}
	}
	select {
	case line, ok := <-e.srv.lines:
		if !ok {
			// The tool's own exit status (4: cannot run here) and message.
			code := e.stopServer()
			if code <= 0 {
				code = -1
			}
			return result{code: code, errOut: "server exited" + e.logTail()}
		}
		var ans struct {
			Code int    `json:"code"`
			Out  string `json:"out"`
			Err  string `json:"err"`
		}
		if err := json.Unmarshal(line, &ans); err != nil {
			e.stopServer()
			return result{code: -1, errOut: fmt.Sprintf("server answered %q: %v", line, err)}
		}
		return result{out: ans.Out, errOut: ans.Err, code: ans.Code}
	case <-time.After(timeout):
		e.stopServer()
		return result{code: -1, errOut: "timed out after " + timeout.String() + e.logTail()}
	}
}

func (e *engine) startServer() error {
	argv := append(append([]string{}, e.prefix...), "serve")
	cmd := exec.Command(argv[0], argv[1:]...)
	logf, err := os.OpenFile(e.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stderr = logf
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	logf.Close()
	s := &server{cmd: cmd, in: in, lines: make(chan []byte)}
	go func() {
		r := bufio.NewReaderSize(out, 1<<20)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 && err == nil {
				s.lines <- line
			}
			if err != nil {
				close(s.lines)
				return
			}
		}
	}()
	e.srv = s
	return nil
}

// stopServer ends the server and returns its exit status (-1 if killed).
func (e *engine) stopServer() int {
	if e.srv == nil {
		return 0
	}
	s := e.srv
	e.srv = nil
	s.in.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	// Drain so the reader goroutine ends.
	for range s.lines {
	}
	return s.cmd.ProcessState.ExitCode()
}

// logTail is the end of the server's stderr, for reports.
func (e *engine) logTail() string {
	b, err := os.ReadFile(e.log)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n" + string(b)
}

func repoRoot() string {
	d, _ := os.Getwd()
	return filepath.Clean(filepath.Join(d, "..", ".."))
}

func listEnv(k, def string) []string {
	v, ok := os.LookupEnv(k)
	if !ok {
		v = def
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// discover lists the engines: floe always (floetool built into dir), the
// others when their tool script exists and a smoke test passes.
// FLOE_INTEROP_ENGINES (comma-separated prefixes of engine names) limits
// the set.
func discover(dir string) []*engine {
	root := repoRoot()
	var es []*engine
	floe := &engine{name: "floe", note: "this repository (interop/floetool)"}
	bin := filepath.Join(dir, "floetool")
	build := exec.Command("go", "build", "-o", bin, "./interop/floetool")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		floe.reason = "build failed: " + strings.TrimSpace(string(out))
	}
	floe.prefix = []string{bin}
	es = append(es, floe)

	java := filepath.Join(root, "interop", "java", "tool.sh")
	for _, v := range listEnv("FLOE_INTEROP_JAVA", "1.4.2,2.0.0") {
		es = append(es, &engine{name: "java " + v, prefix: []string{java, "--paimon", v},
			serve: true, log: filepath.Join(dir, "java-"+v+".log"),
			note: "Paimon " + v + "'s Java API (interop/java)"})
	}
	py := filepath.Join(root, "interop", "python", "tool.sh")
	for _, v := range listEnv("FLOE_INTEROP_PYPAIMON", "2.1.0") {
		es = append(es, &engine{name: "pypaimon " + v, prefix: []string{py, "pypaimon"},
			note: "the pure-Python pypaimon " + v})
	}
	for _, v := range listEnv("FLOE_INTEROP_SPARK", "1.4.2,2.0.0,0.9.0") {
		es = append(es, &engine{name: "spark " + v, prefix: []string{py, "spark", "--paimon", v},
			serve: true, log: filepath.Join(dir, "spark-"+v+".log"),
			note: "Spark SQL 3.5.6 (pyspark, local mode) with the paimon-spark-3.5 " + v + " connector"})
	}
	flinks := listEnv("FLOE_INTEROP_FLINK", "1.4.2,2.0.0")
	for i, v := range flinks {
		// Only the last connector listed writes: every engine reads each
		// row Flink writes.
		last := i == len(flinks)-1
		es = append(es, &engine{name: "flink " + v, prefix: []string{py, "flink", "--paimon", v},
			serve: true, log: filepath.Join(dir, "flink-"+v+".log"),
			reads: flinkReads, writes: flinkWrites(last),
			note: "Flink SQL 2.0.2 (PyFlink, local mini-cluster) with the paimon-flink-2.0 " + v + " connector, on a sample of the cases (" + flinkSampleNote(last) + ")"})
	}
	only := listEnv("FLOE_INTEROP_ENGINES", "")
	for _, e := range es {
		if e.reason != "" {
			continue
		}
		if len(only) > 0 && !matchAny(e.name, only) {
			e.reason = "excluded by FLOE_INTEROP_ENGINES"
			continue
		}
		if _, err := os.Stat(e.prefix[0]); err != nil {
			e.reason = "tool " + rel(root, e.prefix[0]) + " not present"
			continue
		}
		e.reason = smoke(e, dir)
	}
	return es
}

func matchAny(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

// smoke creates, writes and dumps a one-row table; "" when that works.
func smoke(e *engine, dir string) string {
	wh, err := os.MkdirTemp(dir, "smoke-")
	if err != nil {
		return err.Error()
	}
	spec := filepath.Join(wh, "spec.json")
	data := filepath.Join(wh, "rows.jsonl")
	os.WriteFile(spec, []byte(`{"table":"db.smoke","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`), 0o644)
	os.WriteFile(data, []byte(`{"id":1,"v":"a"}`+"\n"), 0o644)
	if r := e.runFor(setupTimeout, "create", "--warehouse", wh, "--spec", spec); r.code != 0 {
		return "smoke test create failed: " + r.message()
	}
	if r := e.run("write", "--warehouse", wh, "--table", "db.smoke", "--data", data); r.code != 0 {
		return "smoke test write failed: " + r.message()
	}
	r := e.run("dump", "--warehouse", wh, "--table", "db.smoke")
	if r.code != 0 {
		return "smoke test dump failed: " + r.message()
	}
	if r.out != `{"id":1,"v":"a"}`+"\n" {
		return fmt.Sprintf("smoke test dump printed %q", r.out)
	}
	return ""
}
