package storage

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestObjectWriter(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"mem", "local"} {
		t.Run(name, func(t *testing.T) {
			var s *Store
			var err error
			if name == "mem" {
				s, err = Open(ctx, "mem://")
			} else {
				s, err = OpenLocal(t.TempDir())
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			w, err := s.NewWriter(ctx, "d/obj")
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			for i := range 100 {
				chunk := bytes.Repeat([]byte{byte(i)}, 10_000)
				want = append(want, chunk...)
				if _, err := w.Write(chunk); err != nil {
					t.Fatal(err)
				}
			}
			if ok, _ := s.Exists(ctx, "d/obj"); ok {
				t.Fatal("object visible before Close")
			}
			if w.Size() != int64(len(want)) {
				t.Fatalf("size %d", w.Size())
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := s.Read(ctx, "d/obj")
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read back %d bytes, %v", len(got), err)
			}

			// Abort stores nothing.
			w, err = s.NewWriter(ctx, "d/aborted")
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("partial"))
			w.Abort()
			if _, err := s.Read(ctx, "d/aborted"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("aborted object: %v", err)
			}
			if objs, _ := s.List(ctx, "d/"); len(objs) != 1 {
				t.Fatalf("listing after abort: %v", objs)
			}

			// Faults apply to streamed writes too.
			var f Faults
			fs := WithFaults(s, &f)
			f.Add(Fault{Op: OpWrite, Phase: Before, Times: 1})
			if _, err := fs.NewWriter(ctx, "d/x"); !errors.Is(err, ErrInjected) {
				t.Fatalf("fault before: %v", err)
			}
		})
	}
}
