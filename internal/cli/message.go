package cli

import (
	"errors"
	"sort"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// Message is the text to print for an error that Run returned: the
// message with its field problems and, when it is safe to show, its cause
// (the line-numbered problems of a file, why an allocation failed). A cause
// that comes from a database driver is never printed: its text names
// constraints, columns and SQL, not what the user can change.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		if store.IsDriverError(err) {
			return "internal error"
		}
		return err.Error()
	}
	if !store.IsDriverError(err) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Kind == apperr.Internal {
		b.WriteString(" (internal error)")
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k + ": " + e.Fields[k])
		}
		b.WriteString(")")
	}
	return b.String()
}

// flagErrors renames the field errors of err after the command-line flags
// that set those fields (the name in rename, else "--" and the field with
// dashes: response_rate → --response-rate) under message; an error without
// field errors passes through.
func flagErrors(err error, message string, rename map[string]string) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		f, ok := rename[k]
		if !ok {
			f = "--" + strings.ReplaceAll(k, "_", "-")
		}
		out[f] = v
	}
	return apperr.WithFields(message, out)
}
