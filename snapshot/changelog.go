package snapshot

import (
	"context"
	"fmt"

	"github.com/floelake/floe/storage"
)

// Long-lived changelog files (changelog/changelog-<id>) are copies of
// expired snapshots kept while their changelog files are still retained
// (decoupled changelog retention). They use the snapshot JSON and have their
// own LATEST and EARLIEST hints; Changelogs.LatestID, Changelogs.Earliest and
// the other Dir methods find them.

// ReadChangelog reads changelog/changelog-<id>.
func ReadChangelog(ctx context.Context, store *storage.Store, id int64) (*Snapshot, error) {
	return Changelogs.Read(ctx, store, id)
}

// ListChangelogs returns the ids of the long-lived changelog files, ascending.
func ListChangelogs(ctx context.Context, store *storage.Store) ([]int64, error) {
	return Changelogs.List(ctx, store)
}

// WriteChangelog writes changelog/changelog-<s.ID> (overwrite: the copy of a
// snapshot is the same bytes however often it is written, so a retried
// expiration is harmless) and then, best effort, the changelog LATEST hint
// when s is newer than the hinted id. A hint failure is returned only if the
// file itself was written, wrapped so that the caller can log and ignore it;
// use errors.Is(err, ErrHint).
func WriteChangelog(ctx context.Context, store *storage.Store, s *Snapshot) error {
	b, err := s.Encode()
	if err != nil {
		return err
	}
	p := Changelogs.Path(s.ID)
	if err := store.Write(ctx, p, b); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if h := Changelogs.readHint(ctx, store, LatestHint); h < s.ID {
		if err := Changelogs.WriteLatestHint(ctx, store, s.ID); err != nil {
			return fmt.Errorf("%w: %w", ErrHint, err)
		}
	}
	return nil
}
