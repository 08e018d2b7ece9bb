package fieldwork

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/surveys"
)

func household(t *testing.T) *questionnaire.Definition {
	t.Helper()
	def, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// answers returns a valid, varied response to the shipped household
// questionnaire: 18 answered questions, 8 of them satisfaction items
// (D1–D8), one free text (E4). edit changes it.
func answers(edit func(questionnaire.Response)) questionnaire.Response {
	c := questionnaire.CodeAnswer
	r := questionnaire.Response{
		"S1": c(1), "S2": c(1), "A1": c(1), "A2": questionnaire.CodesAnswer(1, 3),
		"B1": c(1), "C1": questionnaire.CodesAnswer(2, 5),
		"D1": c(1), "D2": c(2), "D3": c(2), "D4": c(1), "D5": c(3), "D6": c(2), "D7": c(1), "D8": c(2),
		"E1": c(2), "E2": c(3), "E3": questionnaire.IntAnswer(12), "E4": questionnaire.TextAnswer("多修些停车位"),
	}
	if edit != nil {
		edit(r)
	}
	return r
}

func satisfied(code int) func(questionnaire.Response) {
	return func(r questionnaire.Response) {
		for _, q := range []string{"D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"} {
			r[q] = questionnaire.CodeAnswer(code)
		}
	}
}

var (
	t0        = time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)
	tiananmen = Point{Lat: 39.9087, Lon: 116.3975}
)

// north returns a point m metres north of p (1° of latitude ≈ 111.2 km).
func north(p Point, m float64) Point {
	return Point{Lat: p.Lat + m/(earthRadius*math.Pi/180), Lon: p.Lon}
}

func codes(flags []Flag) []string {
	out := []string{}
	for _, f := range flags {
		out = append(out, f.Code)
	}
	return out
}

