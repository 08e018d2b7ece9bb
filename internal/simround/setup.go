package simround

import (
	"bytes"
	"context"

	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// District puts a simulated district's frame into the database through
// the frame import (as minyi frame import does) and installs the shipped
// questionnaires if they are not there yet.
func District(ctx context.Context, db *store.DB, d *simulate.District, by store.Actor) (store.Frame, error) {
	var buf bytes.Buffer
	if err := d.WriteFrame(&buf); err != nil {
		return store.Frame{}, err
	}
	fr, err := frameload.Import(ctx, db, &buf, "simulated-district.csv", frame.Options{}, by)
	if err != nil {
		return fr, err
	}
	if _, err := survey.EnsureShipped(ctx, db); err != nil {
		return fr, err
	}
	return fr, nil
}

// RoundSpec is a round to draw, create and start: a two-stage sample of N
// households, PerCommunity per community with Reserves reserves each,
// proportional to street size.
type RoundSpec struct {
	Name, Sample, Questionnaire, Kind string
	N, PerCommunity, Reserves         int
	Seed                              uint64
	Rule                              []byte // JSON; nil for the defaults
}

// StartRound draws the sample and creates and starts the round, through
// the same functions as the CLI and the API, as caller.
func StartRound(ctx context.Context, db *store.DB, svc *rounds.Service, c rounds.Caller, spec RoundSpec) (store.RoundInfo, error) {
	if _, err := draw.Draw(ctx, db, draw.Spec{
		Name: spec.Sample, Design: "two-stage", N: spec.N, Allocation: "proportional",
		PerCommunity: spec.PerCommunity, Reserves: spec.Reserves, Seed: spec.Seed,
	}, c.Actor); err != nil {
		return store.RoundInfo{}, err
	}
	r, err := svc.Create(ctx, c, rounds.CreateSpec{Name: spec.Name, Questionnaire: spec.Questionnaire, Sample: spec.Sample, Kind: spec.Kind, Rule: spec.Rule, Simulated: true})
	if err != nil {
		return r, err
	}
	return svc.SetState(ctx, c, r.ID, "start")
}
