package fieldwork

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// Quality holds the thresholds of the quality checks run when a response is
// submitted. A flag does not reject a response; it marks it for a
// supervisor's review.
type Quality struct {
	// MinDurationSeconds is the shortest plausible interview; 0..86400. The
	// default 0 derives it from the response: 10 s per answered question.
	MinDurationSeconds int `json:"min_duration_seconds" yaml:"min_duration_seconds"`
	// GPSMaxMeters is how far an interview may lie from the median position
	// of the community's other interviews; 10..100000, default 500.
	GPSMaxMeters float64 `json:"gps_max_meters" yaml:"gps_max_meters"`
	// StraightLineItems: when at least this many satisfaction items are
	// answered and all with the same code, the response is flagged; 2..200,
	// default 4.
	StraightLineItems int `json:"straight_line_items" yaml:"straight_line_items"`
}

// Flag is one quality concern about a response: a stable code and a plain
// English detail for the supervisor.
type Flag struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// The flag codes, in the order Check returns them.
const (
	FlagTooFast         = "too_fast"         // shorter than the minimum duration, or ended before it started
	FlagStraightLining  = "straight_lining"  // every satisfaction item answered with the same code
	FlagGPSFar          = "gps_far"          // far from the community's other interviews
	FlagOverlap         = "overlap"          // overlaps another interview of the same interviewer
	FlagRepeatedPattern = "repeated_pattern" // same answers as another interview of the same interviewer
)

// The fixed parameters of the checks.
const (
	secondsPerAnswer   = 10               // derived minimum duration per answered question
	minCommunityPoints = 3                // gps_far needs this many other interviews
	overlapTolerance   = 60 * time.Second // clocks of two tablets may differ a little
	minPatternItems    = 5                // a shorter pattern repeats by chance
)

// Point is a GPS position in decimal degrees (WGS 84).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// valid reports whether p is a position on Earth.
func (p Point) valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// earthRadius is the mean radius of the Earth in metres (IUGG R1 of
// WGS 84), the usual radius for the haversine formula.
const earthRadius = 6371008.8

// Distance returns the great-circle distance between a and b in metres, by
// the haversine formula on a sphere of radius 6 371 008.8 m. It is within
// about 0.5 % of the ellipsoidal distance, far better than a tablet's GPS.
func Distance(a, b Point) float64 {
	rad := math.Pi / 180
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dφ, dλ := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(min(h, 1)))
}

// Submission is a response being submitted, as the quality checks see it.
type Submission struct {
	// Started and Completed are the tablet's times of the interview; either
	// zero means unknown, and then too_fast and overlap are not checked.
	Started, Completed time.Time
	Answers            questionnaire.Response
	GPS                *Point // nil if the tablet had no fix
	// Pattern is PatternHash of the answers; Check computes it when empty.
	Pattern string
}

// Peer is another accepted response of the same interviewer.
type Peer struct {
	ResponseID         int64
	Started, Completed time.Time
	Pattern            string
}

// Context is what Check compares a submission with.
type Context struct {
	Peers           []Peer  // the interviewer's other accepted responses in the same round
	CommunityPoints []Point // GPS of the other accepted interviews in the same community
}

