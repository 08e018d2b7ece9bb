package results

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/weighting"
)

// The tables of a round's exports ('minyi export', /api/v1/rounds/:id/export):
// its responses, its summary of estimates, its codebook and its community
// estimates, each written to an export.Book (CSV or XLSX).

// ExportKind names an export.
type ExportKind string

// The exports of a round.
const (
	ExportResponses    ExportKind = "responses"
	ExportDispositions ExportKind = "dispositions"
	ExportSummary      ExportKind = "summary"
	ExportCodebook     ExportKind = "codebook"
	ExportRBundle      ExportKind = "r-bundle"
	// ExportCommunities is the community estimates: direct and model
	// (Fay–Herriot) per rate and community (WriteCommunities).
	ExportCommunities ExportKind = "communities"
)

// ParseExportKind reads the name of an export.
func ParseExportKind(s string) (ExportKind, error) {
	switch k := ExportKind(s); k {
	case ExportResponses, ExportDispositions, ExportSummary, ExportCodebook, ExportCommunities, ExportRBundle:
		return k, nil
	}
	return "", apperr.WithFields("unknown export", map[string]string{"export": "responses, dispositions, summary, codebook, communities or r-bundle"})
}

// ExportOptions shape an export.
type ExportOptions struct {
	Format export.Format
	// Location is the zone of the times of a CSV or XLSX export, written
	// as ISO 8601 with its offset: the district's; nil is UTC. (The R
	// bundle's files keep UTC.)
	Location *time.Location
	// Labels writes the answers of choice questions as their option labels
	// (zh-CN) instead of their codes.
	Labels bool
	NoBOM  bool
	// Scope limits the responses (and the street figures of a summary) to
	// one street: a supervisor's.
	Scope store.Scope
	// MinN flags summary figures on fewer respondents as small.
	MinN int64
	// LonelyPSU is the policy for a stratum with one PSU in the summary
	// and the R bundle (R's default, fail, unless set): the dashboard's
	// links ask for adjust, as its figures are.
	LonelyPSU stats.LonelyPSU
	// Variance is the variance estimator of the summary and the R bundle:
	// two stages without replacement (the default) or with replacement.
	Variance stats.Variance
}

// roundDef returns a round and its questionnaire.
func roundDef(ctx context.Context, db *store.DB, roundID int64) (store.Round, *questionnaire.Definition, error) {
	r, err := db.RoundByID(ctx, roundID)
	if err != nil {
		return r, nil, err
	}
	def, err := questionnaire.ParseJSON(r.Questionnaire, []byte(r.Definition))
	if err != nil {
		return r, nil, apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", roundID)
	}
	return r, def, nil
}

// responseHead are the columns of the responses table before the
// questions: ids, where, who, when and how it ended.
var responseHead = []export.Column{
	{Name: "response_id", Kind: export.Integer}, {Name: "assignment_id", Kind: export.Integer}, {Name: "client_id", Kind: export.Text, Width: 38},
	{Name: "stratum", Kind: export.Integer}, {Name: "street", Kind: export.Text}, {Name: "community", Kind: export.Text},
	{Name: "building", Kind: export.Text}, {Name: "household", Kind: export.Text}, {Name: "interviewer", Kind: export.Text},
	{Name: "started_at", Kind: export.Time}, {Name: "completed_at", Kind: export.Time}, {Name: "received_at", Kind: export.Time},
	{Name: "disposition", Kind: export.Text}, {Name: "final_disposition", Kind: export.Text}, {Name: "review", Kind: export.Text},
}

// responseTail are the design columns after the indicators: the PSU and
// the weighting's way from the base weight to the final weight, so that
// the weighting can be redone from the export (see WriteResponses).
var responseTail = []export.Column{{Name: "psu", Kind: export.Integer}, {Name: "base_weight", Kind: export.Number},
	{Name: "sample_factor", Kind: export.Number}, {Name: "nr_class", Kind: export.Text}, {Name: "nr_factor", Kind: export.Number},
	{Name: "hh_factor", Kind: export.Number}, {Name: "input_weight", Kind: export.Number}, {Name: "cal_cell", Kind: export.Integer},
	{Name: "cal_factor", Kind: export.Number}, {Name: "imputed", Kind: export.Text}, {Name: "weight", Kind: export.Number},
	{Name: "p1", Kind: export.Number}, {Name: "p2", Kind: export.Number}, {Name: "certainty", Kind: export.Integer},
	{Name: "community_households", Kind: export.Integer}, {Name: "street_households", Kind: export.Integer}}

