package storage

import (
	"context"
	"errors"
	"testing"
)

func TestMemCreateOnlyAndFaults(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Create(ctx, "a/b", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "a/b", []byte("2")); !errors.Is(err, ErrExist) {
		t.Fatalf("second create: %v", err)
	}
	if _, err := s.Read(ctx, "a/missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	var f Faults
	fs := WithFaults(s.Sub("a"), &f)
	f.Add(Fault{Op: OpCreate, Phase: After, Times: 1})
	if err := fs.Create(ctx, "c", []byte("x")); !errors.Is(err, ErrInjected) {
		t.Fatalf("after-fault: %v", err)
	}
	if b, err := s.Read(ctx, "a/c"); err != nil || string(b) != "x" {
		t.Fatalf("after-fault must have applied: %q %v", b, err)
	}
	if err := fs.Create(ctx, "c", []byte("x")); !errors.Is(err, ErrExist) {
		t.Fatalf("retry: %v", err)
	}
	if _, err := s.Read(ctx, "../x"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("escape: %v", err)
	}
}
