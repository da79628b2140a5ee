package predicate

import "testing"

// FuzzParse checks that Parse never panics and that whatever it accepts
// prints to text that parses back to the same tree (and the same text).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a = 1",
		"a = 1 AND (b IN ('x', 'y') OR c IS NULL) AND NOT d >= 2.5",
		"`a``b` <> -12.50 OR \"c\" NOT IN (1E3, NaN, -INFINITY, NULL)",
		"d = DATE '2024-01-31' AND t < TIMESTAMP '2024-01-31 12:00:00.000000001+05:30'",
		"b = X'00ff' AND c = TRUE AND NOT NOT e IS NOT NULL",
		"(a = 1 AND b = 2) AND c = 3 OR FALSE",
		"a IN ()", "TRUE", "", "a = 99999999999999999999", "a = 'it''s'",
		"é = 1", "a = 1e400", "a = +5", "a = .5", "a = 5.",
		"t = TIMESTAMP '-0001-01-01T00:00Z'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		text := p.String()
		q, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) = %v; Parse(String() = %q): %v", s, p, text, err)
		}
		if !eqPred(p, q) {
			t.Fatalf("round trip of %q: %q parsed as %v", s, text, q)
		}
		if q.String() != text {
			t.Fatalf("String not stable: %q then %q", text, q.String())
		}
		if _, err := p.MarshalText(); err != nil {
			t.Fatalf("MarshalText(%q): %v", text, err)
		}
	})
}
