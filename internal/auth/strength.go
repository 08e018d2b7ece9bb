package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// MinPasswordScore is the least zxcvbn score (0–4) a chosen password must
// have: 3 is "safely unguessable" against an online attack slowed as the
// login limits slow it (about 10⁸ guesses and more).
const MinPasswordScore = 3

// CheckPassword refuses a password a person chose that is too easy to
// guess: shorter than MinPasswordLen characters (counted as characters,
// not bytes: 一二三四 is four), longer than bcrypt takes (72 bytes),
// containing the account's name or display name, or scoring below
// MinPasswordScore by zxcvbn (Dropbox's estimator: common passwords and
// words from its lists, keyboard sequences such as qwertyuiop,
// 1234567890, repeats such as aaaaaaaaaa, dates, the personal names
// given). The answer is a field error on "password" that says why (in
// the reader's language: internal/msgs). Generated passwords need no check. The same rule
// serves every path that sets a chosen password (accounts.Create and
// ResetPassword, used by the command line and the API).
func CheckPassword(pw string, personal ...string) error {
	bad := func(why string) error { // said in the reader's language by the catalog (internal/msgs)
		return apperr.WithFields("password too weak", map[string]string{"password": why})
	}
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return bad("the password must be valid text")
	case n < MinPasswordLen:
		return bad(fmt.Sprintf("at least %d characters (this has %d)", MinPasswordLen, n))
	case len(pw) > 72:
		return bad("at most 72 bytes (about 24 Chinese characters)")
	}
	lower := strings.ToLower(pw)
	var inputs []string
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		// A Chinese name is two or three characters; a Latin one shorter
		// than three letters would match too many words.
		least := 3
		if len(p) != utf8.RuneCountInString(p) {
			least = 2
		}
		if utf8.RuneCountInString(p) >= least && strings.Contains(lower, p) {
			return bad("it must not contain the username or display name")
		}
		if p != "" {
			inputs = append(inputs, p)
		}
	}
	if r := zxcvbn.PasswordStrength(pw, inputs); r.Score < MinPasswordScore {
		return bad(fmt.Sprintf(
			"too easy to guess (strength %d of 4): common passwords, keyboard runs, repeated or sequential characters are refused; use a few unrelated words with digits", r.Score))
	}
	return nil
}
