package table

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/storage"
)

// A bad option value fails at Open, naming the key; a location without a
// schema is not a table.
func TestOpenValidatesOptions(t *testing.T) {
	ctx := context.Background()
	src := fixtures.Path(t, "paimon-cpp", "tables", "parquet", "pk_09.db", "pk_09", "schema", "schema-0")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bad := strings.Replace(string(b), `"bucket" : "2"`, `"bucket" : "two"`, 1)
	if err := st.Write(ctx, "schema/schema-0", []byte(bad)); err != nil {
		t.Fatal(err)
	}
	_, err = OpenStore(ctx, st)
	var oe *OptionError
	if !errors.Is(err, ErrInvalidOption) || !errors.As(err, &oe) || oe.Key != "bucket" {
		t.Fatalf("want an option error naming bucket, got %v", err)
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "nothing")); !errors.Is(err, ErrNotTable) {
		t.Fatalf("empty dir: %v", err)
	}
}
