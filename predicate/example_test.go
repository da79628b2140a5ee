package predicate_test

import (
	"errors"
	"fmt"

	"github.com/floelake/floe/predicate"
)

// Parse a filter from text, or build the same tree with the constructors;
// String prints the text form back.
func ExampleParse() {
	p, err := predicate.Parse("amount >= 100 AND customer NOT IN ('bob', 'cy') OR note IS NULL")
	if err != nil {
		panic(err)
	}
	fmt.Println(p)

	q := predicate.Or(
		predicate.And(predicate.GreaterOrEqual("amount", 100), predicate.NotIn("customer", "bob", "cy")),
		predicate.IsNull("note"))
	fmt.Println(q)

	_, err = predicate.Parse("amount >>= 1")
	fmt.Println(errors.Is(err, predicate.ErrSyntax))
	// Output:
	// (amount >= 100 AND customer NOT IN ('bob', 'cy')) OR note IS NULL
	// (amount >= 100 AND customer NOT IN ('bob', 'cy')) OR note IS NULL
	// true
}
