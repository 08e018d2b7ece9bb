// Package apperr defines minyi's error kinds. Every error that crosses a
// package boundary towards a user (HTTP client or terminal) carries a Kind;
// the HTTP layer maps kinds to status codes in one place and the CLI maps
// them to exit codes. Details of internal errors are logged, never shown.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error for its audience.
type Kind int

// The kinds, in the order of the HTTP status they map to.
const (
	Internal        Kind = iota // a bug or an infrastructure failure; details are logged only
	Invalid                     // bad input: 400/422, exit code 2
	Unauthenticated             // no or expired session: 401
	Forbidden                   // authenticated but not allowed: 403
	NotFound                    // 404
	Conflict                    // state conflict, e.g. a duplicate or an already published version: 409
	TooLarge                    // request body too large: 413
	Unavailable                 // a dependency (the database) is not reachable: 503
	// Busy: the database gave up a write because of concurrent writers
	// (a deadlock, a serialization failure, SQLite busy) and nothing was
	// stored; sending the same request again is safe: 503 with Retry-After.
	Busy
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	NotFound:        "not_found",
	Conflict:        "conflict",
	TooLarge:        "too_large",
	Unavailable:     "unavailable",
	Busy:            "busy",
}

// String returns the stable machine-readable code of the kind, as used in
// JSON error bodies.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is an error with a kind, a message safe to show to the user, optional
// field-level messages (keyed by field name, e.g. a question code or a JSON
// field) and an optional wrapped cause that is never shown.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string
	// Details is optional structured data safe to show, e.g. the
	// line-numbered problems of an uploaded file.
	Details any
	// Code, when set, replaces the kind's name as the error's stable code
	// in an answer (e.g. "password_change_required", a Forbidden).
	Code string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
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
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(e.Fields[k])
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with a user-facing message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k that keeps err as its hidden cause.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: err}
}

// WithFields returns an Invalid error with field-level messages.
func WithFields(message string, fields map[string]string) *Error {
	return &Error{Kind: Invalid, Message: message, Fields: fields}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err has kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// PublicMessage is the message that may be shown to a user: the Message of
// the first *Error in the chain, or a generic text for anything else, so that
// driver and database error texts never leak.
func PublicMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Kind != Unavailable {
		return e.Message
	}
	if errors.As(err, &e) && e.Kind == Unavailable {
		return "service temporarily unavailable"
	}
	return "internal error"
}

// FieldsOf returns the field-level messages of err, if any.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// CodeOf returns the stable code err carries besides its kind, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// DetailsOf returns the structured details of err, if any.
func DetailsOf(err error) any {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
