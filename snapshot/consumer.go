package snapshot

import (
	"context"
	"errors"
	"fmt"

	"github.com/floelake/floe/internal/jsonpp"
	"github.com/floelake/floe/storage"
)

// Consumer is one consumer/consumer-<id> file: the progress of a streaming
// reader. NextSnapshot is the next snapshot it will read; expiration keeps
// that snapshot and every later one.
type Consumer struct {
	NextSnapshot int64 `json:"nextSnapshot"`
}

// DecodeConsumer parses a consumer file. name identifies the file in errors.
// An absent nextSnapshot reads as 0, as in Java.
func DecodeConsumer(name string, b []byte) (Consumer, error) {
	var c Consumer
	if _, err := decodeObject(name, b, &c); err != nil {
		return Consumer{}, err
	}
	return c, nil
}

// Encode returns the file bytes: {"nextSnapshot" : N} in Jackson's pretty form.
func (c Consumer) Encode() ([]byte, error) { return jsonpp.Marshal(c) }

// ReadConsumer reads consumer/consumer-<id>.
func ReadConsumer(ctx context.Context, store *storage.Store, id string) (Consumer, error) {
	if err := ValidateConsumerID(id); err != nil {
		return Consumer{}, err
	}
	p := ConsumerPath(id)
	b, err := store.Read(ctx, p)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return Consumer{}, fmt.Errorf("%w: %s: %w", ErrNotFound, p, err)
		}
		return Consumer{}, fmt.Errorf("read %s: %w", p, err)
	}
	return DecodeConsumer(p, b)
}

// WriteConsumer overwrites consumer/consumer-<id>.
func WriteConsumer(ctx context.Context, store *storage.Store, id string, c Consumer) error {
	if err := ValidateConsumerID(id); err != nil {
		return err
	}
	b, err := c.Encode()
	if err != nil {
		return err
	}
	p := ConsumerPath(id)
	if err := store.Write(ctx, p, b); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// Consumers reads every consumer file, keyed by consumer id. Names starting
// with "." are ignored; a consumer deleted while listing is skipped.
func Consumers(ctx context.Context, store *storage.Store) (map[string]Consumer, error) {
	names, err := store.ListDir(ctx, ConsumerDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", ConsumerDir, err)
	}
	out := make(map[string]Consumer)
	for _, n := range names {
		id, ok := parseName(ConsumerPrefix, n)
		if !ok || ValidateConsumerID(id) != nil {
			continue
		}
		c, err := ReadConsumer(ctx, store, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, nil
}

// DeleteConsumer removes consumer/consumer-<id>. A missing consumer gives an
// error matching ErrNotFound.
func DeleteConsumer(ctx context.Context, store *storage.Store, id string) error {
	if err := ValidateConsumerID(id); err != nil {
		return err
	}
	p := ConsumerPath(id)
	if err := store.Delete(ctx, p); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: %s: %w", ErrNotFound, p, err)
		}
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}
