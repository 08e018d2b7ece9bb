package cli

import (
	"errors"
	"os"
	"sort"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/msgs"
	"github.com/minyi-survey/minyi/internal/store"
)

// Message is the text to print for an error that Run returned: the
// message with its field problems and, when it is safe to show, its cause
// (the line-numbered problems of a file, why an allocation failed), in the
// terminal's language (Lang). A cause that comes from a database driver is
// never printed: its text names constraints, columns and SQL, not what the
// user can change.
func Message(err error) string { return message(err, Lang()) }

func message(err error, lang string) string {
	if err == nil {
		return ""
	}
	say := func(s string) string { return msgs.Message(s, lang) }
	var e *apperr.Error
	if !errors.As(err, &e) {
		if store.IsDriverError(err) {
			return say("internal error")
		}
		return say(err.Error())
	}
	var b strings.Builder
	b.WriteString(say(e.Message))
	if e.Kind == apperr.Internal && store.IsDriverError(err) {
		b.WriteString(" (" + say("internal error") + ")")
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
			b.WriteString(k + ": " + say(e.Fields[k]))
		}
		b.WriteString(")")
	}
	if e.Err != nil && !store.IsDriverError(err) {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(message(e.Err, lang))
	}
	return b.String()
}

// Lang is the terminal's language: Chinese when LC_ALL, LC_MESSAGES or
// LANG (the first set, as the C library reads them) names zh, English
// otherwise.
func Lang() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if strings.HasPrefix(strings.ToLower(l), "zh") {
				return "zh-CN"
			}
			return "en"
		}
	}
	return "en"
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