// WriteResponses writes a round's accepted responses within o.Scope, one
// row per response: ids, street, community, building, household,
// interviewer, times, dispositions, review; one column per question (codes,
// or labels with o.Labels; a multiple choice as its codes joined by ";");
// one per indicator (the values the estimates use); stratum (street id),
// PSU and the weighting's steps: base weight, sample factor (m/(m+k) where
// reserves enlarged a community's sample), non-response class and factor,
// within-household factor (the household's adults for person weights),
// the weight before calibration, calibration cell and factor, what was
// imputed, and the final weight (the base weight before the round is
// weighted; empty for a screened-out interview, which is in no estimate);
// for a calibrated round, one cal_<question> column per calibration
// variable with the category calibration used (the answer, or what was
// imputed for it). Then the design, so that R users can rebuild it
// without minyi: p1 (the community's inclusion probability; the
// household's in SRS), p2 (the household's conditional probability in its
// community), certainty (1 when p1 = 1: a community taken for sure) and
// the frame's households in the community and in the street, the sizes
// the probabilities come from; R's svydesign(ids = ~psu + response_id,
// strata = ~stratum, fpc = ~p1 + p2, pps = "brewer", weights = ~weight)
// gives minyi's variance. The responses stream from the database: memory
// stays flat however many there are.
func WriteResponses(ctx context.Context, db *store.DB, roundID int64, o ExportOptions, book export.Book) error {
	_, def, err := roundDef(ctx, db, roundID)
	if err != nil {
		return err
	}
	calVars, _, err := calibrationVariables(ctx, db, roundID)
	if err != nil {
		return err
	}
	qs := def.Questions()
	cols := append([]export.Column{}, responseHead...)
	for _, q := range qs {
		k := export.Text // text, a multiple choice's codes, labels
		switch q.Type {
		case questionnaire.TypeInteger:
			k = export.Integer
		case questionnaire.TypeSingleChoice, questionnaire.TypeYesNo, questionnaire.TypeSatisfaction:
			if !o.Labels {
				k = export.Integer
			}
		}
		cols = append(cols, export.Column{Name: q.Code, Kind: k})
	}
	for _, ind := range def.Indicators {
		cols = append(cols, export.Column{Name: ind.ID, Kind: export.Number})
	}
	cols = append(cols, responseTail...)
	for _, v := range calVars {
		cols = append(cols, export.Column{Name: "cal_" + v, Kind: export.Integer})
	}
	tab, err := book.Table("responses", cols)
	if err != nil {
		return err
	}
	cells := make([]any, len(cols))
	nq := len(responseHead)
	ni := nq + len(qs)
	nt := ni + len(def.Indicators)
	var sb strings.Builder
	return db.ExportResponses(ctx, roundID, o.Scope, func(r *store.ExportRow) error {
		clear(cells)
		cells[0], cells[1], cells[2] = r.ID, r.AssignmentID, r.ClientID
		cells[3], cells[4], cells[5] = r.StreetID, r.Street, r.Community
		cells[6], cells[7], cells[8] = r.Building, r.Household, r.Interviewer
		if r.StartedAt.Valid {
			cells[9] = r.StartedAt.Time
		}
		if r.CompletedAt.Valid {
			cells[10] = r.CompletedAt.Time
		}
		cells[11], cells[12], cells[13], cells[14] = r.ReceivedAt, r.Disposition, r.FinalDisposition, r.Review
		ans, err := questionnaire.ParseResponse([]byte(r.Answers))
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "answers of response %d", r.ID)
		}
		for i, q := range qs {
			a, ok := ans[q.Code]
			if !ok {
				continue
			}
			switch a.Kind {
			case questionnaire.AnswerNumber:
				if o.Labels && q.Type != questionnaire.TypeInteger {
					cells[nq+i] = optionText(q, a.Number)
				} else {
					cells[nq+i] = int64(a.Number)
				}
			case questionnaire.AnswerList:
				sb.Reset()
				for k, c := range a.List {
					if k > 0 {
						sb.WriteByte(';')
					}
					if o.Labels {
						sb.WriteString(optionText(q, c))
					} else {
						sb.WriteString(strconv.Itoa(c))
					}
				}
				cells[nq+i] = sb.String()
			case questionnaire.AnswerText:
				cells[nq+i] = a.Text
			}
		}
		for i, ind := range def.Indicators {
			if v, ok := r.Values[ind.ID]; ok {
				cells[ni+i] = v
			}
		}
		cells[nt], cells[nt+1] = r.PSU, r.BaseWeight
		for i, x := range []sql.NullFloat64{r.SampleFactor, r.NRFactor, r.HHFactor, r.InputWeight, r.CalFactor, r.Weight} {
			if x.Valid {
				cells[nt+[]int{2, 4, 5, 6, 8, 10}[i]] = x.Float64
			}
		}
		if r.NRClass.Valid {
			cells[nt+3] = r.NRClass.String
		}
		if r.CalCell.Valid {
			cells[nt+7] = r.CalCell.Int64
		}
		cells[nt+11], cells[nt+12] = r.Prob1, r.Prob2
		cells[nt+13] = int64(0)
		if r.Prob1 == 1 {
			cells[nt+13] = int64(1)
		}
		cells[nt+14], cells[nt+15] = r.CommunityHouseholds, r.StreetHouseholds
		imputed, err := weighting.ParseImputed(r.Imputed)
		if err != nil {
			return err
		}
		if len(imputed) > 0 {
			cells[nt+9] = weighting.DescribeImputed(imputed)
		}
		for k, v := range calVars {
			if !r.CalCell.Valid {
				continue // not calibrated: screened out, or accepted after the weighting
			}
			if im, ok := imputed[v]; ok {
				cells[nt+len(responseTail)+k] = int64(im.Code)
			} else if code, ok := ans.GroupCode(v); ok {
				cells[nt+len(responseTail)+k] = int64(code)
			}
		}
		return tab.Row(cells)
	})
}

