package designcsv

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
)

const data = "street,community,w,fpc,know\n" +
	"A,a1,10,4,1\nA,a1,10,4,0\nA,a2,12,4,1\n" +
	"B,b1,8,0.5,1\nB,b1,8,0.5,1\n"

func run(t *testing.T, csv string, spec Spec) (*Result, error) {
	t.Helper()
	spec.Name = "test.csv"
	return Estimate(context.Background(), strings.NewReader(csv), &spec)
}

// TestTypedErrors: a stratum with one PSU and an unusable fpc are
// recognised with errors.Is and errors.As, and their messages name the
// line and column.
func TestTypedErrors(t *testing.T) {
	base := Spec{Strata: "street", Cluster: "community", Weight: "w", Vars: []string{"know"}}
	_, err := run(t, data, base)
	var lonely *stats.LonelyPSUError
	if !errors.Is(err, stats.ErrLonelyPSU) || !errors.As(err, &lonely) || lonely.Label != "B" || !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("lonely PSU: %v", err)
	}
	if msg := apperr.PublicMessage(err); !strings.Contains(msg, `line 5: column "street": stratum "B" has only one PSU`) {
		t.Fatalf("message %q", msg)
	}
	if errors.Is(err, stats.ErrFPC) {
		t.Fatal("a lonely PSU is an fpc error")
	}
	spec := base
	spec.LonelyPSU = stats.LonelyCertainty
	res, err := run(t, data, spec)
	if err != nil || len(res.Estimates) != 1 || res.Estimates[0].N != 5 {
		t.Fatalf("with certainty: %+v %v", res, err)
	}
	// Stratum A gives counts, B a fraction: mixed.
	spec.FPC = "fpc"
	_, err = run(t, data, spec)
	var fe *stats.FPCError
	if !errors.Is(err, stats.ErrFPC) || !errors.As(err, &fe) || fe.Label != "B" || errors.Is(err, stats.ErrLonelyPSU) {
		t.Fatalf("mixed fpc: %v", err)
	}
	if msg := apperr.PublicMessage(err); !strings.HasPrefix(msg, `column "fpc" (--fpc): fpc mixes population counts and sampling fractions`) {
		t.Fatalf("message %q", msg)
	}
}

func TestDomainsAndMissing(t *testing.T) {
	csv := "\ufeffstreet,community,w,know,age\nA,a1,1,1,old\nA,a2,1,NA,young\nB,b1,2,0,old\nB,b2,2,1,\n"
	res, err := run(t, csv, Spec{Strata: "street", Cluster: "community", Weight: "w", Vars: []string{"know"}, By: "age"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Domains, ",") != "old,young" || len(res.Estimates) != 3 || res.Estimates[0].N != 3 || res.Estimates[0].Kind != stats.Rate {
		t.Fatalf("%+v", res)
	}
	if _, err := run(t, "street,community,w,know\nA,a1,x,1\n", Spec{Strata: "street", Cluster: "community", Weight: "w", Vars: []string{"know"}}); err == nil ||
		!strings.Contains(err.Error(), `line 2: column "w": weight "x" is not a number`) {
		t.Fatalf("bad weight: %v", err)
	}
}
