package stats

import (
	"errors"
	"fmt"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The kinds of design error a caller may recover from, checked with
// errors.Is; errors.As gives the stratum (LonelyPSUError, FPCError). The
// errors are wrapped in apperr Invalid errors, so they still answer 422
// with their message.
var (
	// ErrLonelyPSU: a stratum has one PSU and the policy is LonelyFail.
	ErrLonelyPSU = errors.New("stratum with only one PSU")
	// ErrFPC: the fpc given cannot be used.
	ErrFPC = errors.New("unusable fpc")
)

// LonelyPSUError is a stratum with only one PSU under LonelyFail (R's
// survey.lonely.psu = "fail").
type LonelyPSUError struct {
	Stratum int    // index into Design.Strata
	Label   string // its label
}

func (e *LonelyPSUError) Error() string {
	return "stratum " + e.Label + " has only one PSU"
}

// Is makes errors.Is(err, ErrLonelyPSU) hold.
func (e *LonelyPSUError) Is(target error) bool { return target == ErrLonelyPSU }

// FPCError is an fpc that cannot be used: negative, mixing counts and
// fractions, more than 100 % sampling, or not one value per stratum.
type FPCError struct {
	Stratum int // index into Design.Strata; -1 when the fpc as a whole is wrong
	Label   string
	Reason  string
}

func (e *FPCError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrFPC) hold.
func (e *FPCError) Is(target error) bool { return target == ErrFPC }

// lonelyError is the Invalid error of a lonely PSU in stratum h.
func (d *Design) lonelyError(h int, advice string) error {
	e := apperr.Wrap(apperr.Invalid, &LonelyPSUError{Stratum: h, Label: d.label(h)}, "stratum %s has only one PSU%s", d.label(h), advice)
	e.Fields = map[string]string{"stratum": d.label(h)}
	return e
}

// fpcError is the Invalid error of an unusable fpc.
func (d *Design) fpcError(h int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	label := ""
	if h >= 0 {
		label = d.label(h)
	}
	return apperr.Wrap(apperr.Invalid, &FPCError{Stratum: h, Label: label, Reason: msg}, "%s", msg)
}
