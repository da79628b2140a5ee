package storage_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/floelake/floe/storage"
)

// Open a store from a path or URL; Create is a create-only write with one
// winner, the commit primitive Paimon's snapshots rely on.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "floe-storage-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Also file:///…, mem://, s3://bucket/prefix?region=…, gs://…, azblob://…
	st, err := storage.Open(ctx, dir)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	if err := st.Create(ctx, "snapshot/snapshot-1", []byte("first")); err != nil {
		log.Fatal(err)
	}
	err = st.Create(ctx, "snapshot/snapshot-1", []byte("second"))
	fmt.Println("second create:", errors.Is(err, storage.ErrExist))

	b, err := st.Read(ctx, "snapshot/snapshot-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("snapshot-1 holds %q\n", b)
	names, err := st.ListDir(ctx, "snapshot")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	_, err = st.Read(ctx, "snapshot/snapshot-2")
	fmt.Println("missing:", errors.Is(err, storage.ErrNotFound))
	// Output:
	// second create: true
	// snapshot-1 holds "first"
	// [snapshot-1]
	// missing: true
}
