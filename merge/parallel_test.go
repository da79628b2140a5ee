package merge

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestForColumns: every column is built once, serial or parallel; the
// error is the lowest failing column's; a panic reaches the caller.
func TestForColumns(t *testing.T) {
	for _, rows := range []int{1, 1 << 20} {
		var scratch []arrow.Array
		var calls [40]atomic.Int32
		if err := forColumns(len(calls), rows, &scratch, func(c int, sc *[]arrow.Array) error {
			calls[c].Add(1)
			*sc = append((*sc)[:0], nil)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for c := range calls {
			if n := calls[c].Load(); n != 1 {
				t.Fatalf("rows %d: column %d built %d times", rows, c, n)
			}
		}
		err := forColumns(40, rows, &scratch, func(c int, _ *[]arrow.Array) error {
			if c == 7 || c == 30 {
				return fmt.Errorf("column %d: %w", c, ErrValue)
			}
			return nil
		})
		if !errors.Is(err, ErrValue) || err.Error() != "column 7: "+ErrValue.Error() {
			t.Fatalf("rows %d: err %v, want column 7's", rows, err)
		}
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Fatalf("rows %d: recovered %v, want the panic", rows, p)
				}
			}()
			_ = forColumns(40, rows, &scratch, func(c int, _ *[]arrow.Array) error {
				if c == 3 {
					panic("boom")
				}
				return nil
			})
		}()
	}
}
