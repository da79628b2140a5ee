package storage

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// ErrInjected is the default error returned by injected faults.
var ErrInjected = errors.New("storage: injected fault")

// Op names a Store operation for fault matching.
type Op string

// Store operations.
const (
	OpRead   Op = "read"
	OpStat   Op = "stat"
	OpWrite  Op = "write"
	OpCreate Op = "create"
	OpDelete Op = "delete"
	OpList   Op = "list"
)

// Phase says whether a fault fires before the operation reaches the backend
// (nothing happened) or after the backend applied it (the effect is real but
// the caller sees an error, as with a lost response or a timeout).
type Phase int

// Fault phases.
const (
	Before Phase = iota
	After
)

// Fault is one injected failure rule.
type Fault struct {
	Op    Op     // operation to match; "" matches all
	Key   string // substring of the key to match; "" matches all
	Phase Phase
	Err   error // returned error; nil means ErrInjected
	Times int   // how many times it fires; 0 means every time
	Skip  int   // how many matching operations pass before it fires
}

// Faults is a set of failure rules and an optional latency shared by the
// stores returned from WithFaults. Safe for concurrent use.
type Faults struct {
	mu      sync.Mutex
	rules   []*faultRule
	latency time.Duration
	fired   int
	ops     map[Op]int
}

type faultRule struct {
	Fault
	left int // remaining firings when Times > 0
	skip int // matching operations still to let pass
}

// Add installs a rule.
func (f *Faults) Add(r Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &faultRule{Fault: r, left: r.Times, skip: r.Skip})
}

// Clear removes every rule and the latency.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.latency = nil, 0
}

// SetLatency delays every operation by d (honouring ctx).
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Ops returns how many operations of kind op (every kind when op is "")
// the stores returned from WithFaults have begun, failed ones included.
// Tests use it to count reads.
func (f *Faults) Ops(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if op != "" {
		return f.ops[op]
	}
	n := 0
	for _, c := range f.ops {
		n += c
	}
	return n
}

// Fired returns how many faults have fired so far.
func (f *Faults) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

func (f *Faults) check(ctx context.Context, op Op, key string, ph Phase) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	if ph == Before {
		if f.ops == nil {
			f.ops = map[Op]int{}
		}
		f.ops[op]++
	}
	lat := f.latency
	var err error
	for _, r := range f.rules {
		if r.Phase != ph || (r.Op != "" && r.Op != op) || (r.Key != "" && !strings.Contains(key, r.Key)) {
			continue
		}
		if r.skip > 0 {
			r.skip--
			continue
		}
		if r.Times > 0 {
			if r.left == 0 {
				continue
			}
			r.left--
		}
		f.fired++
		err = r.Err
		if err == nil {
			err = ErrInjected
		}
		break
	}
	f.mu.Unlock()
	if ph == Before && lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return err
}

// WithFaults returns a view of s whose operations consult f before and after
// reaching the backend. Used by tests to simulate failures.
func WithFaults(s *Store, f *Faults) *Store {
	c := *s
	c.owner = false
	c.faults = f
	return &c
}
