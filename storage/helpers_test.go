package storage

import (
	"bytes"
	"fmt"
	"testing"
)

func mustWrite(t *testing.T, s *Store, k string, data []byte) {
	t.Helper()
	if err := s.Write(t.Context(), k, data); err != nil {
		t.Fatalf("write %s: %v", k, err)
	}
}

func mustRead(t *testing.T, s *Store, k string, want []byte) {
	t.Helper()
	got, err := s.Read(t.Context(), k)
	if err != nil {
		t.Fatalf("read %s: %v", k, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %s = %q, want %q", k, got, want)
	}
}

// raceBody returns the bytes writer w uses for key k in create-only races:
// distinct per writer, and large enough that writes overlap in time.
func raceBody(k, w string) []byte {
	head := fmt.Sprintf("%s by %s\n", k, w)
	return append([]byte(head), bytes.Repeat([]byte(w+"."), 8<<10/(len(w)+1))...)
}