// Check runs the quality checks on a submission and returns its flags in
// the order of the Flag… constants, at most one per code (never nil):
//
//   - too_fast: Completed − Started is below the minimum duration
//     (q.MinDurationSeconds, or when that is 0, 10 s per answered
//     question), or negative (completed before started: a clock problem).
//   - straight_lining: at least q.StraightLineItems questions of type
//     satisfaction are answered, all with the same code.
//   - gps_far: with a GPS fix and at least 3 community points, the fix is
//     more than q.GPSMaxMeters from the component-wise median of the points.
//   - overlap: the interview's time span shares more than 60 s with a peer's.
//   - repeated_pattern: a peer has the same answer pattern, and the pattern
//     covers at least 5 answered questions (free text aside).
//
// A zero GPSMaxMeters or StraightLineItems (a Quality not from DefaultRule or
// ParseRule) takes its default. Positions off the globe are ignored.
func Check(q Quality, def *questionnaire.Definition, s Submission, ctx Context) []Flag {
	flags := []Flag{}
	add := func(code, format string, args ...any) {
		flags = append(flags, Flag{Code: code, Detail: fmt.Sprintf(format, args...)})
	}
	d := defaults(q)

	if detail := tooFast(d, def, s); detail != "" {
		add(FlagTooFast, "%s", detail)
	}
	if n, code, ok := straightLine(def, s.Answers); ok && n >= d.StraightLineItems {
		add(FlagStraightLining, "all %d satisfaction items answered with code %d", n, code)
	}
	if s.GPS != nil && s.GPS.valid() {
		var pts []Point
		for _, p := range ctx.CommunityPoints {
			if p.valid() {
				pts = append(pts, p)
			}
		}
		if len(pts) >= minCommunityPoints {
			if dist := Distance(*s.GPS, median(pts)); dist > d.GPSMaxMeters {
				add(FlagGPSFar, "%s from the median position of the %d other interviews in the community (limit %s)",
					meters(dist), len(pts), meters(d.GPSMaxMeters))
			}
		}
	}
	if detail := overlaps(s, ctx.Peers); detail != "" {
		add(FlagOverlap, "%s", detail)
	}
	pattern, items := s.Pattern, len(patternItems(def, s.Answers))
	if pattern == "" {
		pattern = PatternHash(def, s.Answers)
	}
	if items >= minPatternItems {
		var ids []string
		for _, p := range sortedPeers(ctx.Peers) {
			if p.Pattern == pattern {
				ids = append(ids, fmt.Sprint(p.ResponseID))
			}
		}
		if len(ids) > 0 {
			add(FlagRepeatedPattern, "the same answers to %d questions as %s %s",
				items, pluralWord(len(ids), "response"), strings.Join(ids, ", "))
		}
	}
	return flags
}

// defaults fills zero thresholds with their defaults.
func defaults(q Quality) Quality {
	def := DefaultQuality()
	if q.GPSMaxMeters == 0 {
		q.GPSMaxMeters = def.GPSMaxMeters
	}
	if q.StraightLineItems == 0 {
		q.StraightLineItems = def.StraightLineItems
	}
	return q
}

// tooFast returns the detail of a too_fast flag, or "".
func tooFast(q Quality, def *questionnaire.Definition, s Submission) string {
	if s.Started.IsZero() || s.Completed.IsZero() {
		return ""
	}
	took := s.Completed.Sub(s.Started)
	if took < 0 {
		return fmt.Sprintf("completed %s before it started; check the tablet's clock", (-took).Round(time.Second))
	}
	least, why := time.Duration(q.MinDurationSeconds)*time.Second, "quality.min_duration_seconds"
	if q.MinDurationSeconds == 0 {
		n := answered(def, s.Answers)
		least = time.Duration(secondsPerAnswer*n) * time.Second
		why = fmt.Sprintf("%d s for each of %d answered questions", secondsPerAnswer, n)
	}
	if took >= least {
		return ""
	}
	return fmt.Sprintf("took %s; at least %s expected (%s)", took.Round(time.Second), least, why)
}

// questions returns the questions of def in interview order without
// duplicates, or nil for a nil definition.
func questions(def *questionnaire.Definition) []*questionnaire.Question {
	if def == nil {
		return nil
	}
	seen := map[string]bool{}
	var qs []*questionnaire.Question
	for _, q := range def.Questions() {
		if !seen[q.Code] {
			seen[q.Code] = true
			qs = append(qs, q)
		}
	}
	return qs
}

