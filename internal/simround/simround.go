// Package simround runs simulated fieldwork on a round in the field:
// simulated interviewers visit their households on simulated days and
// times of day, find people at home more often in the evening, meet
// refusals and households that are not eligible, see non-responding
// households replaced under the round's rule (a simulated supervisor
// approves when the rule asks for it), and interview respondents who
// answer from their household's true propensities (package simulate). A
// few respondents straight-line and one interviewer is too fast, so the
// quality checks have something to find.
//
// Everything goes through a Backend: the rounds service that the HTTP
// handlers call (ServiceBackend), or the API of a running server
// (HTTPBackend). Nothing is written to the database directly.
package simround

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
)

// Round is what the simulation needs to know of a round.
type Round struct {
	ID        int64
	Name      string
	Status    string
	Version   int // questionnaire version number, sent with each response
	Def       *questionnaire.Definition
	Simulated bool // the round's data are marked simulated
}

// Backend is the way in: the service or the API.
type Backend interface {
	// Round finds a round by name.
	Round(ctx context.Context, name string) (Round, error)
	// Assignments lists the round's assignments.
	Assignments(ctx context.Context, roundID int64) ([]store.Assignment, error)
	// Visit records a visit as the assignment's interviewer and returns
	// the assignment's new state.
	Visit(ctx context.Context, a store.Assignment, req rounds.VisitRequest) (store.Assignment, error)
	// Submit submits a response as the assignment's interviewer.
	Submit(ctx context.Context, a store.Assignment, req rounds.ResponseRequest) (rounds.SubmitResult, error)
	// Replace approves the replacement of a household, as its street's
	// supervisor.
	Replace(ctx context.Context, a store.Assignment) error
	// MarkSimulated marks the round's data as simulated, so that nobody
	// takes them for fieldwork.
	MarkSimulated(ctx context.Context, roundID int64) error
}

// Options shape the simulated fieldwork. Probabilities are in [0, 1].
type Options struct {
	Seed           uint64
	Contact        float64 // someone opens the door on a daytime visit
	EveningContact float64 // … on an evening visit
	Refusal        float64 // an eligible household, once contacted, refuses
	NotEligible    float64 // a household turns out not eligible
	Straightliners float64 // a respondent gives every satisfaction item the same answer
	RefuseAge      float64 // a respondent refuses the age group (拒答), a calibration variable
	Interviewers   int     // per street (used when staffing a round)
	Days           int     // simulated days of fieldwork
	Until          time.Time
	// Stop, when in (0, 1), ends the simulation once that share of the
	// assignments is final (the demo's round half done).
	Stop float64
	// Progress, if not nil, gets one line per simulated day.
	Progress io.Writer
	// Workers is how many interviewers work at the same time (in
	// goroutines); 0 means 1.
	Workers int
	// PreferEvening makes the first two attempts at a household evening
	// visits, as assessors do when they want people at home; daytime
	// sessions then go to households tried twice without success.
	PreferEvening bool
}

// DefaultOptions are the command's defaults.
func DefaultOptions() Options {
	return Options{Seed: 1, Contact: 0.55, EveningContact: 0.8, Refusal: 0.15, NotEligible: 0.05, Straightliners: 0.02, Interviewers: 3, Days: 10}
}

// Validate range-checks the options.
func (o Options) Validate() error {
	f := map[string]string{}
	for name, v := range map[string]float64{"contact": o.Contact, "evening-contact": o.EveningContact, "refusal": o.Refusal, "not-eligible": o.NotEligible,
		"straightliners": o.Straightliners, "refuse-age": o.RefuseAge, "stop": o.Stop} {
		if !(v >= 0 && v <= 1) {
			f[name] = "a probability from 0 to 1"
		}
	}
	if o.Contact == 0 && o.EveningContact == 0 {
		f["contact"] = "someone must be at home sometimes: contact or evening-contact above 0"
	}
	if o.Interviewers < 1 || o.Interviewers > 100 {
		f["interviewers"] = "from 1 to 100 per street"
	}
	if o.Days < 1 || o.Days > 366 {
		f["days"] = "from 1 to 366"
	}
	if len(f) > 0 {
		return apperr.WithFields("invalid simulation", f)
	}
	return nil
}