// dispositionColumns are the columns of the dispositions export.
var dispositionColumns = []export.Column{
	{Name: "assignment_id", Kind: export.Integer}, {Name: "stratum", Kind: export.Integer}, {Name: "street", Kind: export.Text},
	{Name: "community", Kind: export.Text}, {Name: "psu", Kind: export.Integer}, {Name: "building", Kind: export.Text},
	{Name: "household", Kind: export.Text}, {Name: "reserve_rank", Kind: export.Integer}, {Name: "replaces_id", Kind: export.Integer},
	{Name: "replaced_by_id", Kind: export.Integer}, {Name: "interviewer", Kind: export.Text}, {Name: "status", Kind: export.Text},
	{Name: "disposition", Kind: export.Text}, {Name: "aapor", Kind: export.Text}, {Name: "replacement", Kind: export.Text},
	{Name: "attempts", Kind: export.Integer}, {Name: "response_id", Kind: export.Integer}, {Name: "base_weight", Kind: export.Number},
	{Name: "sample_factor", Kind: export.Number}, {Name: "role", Kind: export.Text}, {Name: "nr_class", Kind: export.Text},
}

// WriteDispositions writes every assignment of a round within o.Scope:
// its household, its final disposition and AAPOR category (empty while
// not final), its replacement links (the household a reserve replaces,
// the reserve released for a household), its accepted response, its base
// weight and its part in the weighting (package weighting: the role —
// respondent, nonrespondent, ineligible, unknown, or replaced when a
// reserve substituted it — its non-response class, and the sample factor
// of its community), under the settings of the weighting in force. With
// the responses export it is what redoing the non-response adjustment
// needs: within each class, e = Σw(respondent, nonrespondent) / Σw(those,
// ineligible) and the factor (Σw(respondent, nonrespondent) + e·Σw(unknown))
// / Σw(respondent), w = base_weight × sample_factor (verify.R does it).
func WriteDispositions(ctx context.Context, db *store.DB, roundID int64, o ExportOptions, book export.Book) error {
	if _, err := db.RoundByID(ctx, roundID); err != nil {
		return err
	}
	parts, err := weighting.PlanRound(ctx, db, roundID)
	if err != nil {
		return err
	}
	tab, err := book.Table("dispositions", dispositionColumns)
	if err != nil {
		return err
	}
	cells := make([]any, len(dispositionColumns))
	return db.ExportDispositions(ctx, roundID, o.Scope, func(r *store.DispositionRow) error {
		clear(cells)
		cells[0], cells[1], cells[2], cells[3], cells[4] = r.ID, r.StreetID, r.Street, r.Community, r.PSU
		cells[5], cells[6] = r.Building, r.Household
		for i, x := range []int64{r.ReserveRank, r.ReplacesID, r.ReplacedByID} {
			if x != 0 {
				cells[7+i] = x
			}
		}
		cells[10], cells[11], cells[12], cells[13], cells[14], cells[15] = r.Interviewer, r.Status, r.Disposition, r.Category, r.Replacement, int64(r.Attempts)
		if r.ResponseID != 0 {
			cells[16] = r.ResponseID
		}
		cells[17] = r.BaseWeight
		if p, ok := parts[r.ID]; ok {
			cells[18], cells[19] = p.SampleFactor, string(p.Role)
			if p.Class != "" {
				cells[20] = p.Class
			}
		}
		return tab.Row(cells)
	})
}