// answered counts the answered questions of r: those of def (or, without a
// definition, all) with an answer that is not absent.
func answered(def *questionnaire.Definition, r questionnaire.Response) int {
	n := 0
	if def == nil {
		for _, a := range r {
			if !a.Absent() {
				n++
			}
		}
		return n
	}
	for _, q := range questions(def) {
		if a, ok := r[q.Code]; ok && !a.Absent() {
			n++
		}
	}
	return n
}

// straightLine returns how many satisfaction questions are answered with a
// single code, and that code when all of them share it.
func straightLine(def *questionnaire.Definition, r questionnaire.Response) (n, code int, same bool) {
	same = true
	for _, q := range questions(def) {
		a, ok := r[q.Code]
		if q.Type != questionnaire.TypeSatisfaction || !ok || a.Kind != questionnaire.AnswerNumber {
			continue
		}
		if n > 0 && a.Number != code {
			same = false
		}
		code = a.Number
		n++
	}
	return n, code, same && n > 0
}

// median returns the component-wise median of pts (the mean of the two
// middle values for an even count). Unlike the mean, one stray fix among
// the community's interviews does not move it.
func median(pts []Point) Point {
	lat, lon := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		lat[i], lon[i] = p.Lat, p.Lon
	}
	return Point{Lat: median1(lat), Lon: median1(lon)}
}

func median1(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func meters(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}

// overlaps returns the detail of an overlap flag, or "".
func overlaps(s Submission, peers []Peer) string {
	if s.Started.IsZero() || s.Completed.IsZero() || s.Completed.Before(s.Started) {
		return ""
	}
	var parts []string
	for _, p := range sortedPeers(peers) {
		if p.Started.IsZero() || p.Completed.IsZero() {
			continue
		}
		from, to := later(s.Started, p.Started), earlier(s.Completed, p.Completed)
		if shared := to.Sub(from); shared > overlapTolerance {
			parts = append(parts, fmt.Sprintf("response %d by %s", p.ResponseID, shared.Round(time.Second)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "overlaps " + strings.Join(parts, ", ") + " of the same interviewer"
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// sortedPeers returns the peers ordered by response id, so that details
// read the same whatever order the caller loaded them in.
func sortedPeers(peers []Peer) []Peer {
	ps := slices.Clone(peers)
	slices.SortStableFunc(ps, func(a, b Peer) int {
		switch {
		case a.ResponseID < b.ResponseID:
			return -1
		case a.ResponseID > b.ResponseID:
			return 1
		}
		return 0
	})
	return ps
}

func pluralWord(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// PatternHash returns a fingerprint of the answers: the lower-case hex of
// the first 16 bytes of SHA-256 over "code=answer\n" for every answered
// question in questionnaire order, each answer as canonical JSON (the
// tablet's form, with multiple-choice codes sorted). Free-text answers
// (questions of type text, and any text answer) are left out: they differ
// between copies made by hand and say little about fabrication. Without a
// definition the codes are taken in sorted order.
func PatternHash(def *questionnaire.Definition, r questionnaire.Response) string {
	h := sha256.New()
	for _, it := range patternItems(def, r) {
		h.Write([]byte(it))
		h.Write([]byte{'\n'})
	}
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:16])
}

// patternItems returns the "code=answer" items PatternHash covers.
func patternItems(def *questionnaire.Definition, r questionnaire.Response) []string {
	var codes []string
	if def == nil {
		for c := range r {
			codes = append(codes, c)
		}
		slices.Sort(codes)
	} else {
		for _, q := range questions(def) {
			if q.Type != questionnaire.TypeText {
				codes = append(codes, q.Code)
			}
		}
	}
	var items []string
	for _, c := range codes {
		a, ok := r[c]
		if !ok || a.Absent() || a.Kind == questionnaire.AnswerText {
			continue
		}
		if a.Kind == questionnaire.AnswerList {
			a.List = slices.Clone(a.List)
			slices.Sort(a.List)
		}
		b, err := json.Marshal(a)
		if err != nil { // cannot happen: Answer always marshals
			b = []byte("null")
		}
		items = append(items, c+"="+string(b))
	}
	return items
}