func TestCheck(t *testing.T) {
	def := household(t)
	if _, err := def.ValidateResponse(answers(nil)); err != nil {
		t.Fatalf("the fixture is not a valid response: %v", err)
	}
	base := func() Submission {
		return Submission{Started: t0, Completed: t0.Add(20 * time.Minute), Answers: answers(nil)}
	}
	community := []Point{tiananmen, north(tiananmen, 100), north(tiananmen, -80)}
	tests := []struct {
		name   string
		q      Quality
		s      func(*Submission)
		ctx    Context
		want   []string // codes
		detail string   // substring of the first flag's detail
	}{
		{name: "a clean interview", q: DefaultQuality(), want: []string{}},
		{
			name:   "too fast: derived minimum is 10 s per answered question",
			q:      DefaultQuality(),
			s:      func(s *Submission) { s.Completed = s.Started.Add(179 * time.Second) },
			want:   []string{FlagTooFast},
			detail: "took 2m59s; at least 3m0s expected (10 s for each of 18 answered questions)",
		},
		{
			name: "exactly the derived minimum is fine",
			q:    DefaultQuality(),
			s:    func(s *Submission) { s.Completed = s.Started.Add(180 * time.Second) },
			want: []string{},
		},
		{
			name:   "too fast against min_duration_seconds",
			q:      Quality{MinDurationSeconds: 600},
			s:      func(s *Submission) { s.Completed = s.Started.Add(599 * time.Second) },
			want:   []string{FlagTooFast},
			detail: "took 9m59s; at least 10m0s expected (quality.min_duration_seconds)",
		},
		{
			name: "min_duration_seconds reached",
			q:    Quality{MinDurationSeconds: 600},
			s:    func(s *Submission) { s.Completed = s.Started.Add(600 * time.Second) },
			want: []string{},
		},
		{
			name:   "completed before it started",
			q:      DefaultQuality(),
			s:      func(s *Submission) { s.Completed = s.Started.Add(-5 * time.Minute) },
			want:   []string{FlagTooFast},
			detail: "completed 5m0s before it started; check the tablet's clock",
		},
		{
			name: "unknown start: no duration check",
			q:    DefaultQuality(),
			s:    func(s *Submission) { s.Started = time.Time{} },
			want: []string{},
		},
		{
			name:   "straight-lining: all 8 satisfaction items the same",
			q:      DefaultQuality(),
			s:      func(s *Submission) { s.Answers = answers(satisfied(2)) },
			want:   []string{FlagStraightLining},
			detail: "all 8 satisfaction items answered with code 2",
		},
		{
			name: "one satisfaction item differs",
			q:    DefaultQuality(),
			s: func(s *Submission) {
				s.Answers = answers(func(r questionnaire.Response) { satisfied(2)(r); r["D5"] = questionnaire.CodeAnswer(3) })
			},
			want: []string{},
		},
		{
			name: "three identical items are below the default of 4",
			q:    DefaultQuality(),
			s: func(s *Submission) {
				s.Answers = answers(func(r questionnaire.Response) {
					satisfied(1)(r)
					for _, q := range []string{"D4", "D5", "D6", "D7", "D8"} {
						delete(r, q)
					}
				})
			},
			want: []string{},
		},
		{
			name: "three identical items with straight_line_items 3",
			q:    Quality{StraightLineItems: 3},
			s: func(s *Submission) {
				s.Answers = answers(func(r questionnaire.Response) {
					satisfied(1)(r)
					for _, q := range []string{"D4", "D5", "D6", "D7", "D8"} {
						delete(r, q)
					}
				})
			},
			want:   []string{FlagStraightLining},
			detail: "all 3 satisfaction items answered with code 1",
		},
		{
			name:   "GPS 1 km from the community",
			q:      DefaultQuality(),
			s:      func(s *Submission) { p := north(tiananmen, 1000); s.GPS = &p },
			ctx:    Context{CommunityPoints: community},
			want:   []string{FlagGPSFar},
			detail: "1.0 km from the median position of the 3 other interviews in the community (limit 500 m)",
		},
		{
			name: "GPS 1 km away with a 2 km limit",
			q:    Quality{GPSMaxMeters: 2000},
			s:    func(s *Submission) { p := north(tiananmen, 1000); s.GPS = &p },
			ctx:  Context{CommunityPoints: community},
			want: []string{},
		},
		{
			name: "GPS 450 m away",
			q:    DefaultQuality(),
			s:    func(s *Submission) { p := north(tiananmen, 450); s.GPS = &p },
			ctx:  Context{CommunityPoints: community},
			want: []string{},
		},
		{
			// The mean of these points lies 3 km north; their median does not.
			name: "the median ignores one stray community point",
			q:    DefaultQuality(),
			s:    func(s *Submission) { p := north(tiananmen, 50); s.GPS = &p },
			ctx:  Context{CommunityPoints: []Point{tiananmen, north(tiananmen, 100), north(tiananmen, 9000)}},
			want: []string{},
		},
		{
			name: "fewer than 3 community points: no GPS check",
			q:    DefaultQuality(),
			s:    func(s *Submission) { p := north(tiananmen, 5000); s.GPS = &p },
			ctx:  Context{CommunityPoints: community[:2]},
			want: []string{},
		},
		{
			name: "points off the globe do not count",
			q:    DefaultQuality(),
			s:    func(s *Submission) { p := north(tiananmen, 5000); s.GPS = &p },
			ctx:  Context{CommunityPoints: []Point{tiananmen, north(tiananmen, 10), {Lat: 200, Lon: 0}}},
			want: []string{},
		},
		{
			name: "no GPS fix",
			q:    DefaultQuality(),
			ctx:  Context{CommunityPoints: community},
			want: []string{},
		},
		{
			name: "overlap by 61 s names the peers in id order",
			q:    DefaultQuality(),
			ctx: Context{Peers: []Peer{
				{ResponseID: 9, Started: t0.Add(19*time.Minute - time.Second), Completed: t0.Add(40 * time.Minute)},
				{ResponseID: 4, Started: t0.Add(-10 * time.Minute), Completed: t0.Add(5 * time.Minute)},
			}},
			want:   []string{FlagOverlap},
			detail: "overlaps response 4 by 5m0s, response 9 by 1m1s of the same interviewer",
		},
		{
			name: "overlap of exactly 60 s is tolerated",
			q:    DefaultQuality(),
			ctx:  Context{Peers: []Peer{{ResponseID: 9, Started: t0.Add(19 * time.Minute), Completed: t0.Add(40 * time.Minute)}}},
			want: []string{},
		},
		{
			name: "a peer inside the interview",
			q:    DefaultQuality(),
			ctx:  Context{Peers: []Peer{{ResponseID: 3, Started: t0.Add(5 * time.Minute), Completed: t0.Add(10 * time.Minute)}}},
			want: []string{FlagOverlap},
		},
		{
			name: "disjoint peers and peers without times",
			q:    DefaultQuality(),
			ctx: Context{Peers: []Peer{
				{ResponseID: 1, Started: t0.Add(-30 * time.Minute), Completed: t0.Add(-time.Minute)},
				{ResponseID: 2, Started: t0.Add(30 * time.Minute), Completed: t0.Add(50 * time.Minute)},
				{ResponseID: 3, Completed: t0.Add(10 * time.Minute)},
			}},
			want: []string{},
		},
		{
			name: "no times: no overlap check",
			q:    DefaultQuality(),
			s:    func(s *Submission) { s.Started, s.Completed = time.Time{}, time.Time{} },
			ctx:  Context{Peers: []Peer{{ResponseID: 3, Started: t0, Completed: t0.Add(time.Hour)}}},
			want: []string{},
		},
		{
			name:   "the same answers as a peer (its free text differs)",
			q:      DefaultQuality(),
			ctx:    Context{Peers: []Peer{{ResponseID: 12, Pattern: patternOf(answers(func(r questionnaire.Response) { r["E4"] = questionnaire.TextAnswer("没有") }))}}},
			want:   []string{FlagRepeatedPattern},
			detail: "the same answers to 17 questions as response 12",
		},
		{
			name: "a peer with one answer different",
			q:    DefaultQuality(),
			ctx:  Context{Peers: []Peer{{ResponseID: 12, Pattern: patternOf(answers(func(r questionnaire.Response) { r["E3"] = questionnaire.IntAnswer(13) }))}}},
			want: []string{},
		},
		{
			name: "a pattern of 4 answered questions is too short",
			q:    DefaultQuality(),
			s:    func(s *Submission) { s.Answers = short() },
			ctx:  Context{Peers: []Peer{{ResponseID: 12, Pattern: patternOf(short())}}},
			want: []string{},
		},
		{
			name:   "a submitted Pattern is used as given",
			q:      DefaultQuality(),
			s:      func(s *Submission) { s.Pattern = "abc" },
			ctx:    Context{Peers: []Peer{{ResponseID: 5, Pattern: "abc"}, {ResponseID: 6, Pattern: patternOf(answers(nil))}}},
			want:   []string{FlagRepeatedPattern},
			detail: "as response 5",
		},
		{
			name: "every flag, in the fixed order",
			q:    DefaultQuality(),
			s: func(s *Submission) {
				s.Answers = answers(satisfied(1))
				s.Completed = s.Started.Add(2 * time.Minute)
				p := north(tiananmen, 3000)
				s.GPS = &p
			},
			ctx: Context{
				CommunityPoints: community,
				Peers: []Peer{
					{ResponseID: 2, Pattern: patternOf(answers(satisfied(1)))},
					{ResponseID: 1, Started: t0, Completed: t0.Add(time.Hour)},
				},
			},
			want: []string{FlagTooFast, FlagStraightLining, FlagGPSFar, FlagOverlap, FlagRepeatedPattern},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			if tt.s != nil {
				tt.s(&s)
			}
			flags := Check(tt.q, def, s, tt.ctx)
			if flags == nil {
				t.Fatal("Check returned nil")
			}
			if got := codes(flags); !slices.Equal(got, tt.want) {
				t.Fatalf("flags %v, want %v (%+v)", got, tt.want, flags)
			}
			if tt.detail != "" && !strings.Contains(flags[0].Detail, tt.detail) {
				t.Errorf("detail %q, want it to contain %q", flags[0].Detail, tt.detail)
			}
		})
	}
}