// Summary counts what the simulation recorded.
type Summary struct {
	Days         int `json:"days"`
	Visits       int `json:"visits"`
	Interviews   int `json:"interviews"`
	Refusals     int `json:"refusals"`
	NotEligible  int `json:"not_eligible"`
	NoOneHome    int `json:"no_one_home"`
	Appointments int `json:"appointments"`
	Replacements int `json:"replacements"`
	Flagged      int `json:"flagged"`
	Final        int `json:"final"`
	Assignments  int `json:"assignments"`
}

// tz is where the simulated days are local days.
var tz = mustZone(fieldwork.DefaultTimeZone)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Sessions of a working day, local time: minutes after midnight.
var sessions = []struct {
	from, to int
	evening  bool
}{
	{9 * 60, 11*60 + 30, false},
	{14 * 60, 17*60 + 30, false},
	{18*60 + 30, 21 * 60, true},
}

// household is the simulation's view of one assignment's household.
type household struct {
	a        store.Assignment
	fate     *rand.Rand // the household's own stream: who is home, who answers
	eligible bool
	refuses  bool
	appoint  bool // asks to come back on first contact
	screen   bool // not eligible found only in the interview (screening)
	flagged  bool // the interview got a quality flag
	replaced bool // a replacement was released or asked for
	visits   int
	evening  int
}

// Run simulates fieldwork on the named round until opts.Days days have
// passed, every assignment is final, or opts.Stop is reached. The model
// gives each household's residents and their propensities.
//
// Interviewers work side by side (as many at a time as opts.Workers), each
// on their own households with their own random stream, so the outcome
// does not depend on the order in which their calls reach the database:
// the same seed gives the same fieldwork.
func Run(ctx context.Context, b Backend, roundName string, model *simulate.Model, opts Options) (Summary, error) {
	var sum Summary
	if err := opts.Validate(); err != nil {
		return sum, err
	}
	r, err := b.Round(ctx, roundName)
	if err != nil {
		return sum, err
	}
	if r.Status != store.RoundFieldwork {
		return sum, apperr.New(apperr.Conflict, "round %q is %s: start it first (minyi round start)", r.Name, r.Status)
	}
	plan, err := simulate.Compile(r.Def, model)
	if err != nil {
		return sum, apperr.Wrap(apperr.Invalid, err, "questionnaire of round %q", r.Name)
	}
	if !r.Simulated { // before the first simulated answer goes in
		if err := b.MarkSimulated(ctx, r.ID); err != nil {
			return sum, err
		}
	}
	until := opts.Until
	if until.IsZero() {
		until = time.Now().In(tz).AddDate(0, 0, -1)
	}
	until = time.Date(until.Year(), until.Month(), until.Day(), 0, 0, 0, 0, tz)
	first := until.AddDate(0, 0, 1-opts.Days)
	workers := opts.Workers
	if workers < 1 {
		workers = 1
	}
	w := &worker{b: b, r: r, plan: plan, modelSeed: model.Seed, opts: opts, now: time.Now(),
		offsets: map[[2]string][]float64{}, streams: map[string]*rand.Rand{}}
	houses := map[int64]*household{}
	fast := "" // the fast interviewer: the first interviewer (by name) of the round
	for day := 0; day < opts.Days; day++ {
		date := first.AddDate(0, 0, day)
		as, err := b.Assignments(ctx, r.ID)
		if err != nil {
			return sum, err
		}
		byInterviewer := map[string][]*household{}
		own, ownFinal := map[string]int{}, map[string]int{} // each interviewer's households, and how many are final
		final := 0
		for _, a := range as {
			if a.Interviewer != "" && (fast == "" || a.Interviewer < fast) {
				fast = a.Interviewer
			}
			h := houses[a.ID]
			if h == nil {
				h = newHousehold(opts, a)
				houses[a.ID] = h
			}
			h.a = a
			if a.Status == string(fieldwork.StatusFinal) {
				final++
				continue
			}
			if a.Interviewer != "" {
				byInterviewer[a.Interviewer] = append(byInterviewer[a.Interviewer], h)
			}
		}
		sum.Assignments, sum.Final = len(as), final
		if final == len(as) || opts.Stop > 0 && float64(final) >= opts.Stop*float64(len(as)) {
			break
		}
		for _, a := range as {
			if a.Interviewer != "" {
				own[a.Interviewer]++
				if a.Status == string(fieldwork.StatusFinal) {
					ownFinal[a.Interviewer]++
				}
			}
		}
		names := make([]string, 0, len(byInterviewer))
		for n := range byInterviewer {
			names = append(names, n)
		}
		slices.Sort(names)
		tallies := make([]Summary, len(names))
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		for i, name := range names {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				tallies[i], errs[i] = w.day(ctx, date, name, name == fast, byInterviewer[name], own[name], ownFinal[name])
			}()
		}
		wg.Wait()
		var today Summary
		for i := range names {
			if errs[i] != nil {
				return sum, errs[i]
			}
			today.add(tallies[i])
		}
		sum.add(today)
		sum.Days++
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "day %2d %s: %4d visits, %4d interviews, %3d refusals; %d of %d households final before the day\n",
				day+1, date.Format(time.DateOnly), today.Visits, today.Interviews, today.Refusals, final, len(as))
		}
	}
	as, err := b.Assignments(ctx, r.ID)
	if err != nil {
		return sum, err
	}
	sum.Assignments, sum.Final = len(as), 0
	for _, a := range as {
		if a.Status == string(fieldwork.StatusFinal) {
			sum.Final++
		}
	}
	return sum, nil
}

