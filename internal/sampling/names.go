package sampling

import (
	"fmt"
	"slices"
	"strings"
)

// nameOf returns the name of an enumerated value, or Type(n) when unknown.
func nameOf[T ~int](names map[T]string, v T) string {
	if s, ok := names[v]; ok {
		return s
	}
	return fmt.Sprintf("%T(%d)", v, int(v))
}

func marshalName[T ~int](names map[T]string, v T) ([]byte, error) {
	if s, ok := names[v]; ok {
		return []byte(s), nil
	}
	return nil, errorf("cannot encode %T(%d)", v, int(v))
}

func unmarshalName[T ~int](names map[T]string, v *T, b []byte, what string) error {
	s := strings.TrimSpace(string(b))
	var all []string
	for k, name := range names {
		if strings.EqualFold(s, name) {
			*v = k
			return nil
		}
		all = append(all, name)
	}
	slices.Sort(all)
	return errorf("unknown %s %q (want %s)", what, s, strings.Join(all, ", "))
}