// optionText is an option's zh-CN label, or its code when it has none.
func optionText(q *questionnaire.Question, c int) string {
	if o := q.Option(c); o != nil {
		if l := o.Label["zh-CN"]; l != "" {
			return l
		}
	}
	return strconv.Itoa(c)
}

// summaryColumns are the columns of a summary table.
var summaryColumns = []export.Column{
	{Name: "indicator", Kind: export.Text, Width: 20}, {Name: "label", Kind: export.Text, Width: 20}, {Name: "kind", Kind: export.Text},
	{Name: "level", Kind: export.Text}, {Name: "street_id", Kind: export.Integer}, {Name: "street", Kind: export.Text},
	{Name: "estimate", Kind: export.Number}, {Name: "se", Kind: export.Number}, {Name: "ci_low", Kind: export.Number}, {Name: "ci_high", Kind: export.Number},
	{Name: "df", Kind: export.Integer}, {Name: "n", Kind: export.Integer}, {Name: "deff", Kind: export.Number}, {Name: "effective_n", Kind: export.Number},
	{Name: "target", Kind: export.Number}, {Name: "below_target", Kind: export.Text}, {Name: "small", Kind: export.Text},
	{Name: "variance", Kind: export.Text}, {Name: "interval", Kind: export.Text},
}

// Summary returns a round's summary figures: every indicator and the
// composite for the district and each street (only the scope's street
// besides the district). The figures are estimated from the whole design,
// as the dashboard shows them; a scope selects which are written.
func Summary(ctx context.Context, db *store.DB, roundID int64, o ExportOptions) (RoundReport, error) {
	sc := o.Scope
	rep, err := ForRound(ctx, db, roundID, RoundRequest{By: "street", LonelyPSU: o.LonelyPSU, Options: stats.Options{MinN: o.MinN, CI: RoundCI}, Variance: o.Variance})
	if err != nil {
		return rep, err
	}
	if sc.StreetID != 0 {
		kept := rep.Estimates[:0]
		for _, f := range rep.Estimates {
			if f.Domain == stats.NoDomain || f.StreetID == sc.StreetID {
				kept = append(kept, f)
			}
		}
		rep.Estimates = kept
	}
	return rep, nil
}

