package storagetest

import (
	"context"
	"os"
	"testing"

	"github.com/google/uuid"

	"github.com/floelake/floe/storage"
)

func TestConformanceMem(t *testing.T) {
	RunConformance(t, func(t *testing.T) *storage.Store {
		s, err := storage.Open(t.Context(), "mem://")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, nil)
}

func TestConformanceLocal(t *testing.T) {
	RunConformance(t, func(t *testing.T) *storage.Store {
		s, err := storage.Open(t.Context(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, nil)
}

func TestConformanceLocalFileURL(t *testing.T) {
	RunConformance(t, func(t *testing.T) *storage.Store {
		s, err := storage.Open(t.Context(), "file://"+t.TempDir()+"/not/yet/created")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, nil)
}

// TestConformanceS3 runs the suite against the S3 URL in FLOE_S3_URL,
// normally a MinIO started by .ci/minio.sh. Without it the test is skipped,
// except in CI (CI=true), where it fails.
func TestConformanceS3(t *testing.T) {
	url := os.Getenv("FLOE_S3_URL")
	if url == "" {
		const msg = "FLOE_S3_URL is not set; run `source .ci/minio.sh` (or `.ci/minio.sh go test ./storage/...`) to test against MinIO"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	run := "run-" + uuid.NewString()
	t.Logf("testing %s under %s/", url, run)
	RunConformance(t, func(t *testing.T) *storage.Store {
		s, err := storage.Open(context.WithoutCancel(t.Context()), url)
		if err != nil {
			t.Fatal(err)
		}
		// Sub views do not own the bucket; close it through the parent.
		t.Cleanup(func() { s.Close() })
		return s.Sub(run)
	}, nil)
}