// short is a response with 4 answered non-text questions and a text.
func short() questionnaire.Response {
	c := questionnaire.CodeAnswer
	return questionnaire.Response{"S1": c(1), "S2": c(1), "A1": c(1), "B1": c(1), "E4": questionnaire.TextAnswer("x")}
}

var household0 *questionnaire.Definition

func patternOf(r questionnaire.Response) string {
	if household0 == nil {
		d, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
		if err != nil {
			panic(err)
		}
		household0 = d
	}
	return PatternHash(household0, r)
}

func TestPatternHash(t *testing.T) {
	def := household(t)
	h := PatternHash(def, answers(nil))
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(h) {
		t.Fatalf("PatternHash = %q, want 32 hex digits", h)
	}
	tests := []struct {
		name string
		edit func(questionnaire.Response)
		same bool
	}{
		{"free text changed", func(r questionnaire.Response) { r["E4"] = questionnaire.TextAnswer("另一条建议") }, true},
		{"free text removed", func(r questionnaire.Response) { delete(r, "E4") }, true},
		{"multiple choice in another order", func(r questionnaire.Response) { r["A2"] = questionnaire.CodesAnswer(3, 1) }, true},
		{"an unknown question", func(r questionnaire.Response) { r["Z9"] = questionnaire.CodeAnswer(1) }, true},
		{"an empty list counts as no answer", func(r questionnaire.Response) {
			delete(r, "C1")
			r["X"] = questionnaire.CodesAnswer()
		}, false},
		{"a choice changed", func(r questionnaire.Response) { r["D3"] = questionnaire.CodeAnswer(4) }, false},
		{"an integer changed", func(r questionnaire.Response) { r["E3"] = questionnaire.IntAnswer(40) }, false},
		{"a list changed", func(r questionnaire.Response) { r["A2"] = questionnaire.CodesAnswer(1) }, false},
		{"an answer removed", func(r questionnaire.Response) { delete(r, "E3") }, false},
		// Two answers swapped between questions must not collide.
		{"answers moved between questions", func(r questionnaire.Response) {
			r["D1"], r["D5"] = r["D5"], r["D1"]
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PatternHash(def, answers(tt.edit))
			if (got == h) != tt.same {
				t.Errorf("PatternHash = %s, base %s, want same = %v", got, h, tt.same)
			}
		})
	}
	// The caller's list is not reordered.
	r := answers(func(r questionnaire.Response) { r["A2"] = questionnaire.CodesAnswer(3, 1) })
	PatternHash(def, r)
	if !slices.Equal(r["A2"].List, []int{3, 1}) {
		t.Errorf("PatternHash reordered the caller's answer: %v", r["A2"].List)
	}
	// Without a definition codes are taken in sorted order, text left out.
	a := PatternHash(nil, questionnaire.Response{"B": questionnaire.CodeAnswer(2), "A": questionnaire.CodeAnswer(1), "T": questionnaire.TextAnswer("x")})
	b := PatternHash(nil, questionnaire.Response{"A": questionnaire.CodeAnswer(1), "B": questionnaire.CodeAnswer(2)})
	if a != b {
		t.Errorf("PatternHash without a definition: %s != %s", a, b)
	}
}

