package predicate

import (
	"errors"
	"fmt"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func errorf(format string, args ...any) error { return errors.New(fmt.Sprintf(format, args...)) }
