package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindsAndMessages(t *testing.T) {
	secret := errors.New("pq: password authentication failed for user \"minyi\"")
	tests := []struct {
		err     error
		kind    Kind
		public  string
		message string
	}{
		{New(Invalid, "bad %s", "input"), Invalid, "bad input", "bad input"},
		{Wrap(NotFound, secret, "round 3 not found"), NotFound, "round 3 not found", "round 3 not found: " + secret.Error()},
		{fmt.Errorf("loading: %w", Wrap(Conflict, secret, "already published")), Conflict, "already published", "loading: already published: " + secret.Error()},
		{Wrap(Internal, secret, "load users"), Internal, "internal error", "load users: " + secret.Error()},
		{Wrap(Unavailable, secret, "db down"), Unavailable, "service temporarily unavailable", "db down: " + secret.Error()},
		{Wrap(Busy, secret, "the database is busy: nothing was stored; send it again"), Busy, "the database is busy: nothing was stored; send it again",
			"the database is busy: nothing was stored; send it again: " + secret.Error()},
		{secret, Internal, "internal error", secret.Error()},
		{WithFields("invalid response", map[string]string{"B1": "required", "A1": "out of range"}), Invalid, "invalid response", "invalid response (A1: out of range; B1: required)"},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.kind {
			t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.kind)
		}
		if got := PublicMessage(tt.err); got != tt.public {
			t.Errorf("PublicMessage(%v) = %q, want %q", tt.err, got, tt.public)
		}
		if got := tt.err.Error(); got != tt.message {
			t.Errorf("Error() = %q, want %q", got, tt.message)
		}
	}
	if !errors.Is(Wrap(Internal, secret, "x"), secret) {
		t.Error("Wrap must keep the cause for errors.Is")
	}
	if Is(nil, Internal) {
		t.Error("nil is no kind")
	}
	if f := FieldsOf(WithFields("x", map[string]string{"n": "required"})); f["n"] != "required" {
		t.Errorf("FieldsOf = %v", f)
	}
	if d := DetailsOf(&Error{Kind: Invalid, Details: []int{3}}); d == nil {
		t.Error("DetailsOf lost the details")
	}
	for k := Internal; k <= Busy; k++ {
		if k.String() == "" || (k != Internal && k.String() == "internal") {
			t.Errorf("kind %d has no code", k)
		}
	}
}
