// Package draw draws a stored sample from a stored frame: it loads the
// frame's households, allocates the sample to streets, runs a design of
// package sampling and stores every drawn household with its inclusion
// probabilities, base weight, stratum and PSU. The seed and the frame
// version, both recorded, determine the sample exactly.
package draw

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// Spec is what a sample draw needs. The zero values of optional fields
// pick the defaults documented on each.
type Spec struct {
	Name         string `json:"name"`
	FrameVersion int    `json:"frame_version"` // 0 = the newest frame
	// Design is "stratified-srs" (households by SRS in each street) or
	// "two-stage" (communities by PPS, then households by SRS).
	Design string `json:"design"`
	// N is the main sample, in households, for all streets together.
	N int `json:"n"`
	// Allocation splits N between streets: equal, proportional (default),
	// neyman or minimum.
	Allocation string `json:"allocation"`
	// MinPerStreet is a lower bound on every street's n (the n its own
	// estimate needs; see 'minyi sample size').
	MinPerStreet int `json:"min_per_street,omitempty"`
	// Priors are anticipated rates by street name, for Neyman allocation.
	Priors map[string]float64 `json:"priors,omitempty"`
	// PerCommunity is m, the households drawn in each selected community
	// (two-stage only; default 20).
	PerCommunity int `json:"per_community,omitempty"`
	// Reserves are drawn per street (SRS) or per selected community
	// (two-stage), released later one by one.
	Reserves int `json:"reserves,omitempty"`
	// Order of communities in the systematic PPS pass: random (default) or
	// sorted.
	Order string `json:"order,omitempty"`
	// Seed fixes the draw; 0 picks a random seed, which is recorded.
	Seed uint64 `json:"seed,string,omitempty"`
	// Exact (two-stage) takes exactly each street's allocation: the last
	// selected community of a street gives fewer than PerCommunity
	// households. Without it every selected community gives PerCommunity,
	// so a street's sample is rounded up to a multiple of it.
	Exact bool `json:"exact,omitempty"`
}

// StreetResult reports one street of a drawn sample.
type StreetResult struct {
	Street     string                 `json:"street"`
	Allocation sampling.Allocation    `json:"allocation"`
	Result     sampling.StratumResult `json:"result"`
}

// Result is a stored sample and what was drawn in each street.
type Result struct {
	Sample  store.Sample   `json:"sample"`
	Streets []StreetResult `json:"streets"`
	// Notes explain a main sample of another size than asked for.
	Notes []string `json:"notes,omitempty"`
}

// design is what is stored as the sample's design: the spec, resolved.
type design struct {
	Spec    Spec           `json:"spec"`
	Streets []StreetResult `json:"streets"`
}

