package dashboard

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/buildinfo"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/weighting"
)

// reportPage is the printable report for a district's leadership
// (report.html, A4 print CSS in dashboard.css).
type reportPage struct {
	dashHeader
	Generated string
	Empty     bool
	Table     table
	Primary   *dashColumn
	Forests   []*forestChart
	Items     *barChart
	Weakest   []weakRow
	Field     fieldSection
	Methods   methods
	Target    targetNote
	// Conclusions are the sentences the report opens with (conclusions.go).
	Conclusions []string
}

// weakRow is a street's weakest satisfaction items.
type weakRow struct {
	Street string
	Cells  []dashCell
}

// methods is the methods section, generated from the round.
type methods struct {
	Kind, Questionnaire  string
	QuestionnaireVersion int
	Sample               string
	Design               string // two-stage or stratified-srs
	Allocation           string
	// PlannedN is the design's requested sample size (the draw may take
	// a few households more or fewer: Households.Drawn is what it took).
	PlannedN     int
	PerCommunity int
	// Households are the round's household counts, as every page shows
	// them (rounds.Service.Households); Interim: the rates are not final.
	Households  fieldwork.Households
	Interim     bool
	Interviews  int
	RR1, RR3    float64
	Weighted    bool
	Nonresponse string
	Calibration string
	Trim        float64
	Level       float64
	// Variance is the estimator of the figures' standard errors: "wor"
	// (two stages without replacement) or "wr" (with replacement).
	Variance string
	MinCell  int
	Software string
	// Zone is the district's time zone (its IANA name), in which the
	// report gives its times and draws its days; Offset is its UTC offset
	// when the report is made ("UTC+08:00", "UTC+05:30").
	Zone, Offset string
}

// Report is the printable report: key figures with their intervals,
// the league table, a forest plot per headline rate, the weakest items per
// street, fieldwork and the methods.
func (s *Handler) Report(c echo.Context) error {
	d, err := s.loadDashRound(c)
	if err != nil {
		return err
	}
	p := reportPage{dashHeader: d.header(), Generated: d.now.In(d.loc).Format("2006-01-02 15:04")}
	if p.Field, err = s.fieldworkSection(d, d.caller.Scope(), "street", nil); err != nil {
		return err
	}
	if p.Methods, err = s.methodsOf(d, p.Field); err != nil {
		return err
	}
	p.Methods.Zone, p.Methods.Offset = zoneOf(d.now.In(d.loc))
	rep, ok, err := s.estimates(d, "street", 0, false)
	if err != nil {
		return err
	}
	p.Empty = !ok
	if !ok {
		return s.ui.Render(c, "report", "dash.report.title", p)
	}
	p.Methods.Variance = rep.Variance.String()
	head, items := dashColumns(d.def, rep.Indicators, d.lang, d.q.Target)
	d.q.Domain, d.q.Group, d.q.Code = "", "", -1
	p.Table = s.streetTable(d, head, items, rep, results.RoundReport{})
	p.Target = noteOf(append(head, items...), d.q.Target)
	if len(head) > 0 {
		p.Primary = head[len(head)-1] // the table stays in the district's order
	}
	for _, col := range head {
		dc := p.Table.District.cell(col.ID)
		p.Forests = append(p.Forests, newForest("forest-"+col.ID, "dash.chart.forest", col.Label, col, p.Table.Rows, &dc))
	}
	if len(items) > 0 {
		p.Items = newBars("items", "dash.chart.items", "", weakest(p.Table.District, items, 0))
		for _, r := range p.Table.Rows {
			p.Weakest = append(p.Weakest, weakRow{Street: r.Name, Cells: weakest(r, items, 3)})
		}
	}
	p.Conclusions = conclusions(d, "", "", p.Table.District, head, items, p.Table.Rows)
	return s.ui.Render(c, "report", "dash.report.title", p)
}

// methodsOf describes how the round's figures were made: the sample's
// design and size, the response rates, the weighting, the intervals and
// the software.
func (s *Handler) methodsOf(d *dashRound, f fieldSection) (methods, error) {
	m := methods{Kind: d.info.Kind, Questionnaire: d.info.Questionnaire, QuestionnaireVersion: d.info.QuestionnaireVersion,
		Sample: d.info.Sample, Households: f.Households, Interim: f.Interim, Interviews: f.Total.I, RR1: f.Total.RR1, RR3: f.Total.RR3,
		Level: 0.95, MinCell: d.minCell, Software: software(), Variance: "wor"}
	if d.info.Sample != "" {
		smp, err := s.db.SampleByName(d.ctx, d.info.Sample)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return m, err
		}
		var design struct {
			Spec struct {
				Design       string `json:"design"`
				N            int    `json:"n"`
				Allocation   string `json:"allocation"`
				PerCommunity int    `json:"per_community"`
			} `json:"spec"`
		}
		if err == nil && json.Unmarshal([]byte(smp.Design), &design) == nil {
			m.Design, m.PlannedN, m.Allocation = design.Spec.Design, design.Spec.N, design.Spec.Allocation
			m.PerCommunity = design.Spec.PerCommunity
		}
	}
	w, err := s.db.LatestWeighting(d.ctx, d.info.ID)
	switch {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		return m, err
	default:
		var cfg weighting.Config
		if json.Unmarshal([]byte(w.Config), &cfg) == nil {
			m.Weighted, m.Nonresponse, m.Calibration, m.Trim = true, cfg.Nonresponse, cfg.Calibration, cfg.Trim
		}
	}
	return m, nil
}

// software names the program that made the figures: minyi's build (its
// version and revision), Go's and the schema's.
func software() string { return buildinfo.Read().Name(store.SchemaVersion()) }

// zoneOf names the time zone of t: its IANA name and its UTC offset at t.
func zoneOf(t time.Time) (name, offset string) {
	_, sec := t.Zone()
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return t.Location().String(), fmt.Sprintf("UTC%s%02d:%02d", sign, sec/3600, sec%3600/60)
}
