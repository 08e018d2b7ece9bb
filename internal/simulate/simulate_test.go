package simulate

import (
	"bytes"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/surveys"
)

func standard(t testing.TB) *questionnaire.Definition {
	t.Helper()
	d, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func smallDistrict(t testing.TB, seed uint64) *District {
	t.Helper()
	d, err := Generate(Spec{Streets: 3, Communities: 4, Households: 60, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSpecValidate(t *testing.T) {
	for _, tc := range []struct {
		spec  Spec
		field string
	}{
		{Spec{Streets: 0, Communities: 1, Households: 10}, "streets"},
		{Spec{Streets: 201, Communities: 1, Households: 10}, "streets"},
		{Spec{Streets: 1, Communities: 0, Households: 10}, "communities"},
		{Spec{Streets: 1, Communities: 1, Households: 9}, "households"},
		{Spec{Streets: 200, Communities: 200, Households: 100}, "households"},
	} {
		err := tc.spec.Validate()
		if err == nil {
			t.Errorf("%+v: no error", tc.spec)
			continue
		}
		if _, ok := fieldsOf(err)[tc.field]; !ok {
			t.Errorf("%+v: error %v does not name %s", tc.spec, err, tc.field)
		}
	}
	if err := (Spec{Streets: 8, Communities: 12, Households: 400}).Validate(); err != nil {
		t.Errorf("default spec: %v", err)
	}
}

func TestGenerateIsDeterministicAndPlausible(t *testing.T) {
	a, b, c := smallDistrict(t, 1), smallDistrict(t, 1), smallDistrict(t, 2)
	var fa, fb, fc, pa, pb bytes.Buffer
	for _, x := range []struct {
		d    *District
		f, p *bytes.Buffer
	}{{a, &fa, &pa}, {b, &fb, &pb}, {c, &fc, nil}} {
		if err := x.d.WriteFrame(x.f); err != nil {
			t.Fatal(err)
		}
		if x.p != nil {
			if err := x.d.WritePopulation(x.p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !bytes.Equal(fa.Bytes(), fb.Bytes()) || !bytes.Equal(pa.Bytes(), pb.Bytes()) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(fa.Bytes(), fc.Bytes()) {
		t.Error("another seed gave the same frame")
	}
	if len(a.Streets) != 3 || a.Streets[0].Name != "城关街道" {
		t.Errorf("streets %v", a.Streets[0].Name)
	}
	names := map[string]bool{}
	sizes := []int{}
	for _, s := range a.Streets {
		if len(s.Communities) != 4 {
			t.Errorf("%s has %d communities", s.Name, len(s.Communities))
		}
		for _, c := range s.Communities {
			if names[c.Name] {
				t.Errorf("community name %s twice", c.Name)
			}
			names[c.Name] = true
			sizes = append(sizes, len(c.Households))
			seen := map[string]bool{}
			for _, h := range c.Households {
				addr := h.Building + h.Key
				if seen[addr] {
					t.Fatalf("address %s twice in %s", addr, c.Name)
				}
				seen[addr] = true
				if h.Size() < 1 || h.Size() > 6 || !h.Residents[0].Adult() {
					t.Fatalf("household %s: %+v", addr, h.Residents)
				}
			}
		}
	}
	if slices.Min(sizes) == slices.Max(sizes) {
		t.Errorf("community sizes do not vary: %v", sizes)
	}
	// Residents are a function of the address alone.
	h := a.Streets[1].Communities[2].Households[7]
	if got := Residents(1, a.Streets[1].Name, a.Streets[1].Communities[2].Name, h.Building, h.Key); !slices.Equal(got, h.Residents) {
		t.Errorf("Residents = %v, district has %v", got, h.Residents)
	}
}

// The frame CSV reads back through the frame reader that minyi frame
// import uses, with every household and its size.
func TestFrameReadsBack(t *testing.T) {
	d := smallDistrict(t, 3)
	var buf bytes.Buffer
	if err := d.WriteFrame(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := frame.NewReader(bytes.NewReader(buf.Bytes()), frame.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil {
		t.Fatalf("frame reader: %v", err)
	}
	if n != d.Households() {
		t.Errorf("read %d households, district has %d", n, d.Households())
	}
	f, err := ReadFrame(bytes.NewReader(buf.Bytes()), 3)
	if err != nil {
		t.Fatal(err)
	}
	g := d.Frame()
	if !slices.Equal(f.Units, g.Units) || !slices.Equal(f.adultCells, g.adultCells) {
		t.Error("ReadFrame differs from District.Frame")
	}
	pop := d.Population()
	total := 0
	for _, s := range pop {
		for _, n := range s {
			total += n
		}
	}
	if total != len(g.adultCells) {
		t.Errorf("population %d adults, frame %d", total, len(g.adultCells))
	}
}

// Every simulated response validates, follows the skip logic (A2 only
// after A1 = 1; screened-out interviews end at S2), and the compiled
// values the Monte Carlo uses equal the questionnaire's own scoring.
func TestRespondValidatesAndScoresAlike(t *testing.T) {
	def := standard(t)
	d := smallDistrict(t, 4)
	p, err := Compile(def, d.Model)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"awareness", "support", "participation", "satisfaction", "sat_sanitation", "sat_traffic", "sat_public_order", "sat_market", "sat_facilities", "sat_window", "sat_community"}; !slices.Equal(p.TraitIDs, want) {
		t.Fatalf("traits %v", p.TraitIDs)
	}
	r := Stream(9, tagAnswer)
	off := p.Offsets(d.Streets[0].Name, d.Streets[0].Communities[0].Name)
	outs := make([]int, len(p.traits))
	vals := make([]float64, len(p.inds))
	straight, screened, a2, refused := 0, 0, 0, 0
	for i := range 3000 {
		who := Respondent{Person: CellPerson(i % Cells), NotEligible: i%50 == 0, StraightLiner: i%40 == 1, Adults: 1 + i%4, RefusesAge: i%30 == 7}
		resp, err := p.Respond(r, off, who)
		if err != nil {
			t.Fatal(err)
		}
		st := def.Evaluate(resp)
		if who.NotEligible {
			if !st.Ended || st.EndedAt != "S2" || st.Disposition != questionnaire.DispositionNotEligible {
				t.Fatalf("screened-out response %v ends %+v", resp, st)
			}
			screened++
			continue
		}
		if st.Ended {
			t.Fatalf("eligible response ended: %v", resp)
		}
		if _, has := resp["A2"]; has != (resp["A1"].Number == 1) {
			t.Fatalf("A2 against skip logic: %v", resp)
		}
		if has := resp["A2"]; has.Kind == questionnaire.AnswerList {
			a2++
		}
		age := who.Person.Age + 1
		if who.RefusesAge {
			age, refused = 9, refused+1 // 拒答
		}
		if resp["E1"].Number != int(who.Person.Sex) || resp["E2"].Number != age || resp["E5"].Number != who.Adults {
			t.Fatalf("demographics %v for %+v", resp, who)
		}
		if who.StraightLiner {
			codes := map[int]bool{}
			for _, q := range []string{"D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"} {
				codes[resp[q].Number] = true
			}
			if len(codes) != 1 {
				t.Fatalf("straight-liner answered %v", resp)
			}
			straight++
		}
		for ti, tp := range p.traits {
			outs[ti] = outcomeOf(t, &tp, resp[tp.question.Code])
		}
		p.values(outs, vals)
		for j, v := range def.Score(resp) {
			got := vals[j]
			if v.Missing != math.IsNaN(got) || !v.Missing && math.Abs(v.Value-got) > 1e-12 {
				t.Fatalf("%s: compiled %v, Score %+v (response %v)", v.Indicator, got, v, resp)
			}
		}
	}
	if straight == 0 || screened == 0 || a2 == 0 || refused == 0 {
		t.Errorf("straight-liners %d, screened out %d, A2 answered %d, age refused %d", straight, screened, a2, refused)
	}
}

// The household's adults (E5) and a refused age group are answered
// without drawing from the stream: every other answer of a seed stays.
func TestDemographicsDrawNothing(t *testing.T) {
	def := standard(t)
	d := smallDistrict(t, 4)
	p, err := Compile(def, d.Model)
	if err != nil {
		t.Fatal(err)
	}
	off := p.Offsets(d.Streets[0].Name, d.Streets[0].Communities[0].Name)
	for i := range 50 {
		who := Respondent{Person: CellPerson(i % Cells)}
		plain, err := p.Respond(Stream(3, uint64(i)), off, who)
		if err != nil {
			t.Fatal(err)
		}
		who.Adults, who.RefusesAge = 2, true
		more, err := p.Respond(Stream(3, uint64(i)), off, who)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := plain["E5"]; ok || more["E5"].Number != 2 || more["E2"].Number != 9 {
			t.Fatalf("E5 %v / %v, E2 %v", plain["E5"], more["E5"], more["E2"])
		}
		delete(more, "E5")
		delete(more, "E2")
		delete(plain, "E2")
		for q, a := range plain {
			if !reflect.DeepEqual(more[q], a) {
				t.Fatalf("%s: %v without, %v with adults and a refused age", q, a, more[q])
			}
		}
	}
}

// outcomeOf finds the outcome an answer stands for.
func outcomeOf(t *testing.T, tp *traitPlan, a questionnaire.Answer) int {
	t.Helper()
	codes := []int{a.Number}
	if a.Kind == questionnaire.AnswerList {
		codes = a.List
	}
	for i, o := range tp.outcomes {
		if slices.Equal(o.codes, codes) || o.kind == kindPositive && len(tp.positive) > 0 && a.Kind == questionnaire.AnswerList && allIn(codes, tp.positive) {
			return i
		}
	}
	t.Fatalf("answer %v of %s is no outcome", a, tp.question.Code)
	return -1
}

func allIn(codes, set []int) bool {
	for _, c := range codes {
		if !slices.Contains(set, c) {
			return false
		}
	}
	return true
}

// The truth is what simulated respondents average to: for each street and
// indicator, the ratio of sums of values over many simulated households
// (each answered by a random adult) is within 4 standard errors of it.
func TestTruthMatchesSimulation(t *testing.T) {
	def := standard(t)
	d := smallDistrict(t, 5)
	p, err := Compile(def, d.Model)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Frame()
	truth := ComputeTruth(p, f)
	if truth.Households != d.Households() || len(truth.Indicators) != len(def.Indicators) {
		t.Fatalf("truth: %d households, %d indicators", truth.Households, len(truth.Indicators))
	}
	r := Stream(11, tagAnswer)
	offs := make([][]float64, len(f.Communities))
	for i, c := range f.Communities {
		offs[i] = p.Offsets(f.Streets[c.Street], c.Name)
	}
	nind := len(p.inds)
	type acc struct{ n, sy, sy2, sc float64 }
	sums := make([][]acc, len(f.Streets))
	for s := range sums {
		sums[s] = make([]acc, nind)
	}
	outs := make([]int, len(p.traits))
	vals := make([]float64, nind)
	const passes = 60
	for range passes {
		for i, u := range f.Units {
			ad := f.Adults(i)
			p.Values(r, offs[u.PSU], int(ad[r.IntN(len(ad))]), outs, vals)
			for j, v := range vals {
				a := &sums[u.Stratum][j]
				a.n++
				if v == v {
					a.sy += v
					a.sy2 += v * v
					a.sc++
				}
			}
		}
	}
	for j, it := range truth.Indicators {
		for s, sv := range it.Streets {
			a := sums[s][j]
			est := a.sy / a.sc
			sd := math.Sqrt(a.sy2/a.sc - est*est)
			se := sd / math.Sqrt(a.sc)
			if math.Abs(est-sv.Value) > 4*se+1e-9 {
				t.Errorf("%s in %s: simulated %.4f ± %.4f, truth %.4f", it.ID, sv.Street, est, se, sv.Value)
			}
		}
		if it.District <= 0 || (it.Kind == "rate" && it.District >= 1) {
			t.Errorf("%s district %v", it.ID, it.District)
		}
	}
	aw, _ := truth.Indicator("awareness")
	if aw.District < 0.8 || aw.District > 0.97 {
		t.Errorf("awareness %v is not plausible", aw.District)
	}
}

func TestMeanExpectation(t *testing.T) {
	// Two components, counted with probability 1/2 each, conditional means
	// 1 and 0: E[mean | any] = (¼·½ + ¼·1 + ¼·0) / ¾ = 1/2.
	m, q := []float64{1, 0}, []float64{0.5, 0.5}
	e, any := meanExpectation([]int{0, 1}, m, q)
	if math.Abs(any-0.75) > 1e-12 || math.Abs(e-0.5) > 1e-12 {
		t.Errorf("got %v, %v", e, any)
	}
	// Always counted: the plain mean.
	e, any = meanExpectation([]int{0, 1, 2}, []float64{0.2, 0.5, 0.8}, []float64{1, 1, 1})
	if math.Abs(e-0.5) > 1e-12 || any != 1 {
		t.Errorf("got %v, %v", e, any)
	}
}

func fieldsOf(err error) map[string]string { return apperr.FieldsOf(err) }