// WriteSummary writes a round's summary (Summary): one row per indicator
// and level (district, street) with its estimate, interval, df, n, design
// effect and effective n, target, whether it falls short, and the variance
// estimator ("wor": two stages without replacement; "wr": PSUs with
// replacement, which the composite keeps). A CSV has one
// table; an XLSX workbook a sheet for the district and one for the streets,
// rates shown as percentages.
func WriteSummary(ctx context.Context, db *store.DB, roundID int64, o ExportOptions, book export.Book) error {
	rep, err := Summary(ctx, db, roundID, o)
	if err != nil {
		return err
	}
	info := map[string]IndicatorInfo{}
	for _, i := range rep.Indicators {
		info[i.ID] = i
	}
	row := func(f Figure) []any {
		in := info[f.Variable]
		level, street, sid := "district", any(nil), any(nil)
		if f.Domain != stats.NoDomain {
			level, street, sid = "street", f.DomainLabel, f.DomainID
		}
		var target, below any
		if in.Target != nil {
			target = *in.Target
		}
		if f.BelowTarget != nil {
			below = strconv.FormatBool(*f.BelowTarget)
		}
		df := any(int64(f.DF))
		if f.N == 0 {
			df = nil
		}
		return []any{f.Variable, in.Label["zh-CN"], in.Kind, level, sid, street, f.Value, f.SE, f.CILow, f.CIHigh,
			df, f.N, f.Deff, f.EffectiveN, target, below, strconv.FormatBool(f.Small), figureVariance(rep.Variance, f), figureInterval(f)}
	}
	if o.Format == export.FormatXLSX {
		// Rates and the composite shown as percentages, means as numbers:
		// a column has one format, so they get sheets of their own.
		return writeSummaryXLSX(rep, book, row)
	}
	tab, err := book.Table("summary", summaryColumns)
	if err != nil {
		return err
	}
	for _, f := range rep.Estimates {
		if err := tab.Row(row(f)); err != nil {
			return err
		}
	}
	return nil
}

// figureVariance names the variance estimator of a figure of a report
// made with v: a composite keeps the with-replacement one.
func figureVariance(v stats.Variance, f Figure) string {
	if f.Variable == CompositeID {
		return stats.VarianceWR.String()
	}
	return v.String()
}

// figureInterval names the interval of a figure of a summary: a rate's is
// a round's (RoundCI: arcsine, R svyciprop method "asin"); a mean's and
// the composite's are p ± t·se (R method "mean": "wald").
func figureInterval(f Figure) string {
	if f.Kind == stats.Rate && f.Variable != CompositeID {
		return RoundCI.String()
	}
	return stats.CIWald.String()
}

// writeSummaryXLSX writes the summary as sheets: rates (and the composite)
// with percentages, then means and scores as numbers, each for the district
// and the streets.
func writeSummaryXLSX(rep RoundReport, book export.Book, row func(Figure) []any) error {
	pct := append([]export.Column{}, summaryColumns...)
	for i, c := range pct {
		switch c.Name {
		case "estimate", "ci_low", "ci_high", "target":
			pct[i].Kind = export.Fraction
		}
	}
	kind := map[string]string{}
	for _, i := range rep.Indicators {
		kind[i.ID] = i.Kind
	}
	for _, sheet := range []struct {
		name  string
		rates bool
	}{{"rates", true}, {"means", false}} {
		var rows []Figure
		for _, f := range rep.Estimates {
			k := kind[f.Variable]
			if (k == string(questionnaire.KindRate) || k == "composite") == sheet.rates {
				rows = append(rows, f)
			}
		}
		if len(rows) == 0 {
			continue
		}
		cols := summaryColumns
		if sheet.rates {
			cols = pct
		}
		tab, err := book.Table(sheet.name, cols)
		if err != nil {
			return err
		}
		// District first, then streets, each in the report's order.
		sort.SliceStable(rows, func(a, b int) bool {
			return rows[a].Domain == stats.NoDomain && rows[b].Domain != stats.NoDomain
		})
		for _, f := range rows {
			if err := tab.Row(row(f)); err != nil {
				return err
			}
		}
	}
	return nil
}

