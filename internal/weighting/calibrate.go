package weighting

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/population"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// popTable is a population table in memory.
type popTable struct {
	id     int64
	unit   string // store.UnitPerson or store.UnitHousehold
	vars   []string
	counts []popCount
}

type popCount struct {
	street int64
	codes  []int
	count  float64
}

// loadPopulation loads table id, or the newest of the round's frame; with
// required unset, no table at all is not an error.
func loadPopulation(ctx context.Context, db *store.DB, info store.RoundInfo, id int64, required bool) (*popTable, error) {
	var p store.Population
	var err error
	if id != 0 {
		p, err = db.PopulationByID(ctx, id)
	} else {
		var s store.Sample
		if s, err = db.SampleByName(ctx, info.Sample); err != nil {
			return nil, err
		}
		var fr store.Frame
		if fr, err = db.FrameByVersion(ctx, s.FrameVersion); err != nil {
			return nil, err
		}
		p, err = db.LatestPopulation(ctx, fr.ID)
		if apperr.Is(err, apperr.NotFound) && !required {
			return nil, nil
		}
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.PopulationCounts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	t := &popTable{id: p.ID, vars: p.Variables, unit: p.Unit}
	for _, r := range rows {
		codes, err := population.ParseCell(r.Cell)
		if err != nil || len(codes) != len(p.Variables) {
			return nil, apperr.New(apperr.Internal, "population %d: cell %q", p.ID, r.Cell)
		}
		t.counts = append(t.counts, popCount{street: r.StreetID, codes: codes, count: r.Count})
	}
	return t, nil
}

// margin is a set of variables with its population counts by level key.
type margin struct {
	vars   []string
	label  string
	levels []string // level keys, in population order
	pop    map[string]float64
	name   func(key string) string
}

func (m margin) check(rs []respondent, cells []int32) MarginCheck {
	_ = cells
	got := map[string]float64{}
	for _, r := range rs {
		k, _ := keyOf(m.vars, r)
		got[k] += r.w
	}
	mc := MarginCheck{Margin: m.label}
	for _, k := range m.levels {
		lc := LevelCheck{Level: m.name(k), Population: m.pop[k], Weighted: got[k]}
		mc.MaxAbsDiff = max(mc.MaxAbsDiff, math.Abs(lc.Weighted-lc.Population))
		mc.Levels = append(mc.Levels, lc)
	}
	return mc
}

// keyOf is a respondent's level of vars: the street id and option codes,
// joined; ok is false when an answer is missing or not a category.
func keyOf(vars []string, r respondent) (string, bool) {
	var b strings.Builder
	for i, v := range vars {
		if i > 0 {
			b.WriteByte('|')
		}
		if v == Street {
			b.WriteString(strconv.FormatInt(r.street, 10))
			continue
		}
		a, ok := r.answers[v]
		if !ok || a.Kind != questionnaire.AnswerNumber {
			return "", false
		}
		b.WriteString(strconv.Itoa(a.Number))
	}
	return b.String(), true
}

// newMargin sums the population over everything but vars.
func newMargin(vars []string, pop *popTable, def *questionnaire.Definition, n names) (margin, error) {
	m := margin{vars: vars, label: strings.Join(vars, " × "), pop: map[string]float64{}}
	pos := make([]int, len(vars))
	for i, v := range vars {
		pos[i] = -2
		if v == Street {
			pos[i] = -1
			continue
		}
		for j, pv := range pop.vars {
			if pv == v {
				pos[i] = j
			}
		}
		if pos[i] == -2 {
			return m, apperr.WithFields("unknown weighting variable", map[string]string{"variables": fmt.Sprintf("%s is not a variable of population table %d (street, %s)", v, pop.id, strings.Join(pop.vars, ", "))})
		}
		if q := def.Question(v); q == nil {
			return m, apperr.WithFields("unknown weighting variable", map[string]string{"variables": v + " is not a question of the round's questionnaire"})
		}
	}
	for _, c := range pop.counts {
		var b strings.Builder
		for i, p := range pos {
			if i > 0 {
				b.WriteByte('|')
			}
			if p == -1 {
				b.WriteString(strconv.FormatInt(c.street, 10))
			} else {
				b.WriteString(strconv.Itoa(c.codes[p]))
			}
		}
		k := b.String()
		if _, ok := m.pop[k]; !ok {
			m.levels = append(m.levels, k)
		}
		m.pop[k] += c.count
	}
	m.name = func(key string) string {
		parts := strings.Split(key, "|")
		for i, v := range vars {
			if i >= len(parts) {
				break
			}
			if v == Street {
				id, _ := strconv.ParseInt(parts[i], 10, 64)
				parts[i] = n.street[id]
				continue
			}
			code, _ := strconv.Atoi(parts[i])
			label := parts[i]
			if q := def.Question(v); q != nil {
				if o := q.Option(code); o != nil {
					label = o.Label["zh-CN"]
				}
			}
			parts[i] = v + "=" + label
		}
		return strings.Join(parts, " × ")
	}
	return m, nil
}

// calibrate post-stratifies or rakes the respondents' weights: it fills
// cells with each respondent's calibration cell and returns the
// calibration and the margins to check. Every mismatch between the sample
// and the population is listed in one error.
func calibrate(cfg Config, pop *popTable, def *questionnaire.Definition, n names, rs []respondent, cells []int32) (*stats.Calibration, []margin, error) {
	var groups [][]string
	if cfg.Calibration == "poststratify" {
		groups = [][]string{cfg.Variables}
	} else {
		groups = cfg.Margins
	}
	var ms []margin
	var all []string
	for _, g := range groups {
		m, err := newMargin(g, pop, def, n)
		if err != nil {
			return nil, nil, err
		}
		ms = append(ms, m)
		for _, v := range g {
			if !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	// Respondents without a category of a variable cannot be calibrated.
	var problems, lacking []string
	missing := 0
	joint := stats.NewIndex()
	for i, r := range rs {
		k, ok := keyOf(all, r)
		var unstated []string
		for _, v := range all {
			if q := def.Question(v); v != Street && q != nil {
				if a, has := r.answers[v]; !stated(q, a, has) {
					unstated = append(unstated, v)
				}
			}
		}
		if !ok || len(unstated) > 0 {
			missing++
			for _, v := range unstated {
				if !slices.Contains(lacking, v) {
					lacking = append(lacking, v)
				}
			}
			if len(problems) < 10 {
				problems = append(problems, fmt.Sprintf("response %d has no category of %s", r.responseID, strings.Join(unstated, ", ")))
			}
			continue
		}
		cells[i] = joint.ID(k)
	}
	if missing > 0 {
		v := "QUESTION"
		if len(lacking) > 0 {
			v = lacking[0]
		}
		return nil, nil, apperr.New(apperr.Invalid, "%d responses cannot be calibrated (a refused, don't-know or missing answer): %s; give a remedy for each of %s (missing: %s=collapse:CODE counts them in a neighbouring category CODE, %s=hotdeck takes a donor's answer), or calibrate on other variables",
			missing, strings.Join(problems, "; "), strings.Join(lacking, ", "), v, v)
	}
	cellW := make([]float64, joint.Len())
	cellKey := joint.Labels()
	for i, r := range rs {
		cellW[cells[i]] += r.w
	}
	mismatch, err := acrossLevels(all, pop, def, n, rs)
	if err != nil {
		return nil, nil, err
	}
	// Each margin's level of each cell, and the levels on either side only.
	var sm []stats.Margin
	for _, m := range ms {
		idx := map[string]int32{}
		for i, k := range m.levels {
			idx[k] = int32(i)
		}
		sample := map[string]bool{}
		level := make([]int32, len(cellKey))
		for g, ck := range cellKey {
			mk := project(ck, all, m.vars)
			sample[mk] = true
			l, ok := idx[mk]
			if !ok || m.pop[mk] == 0 {
				if !slices.Contains(mismatch, m.name(mk)+": responses but no population") {
					mismatch = append(mismatch, m.name(mk)+": responses but no population")
				}
				l = 0
			}
			level[g] = l
		}
		popv := make([]float64, len(m.levels))
		for i, k := range m.levels {
			popv[i] = m.pop[k]
			if !sample[k] && m.pop[k] > 0 {
				mismatch = append(mismatch, fmt.Sprintf("%s: population %g but no responses (an empty cell)", m.name(k), m.pop[k]))
			}
		}
		levels := make([]string, len(m.levels))
		for i, k := range m.levels {
			levels[i] = m.name(k)
		}
		sm = append(sm, stats.Margin{Name: m.label, Level: level, Population: popv, Levels: levels})
	}
	if len(mismatch) > 0 {
		more := ""
		if len(mismatch) > 20 {
			more = fmt.Sprintf("; … and %d more", len(mismatch)-20)
			mismatch = mismatch[:20]
		}
		return nil, nil, apperr.New(apperr.Invalid, "the sample and the population counts do not match: %s%s; merge categories or calibrate on fewer variables", strings.Join(mismatch, "; "), more)
	}
	if cfg.Calibration == "poststratify" {
		// Cells are the post-strata themselves.
		m := sm[0]
		popv := make([]float64, len(cellKey))
		for g := range cellKey {
			popv[g] = m.Population[m.Level[g]]
		}
		c, err := stats.PostStratify(cellW, popv)
		return c, ms, err
	}
	if cfg.Calibration == "calibrate" {
		opt := stats.CalibrateOptions{Lower: math.Inf(-1), Upper: math.Inf(1), Epsilon: cfg.Epsilon, MaxIter: cfg.MaxIter}
		var err error
		if opt.CalFun, err = stats.ParseCalFun(cfg.CalFun); err != nil {
			return nil, nil, err
		}
		if len(cfg.Bounds) == 2 {
			opt.Lower, opt.Upper = cfg.Bounds[0], cfg.Bounds[1]
		}
		c, err := stats.Calibrate(cellW, sm, opt)
		return c, ms, err
	}
	c, err := stats.Rake(cellW, sm, stats.RakeOptions{Epsilon: cfg.Epsilon, MaxIter: cfg.MaxIter})
	return c, ms, err
}

// acrossLevels checks the sample against the population across the levels
// of all calibration variables at once, street included whether or not it
// is a margin: a respondent whose street and categories have no people in
// the table ("responses but no population"), and a street with people but
// no respondent. Margin by margin these go unseen when street is not a
// margin: a street missing from the table would be raked to the totals of
// the other streets, one without respondents would have its people carried
// by the other streets' respondents.
func acrossLevels(vars []string, pop *popTable, def *questionnaire.Definition, n names, rs []respondent) ([]string, error) {
	across := vars
	if !slices.Contains(across, Street) {
		across = append([]string{Street}, vars...)
	}
	full, err := newMargin(across, pop, def, n)
	if err != nil {
		return nil, err
	}
	people := map[int64]float64{}
	var order []int64
	for _, c := range pop.counts {
		if _, ok := people[c.street]; !ok {
			order = append(order, c.street)
		}
		people[c.street] += c.count
	}
	var mismatch []string
	seen := map[string]bool{}
	streets := map[int64]bool{}
	for _, r := range rs {
		if !streets[r.street] && !(people[r.street] > 0) {
			mismatch = append(mismatch, fmt.Sprintf("%s: responses but no population (the street has no people in population table %d)", n.street[r.street], pop.id))
		}
		streets[r.street] = true
		k, ok := keyOf(across, r)
		if !ok || seen[k] || full.pop[k] > 0 || !(people[r.street] > 0) {
			continue
		}
		seen[k] = true
		mismatch = append(mismatch, full.name(k)+": responses but no population")
	}
	for _, s := range order {
		if people[s] > 0 && !streets[s] {
			mismatch = append(mismatch, fmt.Sprintf("%s: population %g but no responses", n.street[s], people[s]))
		}
	}
	return mismatch, nil
}

// project keeps the parts of a key over from that belong to vars.
func project(key string, from, vars []string) string {
	parts := strings.Split(key, "|")
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = parts[slices.Index(from, v)]
	}
	return strings.Join(out, "|")
}