// add adds the counts of a day's work.
func (s *Summary) add(o Summary) {
	s.Visits += o.Visits
	s.Interviews += o.Interviews
	s.Refusals += o.Refusals
	s.NotEligible += o.NotEligible
	s.NoOneHome += o.NoOneHome
	s.Appointments += o.Appointments
	s.Replacements += o.Replacements
	s.Flagged += o.Flagged
}

// worker holds what the interviewers share.
type worker struct {
	b         Backend
	r         Round
	plan      *simulate.Plan
	modelSeed uint64
	opts      Options
	now       time.Time

	mu      sync.Mutex
	offsets map[[2]string][]float64
	streams map[string]*rand.Rand
}

// stream returns an interviewer's own random stream (visit times, ids,
// durations).
func (w *worker) stream(name string) *rand.Rand {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.streams[name]
	if !ok {
		r = simulate.Stream(w.opts.Seed, 0x5349, uint64(w.r.ID), simulate.HashString(name)) // "SI"
		w.streams[name] = r
	}
	return r
}

func (w *worker) offsetsOf(a store.Assignment) []float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := [2]string{a.Street, a.Community}
	off, ok := w.offsets[key]
	if !ok {
		off = w.plan.Offsets(a.Street, a.Community)
		w.offsets[key] = off
	}
	return off
}