func TestDistance(t *testing.T) {
	beijing := Point{Lat: 39.9042, Lon: 116.4074}
	shanghai := Point{Lat: 31.2304, Lon: 121.4737}
	tests := []struct {
		name      string
		a, b      Point
		want, tol float64
	}{
		{"Beijing–Shanghai", beijing, shanghai, 1067e3, 1e3},
		{"same point", beijing, beijing, 0, 0},
		{"one degree of latitude", Point{0, 0}, Point{1, 0}, earthRadius * math.Pi / 180, 1e-6},
		{"antipodes", Point{0, 0}, Point{0, 180}, earthRadius * math.Pi, 1e-6},
		{"pole to pole", Point{90, 0}, Point{-90, 0}, earthRadius * math.Pi, 1e-6},
		{"across the date line", Point{0, 179.5}, Point{0, -179.5}, earthRadius * math.Pi / 180, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("Distance = %.3f m, want %.3f ± %g", got, tt.want, tt.tol)
			}
			if back := Distance(tt.b, tt.a); math.Abs(back-got) > 1e-6 {
				t.Errorf("not symmetric: %v and %v", got, back)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	got := median([]Point{{1, 10}, {3, 30}, {2, 40}, {100, 20}})
	if want := (Point{2.5, 25}); got != want {
		t.Errorf("median = %v, want %v", got, want)
	}
	got = median([]Point{{5, 1}, {1, 5}, {3, 3}})
	if want := (Point{3, 3}); got != want {
		t.Errorf("median = %v, want %v", got, want)
	}
}
