// Package textcheck holds minyi's rules for text that comes from outside:
// what any text may contain (valid UTF-8, no control characters but tab and
// newline), how names that identify things are normalised and compared
// (NFC, no bidirectional overrides, case-insensitive), and which characters
// a name that appears in a URL may use. Every boundary (HTTP middleware and
// JSON decoding, the register reader, the questionnaire loader, CLI flags)
// applies these rules once, so that text a database would refuse (a NUL
// byte on PostgreSQL) or store silently (on SQLite) never reaches the store.
package textcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Problem messages, shared by every boundary so that the API, the CLI and
// import reports say the same thing.
const (
	MsgInvalidUTF8 = "is not valid UTF-8 text"
	MsgControl     = "contains a control character (only tab and line breaks are allowed)"
	MsgBidi        = "contains a bidirectional override character (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)"
)

// Field returns "" when s is acceptable text (a form value, a query
// parameter, a path segment, a JSON string, a CLI flag, a register cell, a
// questionnaire scalar): valid UTF-8 without control characters other than
// tab, newline and carriage return (files and text areas end lines with
// CRLF). Otherwise it returns what is wrong, as one of the Msg constants.
func Field(s string) string {
	if !utf8.ValidString(s) { // the standard library's fast path
		return MsgInvalidUTF8
	}
	// Valid UTF-8: the C0 controls and DEL are single bytes, the C1
	// controls (U+0080–U+009F) are 0xC2 followed by 0x80–0x9F, and no other
	// sequence contains these bytes, so a byte scan finds them all.
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r', c == 0x7f:
			return MsgControl
		case c == 0xc2 && i+1 < len(s) && s[i+1] <= 0x9f:
			return MsgControl
		}
	}
	return ""
}

// isBidi reports whether r is a bidirectional formatting character that can
// make a name look like another one: the embeddings and overrides
// (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (U+200E,
// U+200F, U+061C).
func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// Name normalises a name that identifies something (a username, a street,
// community, sample, round or questionnaire name): it must be acceptable
// text (Field) without line breaks or tabs and without bidirectional
// formatting characters; it is returned trimmed of surrounding white space
// and in Unicode normalisation form C, so that the same name typed on two
// keyboards is stored the same way. Compare normalised names with Fold.
func Name(s string) (string, error) {
	if msg := Field(s); msg != "" {
		return "", errors.New(msg)
	}
	if strings.ContainsAny(s, "\t\n\r") {
		return "", errors.New(MsgControl)
	}
	if strings.ContainsFunc(s, isBidi) {
		return "", errors.New(MsgBidi)
	}
	return norm.NFC.String(strings.TrimSpace(s)), nil
}

// Fold is the key two names are compared by: NFC and simple Unicode case
// folding, so that "ADMIN" and "admin" are the same name.
func Fold(s string) string {
	return strings.ToLower(norm.NFC.String(s))
}

// MaxPathName is the length limit of a name used in a URL, in characters.
const MaxPathName = 100

// PathNameRule states the character set of names used in URLs, for error
// messages and documentation.
const PathNameRule = "1–100 characters: letters of any script, digits, spaces and - _ . ( ) （ ） ·, not starting with a dot"

// PathName checks a name that appears in a URL path (a sample name): after
// Name, it must have 1 to MaxPathName characters from letters of any script
// (with their combining marks), digits, space and - _ . ( ) （ ） ·, and
// must not start with a dot. It returns the normalised name.
func PathName(s string) (string, error) {
	n, err := Name(s)
	if err != nil {
		return "", err
	}
	if n == "" || utf8.RuneCountInString(n) > MaxPathName || n[0] == '.' {
		return "", errors.New(PathNameRule)
	}
	for i, r := range n {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', strings.ContainsRune("-_.()（）·", r):
		case unicode.IsMark(r) && i > 0:
		default:
			return "", fmt.Errorf("%q is not allowed: %s", r, PathNameRule)
		}
	}
	return n, nil
}

// JSON checks every string (keys and values) of a JSON document: its raw
// bytes must be valid UTF-8 and its decoded value acceptable by Field. It
// returns the path of the first bad string ("name", "priors.南湖",
// "items[2]", "" for the document as a whole) and the problem, or "", ""
// when all is well or the document is not valid JSON (the decoder that
// follows reports that).
func JSON(raw []byte) (path, problem string) {
	if !utf8.Valid(raw) {
		// Find the string the invalid bytes are in, for the field name.
		p, _ := walkJSON(raw, func(rawTok []byte, _ string) string {
			if !utf8.Valid(rawTok) {
				return MsgInvalidUTF8
			}
			return ""
		})
		return p, MsgInvalidUTF8
	}
	return walkJSON(raw, func(_ []byte, s string) string { return Field(s) })
}

// walkJSON calls bad on every string token of raw with the raw bytes the
// token came from, and returns the path of the first one bad objects to.
func walkJSON(raw []byte, bad func(rawTok []byte, s string) string) (string, string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type frame struct {
		object bool
		key    string
		index  int
		// wantKey is set in an object when the next string is a key.
		wantKey bool
	}
	var stack []frame
	path := func(leaf string) string {
		var b strings.Builder
		for _, f := range stack {
			if f.object && f.wantKey { // at a key: the leaf names it
				continue
			}
			if f.object {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		if leaf != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(leaf)
		}
		return b.String()
	}
	// after a value in the current container, advance it.
	next := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	var prev int64
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", ""
		}
		if err != nil {
			return "", ""
		}
		off := dec.InputOffset()
		rawTok := raw[prev:off]
		prev = off
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				next()
			}
		case string:
			n := len(stack)
			if n > 0 && stack[n-1].object && stack[n-1].wantKey {
				if msg := bad(rawTok, t); msg != "" {
					return path(t), msg
				}
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			if msg := bad(rawTok, t); msg != "" {
				return path(""), msg
			}
			next()
		default:
			next()
		}
	}
}