// day is one interviewer's working day: the households still open, each
// visited at most once, in the morning, afternoon and evening sessions.
//
// With opts.Stop, an interviewer stops once that share of their own
// households is final: the round ends about that far done, and each
// interviewer's work depends on nobody else's.
func (w *worker) day(ctx context.Context, date time.Time, name string, fast bool, list []*household, total, final int) (Summary, error) {
	var sum Summary
	rng := w.stream(name)
	slices.SortFunc(list, cmpHouse)
	queue := list
	for _, s := range sessions {
		clock := date.Add(time.Duration(s.from) * time.Minute)
		end := date.Add(time.Duration(s.to) * time.Minute)
		var later []*household
		for len(queue) > 0 && clock.Before(end) {
			if w.opts.Stop > 0 && float64(final) >= w.opts.Stop*float64(total) {
				return sum, nil
			}
			h := queue[0]
			queue = queue[1:]
			// Spread attempts over times of day: a household tried twice by
			// day waits for the evening (with PreferEvening, one not yet
			// tried twice in the evening waits for it).
			if !s.evening && (h.visits >= 2 && h.evening == 0 || w.opts.PreferEvening && h.evening < 2) {
				later = append(later, h)
				continue
			}
			at := clock.Add(time.Duration(rng.IntN(240)) * time.Second)
			if at.After(w.now.Add(-time.Minute)) {
				return sum, nil // the simulated day has reached the present
			}
			took, out, err := visit(ctx, w.b, w.r, w.plan, w.offsetsOf(h.a), w.modelSeed, w.opts, rng, h, at, s.evening, fast)
			if err != nil {
				return sum, err
			}
			h.visits++
			if s.evening {
				h.evening++
			}
			sum.Visits++
			switch out {
			case fieldwork.OutcomeInterview:
				sum.Interviews++
				if h.flagged {
					sum.Flagged++
					h.flagged = false
				}
			case fieldwork.OutcomeRefused:
				sum.Refusals++
			case fieldwork.OutcomeNoOneHome:
				sum.NoOneHome++
			case fieldwork.OutcomeAppointment:
				sum.Appointments++
			default:
				sum.NotEligible++
			}
			switch h.a.Replacement {
			case "due":
				if err := w.b.Replace(ctx, h.a); err == nil {
					sum.Replacements++
				} else if !apperr.Is(err, apperr.Conflict) {
					return sum, err
				}
			case "released":
				if !h.replaced {
					sum.Replacements++
				}
			}
			if h.a.Replacement != "" {
				h.replaced = true
			}
			if h.a.Status == string(fieldwork.StatusFinal) {
				final++
			}
			clock = at.Add(took)
		}
		queue = append(later, queue...)
	}
	return sum, nil
}

// cmpHouse orders an interviewer's households: appointments and the
// least-visited first, then by id, so that no household waits forever.
func cmpHouse(x, y *household) int {
	if x.visits != y.visits {
		return x.visits - y.visits
	}
	if x.a.ID < y.a.ID {
		return -1
	}
	if x.a.ID > y.a.ID {
		return 1
	}
	return 0
}

// newHousehold draws a household's fate from the seed and its address.
func newHousehold(opts Options, a store.Assignment) *household {
	r := simulate.Stream(opts.Seed, 0x4641, hashAddr(a)) // "FA"
	h := &household{a: a, fate: r}
	h.eligible = r.Float64() >= opts.NotEligible
	h.screen = r.Float64() < 0.3 // not eligible, found out by the screening questions
	h.refuses = r.Float64() < opts.Refusal
	h.appoint = r.Float64() < 0.12
	return h
}

func hashAddr(a store.Assignment) uint64 {
	return simulate.HashString(a.Street, a.Community, a.Building, a.Household)
}