// validate checks the spec, naming each bad field. Empty design,
// allocation and order take the defaults (a Spec built in Go); numbers are
// never replaced: user input comes through Request.Spec, which fills
// only what was left out.
func (s *Spec) validate(named bool) (sampling.Method, sampling.Order, error) {
	f := map[string]string{}
	name, err := textcheck.PathName(s.Name)
	if err != nil && named {
		f["name"] = err.Error()
		if !strings.Contains(err.Error(), textcheck.PathNameRule) {
			f["name"] += "; a sample name has " + textcheck.PathNameRule
		}
	}
	s.Name = name
	if s.Design == "" {
		s.Design = DefaultDesign
	}
	switch s.Design {
	case "stratified-srs", "srs":
		s.Design = "stratified-srs"
	case "two-stage":
		if s.PerCommunity < 1 || s.PerCommunity > MaxPerCommunity {
			f["per_community"] = "a whole number from 1 to 10000"
		}
	default:
		f["design"] = "stratified-srs or two-stage"
	}
	if s.N < 1 || s.N > MaxHouseholds {
		f["n"] = "a whole number from 1 to 10000000"
	}
	if s.FrameVersion < 0 {
		f["frame_version"] = "a frame version, 1 or more (0: the newest)"
	}
	if s.Allocation == "" {
		s.Allocation = DefaultAllocation
	}
	method, err := sampling.ParseMethod(s.Allocation)
	if err != nil {
		f["allocation"] = err.Error()
	}
	if s.MinPerStreet < 0 || s.MinPerStreet > MaxHouseholds {
		f["min_per_street"] = "a whole number from 0 to 10000000"
	}
	if s.Reserves < 0 || s.Reserves > MaxReserves {
		f["reserves"] = "a whole number from 0 to 10000"
	}
	if len(s.Priors) > 0 {
		priors := make(map[string]float64, len(s.Priors))
		for street, p := range s.Priors {
			n, err := textcheck.Name(street)
			switch {
			case err != nil:
				f["priors"] = fmt.Sprintf("street %q %v", street, err)
			case !(p > 0 && p < 1):
				f["priors"] = fmt.Sprintf("the rate of %s must be between 0 and 1 (exclusive)", n)
			}
			priors[n] = p
		}
		s.Priors = priors
	}
	var order sampling.Order
	if s.Order == "" {
		s.Order = DefaultOrder
	}
	if err := order.UnmarshalText([]byte(s.Order)); err != nil {
		f["order"] = err.Error()
	}
	if len(f) > 0 {
		return 0, 0, apperr.WithFields("invalid sample specification", f)
	}
	if s.Seed == 0 {
		var b [8]byte
		rand.Read(b[:])
		s.Seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	return method, order, nil
}

// allocation is the first step of a draw, shared by Draw and Preview: the
// frame's households, the streets' names and every street's n_h.
type allocation struct {
	frame  store.Frame
	hh     []store.FrameUnit
	units  []sampling.Unit
	info   []sampling.Info
	strata []sampling.Stratum
	names  map[int32]string
	alloc  sampling.Allocations
}

// allocate loads spec's frame and allocates spec.N to its streets with
// method, as the draw does.
func allocate(ctx context.Context, db *store.DB, spec *Spec, method sampling.Method) (allocation, error) {
	var a allocation
	fr, err := db.FrameByVersion(ctx, spec.FrameVersion)
	if err != nil {
		return a, err
	}
	spec.FrameVersion = fr.Version
	a.frame = fr
	hh, err := db.FrameUnits(ctx, fr.ID)
	if err != nil {
		return a, err
	}
	a.hh = hh
	a.units = make([]sampling.Unit, len(hh))
	for i, h := range hh {
		if h.StreetID > math.MaxInt32 || h.CommunityID > math.MaxInt32 {
			return a, apperr.New(apperr.Internal, "street or community id beyond 2³¹")
		}
		a.units[i] = sampling.Unit{Stratum: int32(h.StreetID), PSU: int32(h.CommunityID)}
	}
	if a.names, err = streetNames(ctx, db); err != nil {
		return a, err
	}
	if a.info, err = sampling.Describe(a.units); err != nil {
		return a, apperr.Wrap(apperr.Invalid, err, "frame version %d", fr.Version)
	}
	a.strata = sampling.Strata(a.info)
	byName := map[string]int32{}
	for _, st := range a.strata {
		byName[a.names[st.ID]] = st.ID
	}
	for street := range spec.Priors {
		if _, ok := byName[street]; !ok {
			return a, apperr.WithFields("invalid sample specification", map[string]string{"priors": fmt.Sprintf("street %q is not in frame version %d", street, fr.Version)})
		}
	}
	for i := range a.strata {
		a.strata[i].Prior = spec.Priors[a.names[a.strata[i].ID]]
		a.strata[i].Min = spec.MinPerStreet
	}
	if a.alloc, err = sampling.Allocate(spec.N, a.strata, method); err != nil {
		return a, apperr.Wrap(apperr.Invalid, err, "cannot allocate %d households", spec.N)
	}
	return a, nil
}

// Draw draws and stores a sample as spec says, audited (sample.draw) as by's
// in the transaction that stores it.
func Draw(ctx context.Context, db *store.DB, spec Spec, by store.Actor) (Result, error) {
	method, order, err := spec.validate(true)
	if err != nil {
		return Result{}, err
	}
	a, err := allocate(ctx, db, &spec, method)
	if err != nil {
		return Result{}, err
	}
	fr, hh, units, strata, names, alloc := a.frame, a.hh, a.units, a.strata, a.names, a.alloc
	var d sampling.Design
	if spec.Design == "two-stage" {
		ts := sampling.TwoStage{Seed: spec.Seed, PSUs: alloc.PSUs(spec.PerCommunity), PerPSU: spec.PerCommunity, ReservesPerPSU: spec.Reserves, Order: order}
		if spec.Exact {
			ts.Exact = alloc.Sizes()
		}
		d = ts
	} else {
		reserves := map[int32]int{}
		for _, st := range strata {
			reserves[st.ID] = spec.Reserves
		}
		d = sampling.StratifiedSRS{Seed: spec.Seed, Sizes: alloc.Sizes(), Reserves: reserves}
	}
	smp, err := d.Draw(units)
	if err != nil {
		return Result{}, apperr.Wrap(apperr.Invalid, err, "cannot draw the sample")
	}

	streets := make([]StreetResult, 0, len(smp.Strata))
	allocOf := map[int32]sampling.Allocation{}
	for _, a := range alloc {
		allocOf[a.Stratum] = a
	}
	for _, r := range smp.Strata {
		streets = append(streets, StreetResult{Street: names[r.Stratum], Allocation: allocOf[r.Stratum], Result: r})
	}
	designJSON, err := json.Marshal(design{Spec: spec, Streets: streets})
	if err != nil {
		return Result{}, apperr.Wrap(apperr.Internal, err, "encode design")
	}
	in := make([]store.SampleUnitIn, len(smp.Selections))
	for i, s := range smp.Selections {
		h := hh[s.Unit]
		psu := h.CommunityID
		if smp.Kind == sampling.KindStratifiedSRS {
			psu = h.ID // the household is its own PSU
		}
		in[i] = store.SampleUnitIn{
			HouseholdID: h.ID, StreetID: h.StreetID, CommunityID: h.CommunityID, PSU: psu,
			Prob1: s.Pi1, Prob2: s.Pi2, Prob: s.Pi, Weight: s.Weight, ReserveRank: s.Reserve,
		}
	}
	if _, err := db.CreateSample(ctx, store.NewSample{
		Name: spec.Name, FrameID: fr.ID, Kind: smp.Kind.String(), Design: string(designJSON),
		Seed: spec.Seed, By: by, Units: in,
	}); err != nil {
		return Result{}, err
	}
	stored, err := db.SampleByName(ctx, spec.Name)
	return Result{Sample: stored, Streets: streets, Notes: sizeNotes(spec, smp.MainSize())}, err
}

// sizeNotes explains a main sample of another size than spec.N.
func sizeNotes(spec Spec, drawn int) []string {
	switch {
	case drawn > spec.N:
		return []string{fmt.Sprintf("drew %d households, %d more than n = %d: a two-stage sample takes %d households in each selected "+
			"community and ⌈n_h/%d⌉ communities in each street, so every street's share is rounded up to a multiple of %d; "+
			"ask for an exact sample (--exact, \"exact\": true) to take fewer households in the last community of each street",
			drawn, drawn-spec.N, spec.N, spec.PerCommunity, spec.PerCommunity, spec.PerCommunity)}
	case drawn < spec.N:
		return []string{fmt.Sprintf("drew %d households, %d fewer than n = %d: some streets or communities have fewer households than asked for",
			drawn, spec.N-drawn, spec.N)}
	}
	return nil
}

func streetNames(ctx context.Context, db *store.DB) (map[int32]string, error) {
	ss, err := db.Streets(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int32]string, len(ss))
	for _, s := range ss {
		m[int32(s.ID)] = s.Name
	}
	return m, nil
}

// Streets returns the per-street results stored with a sample.
func Streets(s store.Sample) ([]StreetResult, Spec, error) {
	var d design
	if err := json.Unmarshal([]byte(s.Design), &d); err != nil {
		return nil, Spec{}, apperr.Wrap(apperr.Internal, err, "decode design of sample %q", s.Name)
	}
	return d.Streets, d.Spec, nil
}