// codebookColumns are the columns of the codebook.
var codebookColumns = []export.Column{
	{Name: "item", Kind: export.Text}, {Name: "question", Kind: export.Text}, {Name: "type", Kind: export.Text},
	{Name: "code", Kind: export.Text}, {Name: "label_zh", Kind: export.Text, Width: 40}, {Name: "label_en", Kind: export.Text, Width: 40},
	{Name: "definition", Kind: export.Text, Width: 50},
}

// WriteCodebook writes a round's codebook: every question (code, type,
// zh/en labels) followed by its options (code and labels), then every
// indicator with its definition, and the composite.
func WriteCodebook(ctx context.Context, db *store.DB, roundID int64, book export.Book) error {
	_, def, err := roundDef(ctx, db, roundID)
	if err != nil {
		return err
	}
	tab, err := book.Table("codebook", codebookColumns)
	if err != nil {
		return err
	}
	for _, q := range def.Questions() {
		if err := tab.Row([]any{"question", q.Code, string(q.Type), q.Code, q.Label["zh-CN"], q.Label["en"], questionNote(q)}); err != nil {
			return err
		}
		for _, op := range q.Options {
			note := ""
			if op.Special != "" {
				note = string(op.Special)
			}
			if op.Exclusive {
				note = strings.TrimPrefix(note+"; exclusive", "; ")
			}
			if err := tab.Row([]any{"option", q.Code, string(q.Type), strconv.Itoa(op.Code), op.Label["zh-CN"], op.Label["en"], note}); err != nil {
				return err
			}
		}
	}
	for _, ind := range def.Indicators {
		if err := tab.Row([]any{"indicator", ind.Question, string(ind.Kind), ind.ID, ind.Label["zh-CN"], ind.Label["en"], indicatorDefinition(ind)}); err != nil {
			return err
		}
	}
	if c := def.Composite; c != nil {
		ids := make([]string, 0, len(c.Weights))
		for id := range c.Weights {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = fmt.Sprintf("%g × %s", c.Weights[id], id)
		}
		d := "weighted sum: " + strings.Join(parts, " + ")
		if c.Target != nil {
			d += fmt.Sprintf("; target %g", *c.Target)
		}
		if err := tab.Row([]any{"indicator", "", "composite", CompositeID, c.Label["zh-CN"], c.Label["en"], d}); err != nil {
			return err
		}
	}
	return nil
}

func questionNote(q *questionnaire.Question) string {
	var parts []string
	if q.Required {
		parts = append(parts, "required")
	}
	if q.Min != nil && q.Max != nil {
		parts = append(parts, fmt.Sprintf("%d–%d", *q.Min, *q.Max))
	}
	if q.ShowIf != nil {
		parts = append(parts, "shown conditionally")
	}
	return strings.Join(parts, "; ")
}

// indicatorDefinition says in words how an indicator is computed.
func indicatorDefinition(ind *questionnaire.Indicator) string {
	ints := func(xs []int) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = strconv.Itoa(x)
		}
		return strings.Join(s, ",")
	}
	var parts []string
	switch ind.Kind {
	case questionnaire.KindRate:
		parts = append(parts, fmt.Sprintf("1 if %s in {%s}, else 0", ind.Question, ints(ind.Positive)))
	case questionnaire.KindScore:
		codes := make([]int, 0, len(ind.Scores))
		for c := range ind.Scores {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		s := make([]string, len(codes))
		for i, c := range codes {
			s[i] = fmt.Sprintf("%d→%g", c, ind.Scores[c])
		}
		parts = append(parts, "points of "+ind.Question+": "+strings.Join(s, ", "))
	case questionnaire.KindMean:
		parts = append(parts, "mean of "+strings.Join(ind.Of, ", ")+" (those not missing)")
	}
	if ind.DontKnow != "" {
		parts = append(parts, "don't know: "+string(ind.DontKnow))
	}
	if ind.Refused != "" {
		parts = append(parts, "refused: "+string(ind.Refused))
	}
	if len(ind.Excluded) > 0 {
		parts = append(parts, "excluded codes: "+ints(ind.Excluded))
	}
	if ind.Target != nil && !math.IsNaN(*ind.Target) {
		parts = append(parts, fmt.Sprintf("target %g", *ind.Target))
	}
	return strings.Join(parts, "; ")
}