// visit makes one visit and, when it is an interview, submits the
// response. It returns the time the visit took and its outcome.
func visit(ctx context.Context, b Backend, r Round, plan *simulate.Plan, off []float64, modelSeed uint64, opts Options,
	rng *rand.Rand, h *household, at time.Time, evening, fast bool) (time.Duration, fieldwork.Outcome, error) {
	p := opts.Contact
	if evening {
		p = opts.EveningContact
	}
	out := fieldwork.OutcomeNoOneHome
	screenOut := false
	if h.fate.Float64() < p {
		switch {
		case !h.eligible && !h.screen:
			out = []fieldwork.Outcome{fieldwork.OutcomeVacant, fieldwork.OutcomeNoAdult, fieldwork.OutcomeShortResidence}[h.fate.IntN(3)]
		case h.refuses:
			out = fieldwork.OutcomeRefused
		case h.appoint && h.a.LastOutcome != string(fieldwork.OutcomeAppointment):
			out = fieldwork.OutcomeAppointment
		default:
			out = fieldwork.OutcomeInterview
			screenOut = !h.eligible
		}
	}
	req := rounds.VisitRequest{ClientID: uuid(rng), AssignmentID: h.a.ID, AttemptedAt: at, Outcome: string(out), GPS: gps(rng, h.a)}
	if out == fieldwork.OutcomeAppointment {
		ap := at.AddDate(0, 0, 1)
		req.AppointmentAt = &ap
	}
	a, err := b.Visit(ctx, h.a, req)
	if err != nil {
		return 0, out, fmt.Errorf("visit to %s %s%s: %w", h.a.Community, h.a.Building, h.a.Household, err)
	}
	h.a = a
	if out != fieldwork.OutcomeInterview {
		return time.Duration(3+rng.IntN(5)) * time.Minute, out, nil
	}
	residents := simulate.Residents(modelSeed, h.a.Street, h.a.Community, h.a.Building, h.a.Household)
	var adults []simulate.Person
	for _, p := range residents {
		if p.Adult() {
			adults = append(adults, p)
		}
	}
	who := simulate.Respondent{Person: adults[h.fate.IntN(len(adults))], NotEligible: screenOut, StraightLiner: h.fate.Float64() < opts.Straightliners,
		Adults: len(adults)}
	if opts.RefuseAge > 0 {
		// A stream of its own, so that the other answers of a seed stay
		// the same whatever the share of refusals.
		who.RefusesAge = simulate.Stream(opts.Seed, 0x4147, hashAddr(h.a)).Float64() < opts.RefuseAge // "AG"
	}
	answers, err := plan.Respond(h.fate, off, who)
	if err != nil {
		return 0, out, err
	}
	raw, err := answersJSON(answers)
	if err != nil {
		return 0, out, err
	}
	dur := time.Duration(9*60+rng.IntN(8*60)) * time.Second
	if screenOut {
		dur = time.Duration(60+rng.IntN(60)) * time.Second
	} else if fast {
		dur = time.Duration(70+rng.IntN(60)) * time.Second // under the 10 s a question the checks expect
	}
	start := at.Add(time.Minute)
	done := start.Add(dur)
	res, err := b.Submit(ctx, h.a, rounds.ResponseRequest{
		ClientID: uuid(rng), AssignmentID: h.a.ID, QuestionnaireVersion: r.Version, Answers: raw,
		StartedAt: &start, CompletedAt: &done, DeviceID: "sim-" + h.a.Interviewer, AppVersion: "minyi-simulate",
		// The position goes with the visit: a response without one
		// spares the database the community's points on every submission.
	})
	if err != nil {
		return 0, out, fmt.Errorf("interview at %s %s%s: %w", h.a.Community, h.a.Building, h.a.Household, err)
	}
	if len(res.Flags) > 0 {
		h.flagged = true
	}
	return done.Sub(at) + 5*time.Minute, out, nil
}

// uuid returns a version 4 UUID from the stream, so that a rerun with the
// same seed resends the same ids (and is recognised as a resend).
func uuid(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		x := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(x >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// gps is a position near the community's centre (a county town at about
// 30.5° N, 114.3° E), within some 150 m.
func gps(r *rand.Rand, a store.Assignment) *rounds.GPS {
	c := simulate.Stream(0, simulate.HashString(a.Street, a.Community))
	lat := 30.45 + 0.1*c.Float64() + (r.Float64()-0.5)*0.0025
	lon := 114.25 + 0.1*c.Float64() + (r.Float64()-0.5)*0.003
	acc := float64(5 + r.IntN(20))
	return &rounds.GPS{Lat: lat, Lon: lon, AccuracyM: &acc}
}
