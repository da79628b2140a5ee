package civil

import (
	"testing"
	"time"
)

// TestDateMatchesTime compares with Go's proleptic Gregorian calendar over
// ±1,000,000 years around the epoch, and checks EpochDay inverts Date.
func TestDateMatchesTime(t *testing.T) {
	for days := int64(-365_242_500); days <= 365_242_500; days += 997 {
		y, m, d := Date(days)
		ty, tm, td := time.Unix(days*86400, 0).UTC().Date()
		if y != int64(ty) || m != int(tm) || d != td {
			t.Fatalf("Date(%d) = %d-%d-%d, want %d-%d-%d", days, y, m, d, ty, tm, td)
		}
		if back := EpochDay(y, m, d); back != days {
			t.Fatalf("EpochDay(%d-%d-%d) = %d, want %d", y, m, d, back, days)
		}
	}
}
