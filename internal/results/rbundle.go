package results

import (
	"archive/zip"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/buildinfo"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/population"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/weighting"
)

// WriteRBundle writes the R bundle of a round as a zip: responses.csv (the
// responses export, codes), dispositions.csv (every household with its
// part in the weighting), population.csv (the counts a calibrated round
// was calibrated to, one column per calibration variable as cal_<code>),
// minyi.csv (the summary export), communities.csv (the community
// estimates export: direct and model) and verify.R, a script that redoes the
// weighting of a weighted round from those files (sample factors, the
// non-response adjustment, the within-household factor, calibration with
// R's postStratify, rake or calibrate, trimming with trimWeights), checking
// each step against the exported one, builds the design with R's survey
// package — svydesign(ids = ~psu, strata = ~stratum, nest = TRUE) — and
// reproduces every figure of minyi.csv with svymean, svyciprop and
// svycontrast, district and streets, writing both side by side to
// r_figures.csv and stopping with an error if any differs; then it
// reproduces the direct community estimates of communities.csv (svymean
// and svyciprop within each community) and says how to refit the model
// ones with R's sae package. A calibrated
// round's bundle needs every street's responses: a street's is refused.
func WriteRBundle(ctx context.Context, db *store.DB, roundID int64, o ExportOptions, w io.Writer) error {
	round, def, err := roundDef(ctx, db, roundID)
	if err != nil {
		return err
	}
	wt, err := db.LatestWeighting(ctx, roundID)
	weighted := err == nil
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	var cfg weighting.Config
	var rep weighting.Report
	if weighted {
		if err := json.Unmarshal([]byte(wt.Config), &cfg); err != nil {
			return apperr.Wrap(apperr.Internal, err, "weighting of round %d", roundID)
		}
		if err := json.Unmarshal([]byte(wt.Report), &rep); err != nil {
			return apperr.Wrap(apperr.Internal, err, "weighting of round %d", roundID)
		}
		if cfg.Calibration != "none" && o.Scope.StreetID != 0 {
			return apperr.New(apperr.Conflict, "round %d's weights are calibrated to the whole district: its R bundle needs every street's responses (an analyst's export)", roundID)
		}
		if rep.Trimmed > 0 && wt.Calibration != "" {
			return apperr.New(apperr.Conflict, "round %d's calibrated weights were trimmed: R's trimmed design and minyi's differ in their variances, so the R bundle cannot reproduce them; weigh it with bounded calibration (--bounds) instead of trimming", roundID)
		}
	}
	z := zip.NewWriter(w)
	add := func(name string, fill func(io.Writer) error) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now().UTC()})
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "zip %s", name)
		}
		return fill(f)
	}
	csvOpts := ExportOptions{Format: export.FormatCSV, NoBOM: o.NoBOM, Scope: o.Scope, MinN: o.MinN, LonelyPSU: o.LonelyPSU, Variance: o.Variance}
	book := func(fill func(export.Book) error) func(io.Writer) error {
		return func(w io.Writer) error {
			b, err := export.NewBook(w, export.FormatCSV, export.Options{NoBOM: o.NoBOM})
			if err != nil {
				return err
			}
			if err := fill(b); err != nil {
				return err
			}
			return b.Close()
		}
	}
	if err := add("responses.csv", book(func(b export.Book) error { return WriteResponses(ctx, db, roundID, csvOpts, b) })); err != nil {
		return err
	}
	if err := add("dispositions.csv", book(func(b export.Book) error { return WriteDispositions(ctx, db, roundID, csvOpts, b) })); err != nil {
		return err
	}
	calibrated := weighted && cfg.Calibration != "" && cfg.Calibration != "none"
	if calibrated {
		if err := add("population.csv", book(func(b export.Book) error { return writePopulation(ctx, db, cfg.Population, b) })); err != nil {
			return err
		}
	}
	if err := add("minyi.csv", book(func(b export.Book) error { return WriteSummary(ctx, db, roundID, csvOpts, b) })); err != nil {
		return err
	}
	// The community estimates (none when the round has no response yet).
	comm, err := ForCommunities(ctx, db, roundID, CommunityRequest{StreetID: o.Scope.StreetID})
	switch {
	case err == nil:
		if err := add("communities.csv", book(func(b export.Book) error { return writeCommunityReport(comm, b) })); err != nil {
			return err
		}
	case !apperr.Is(err, apperr.NotFound):
		return err
	}
	variance, err := roundVariance(ctx, db, roundID, o.Variance)
	if err != nil {
		return err
	}
	params := rParams{Weighted: weighted, Lonely: strconv.Quote(o.LonelyPSU.String()), Variance: variance.String(), WOR: "FALSE"}
	if variance == stats.VarianceWOR {
		params.WOR = "TRUE"
	}
	if weighted {
		params.weighting(cfg, rep, calibrated)
	}
	script, err := rScript(round, def, params)
	if err != nil {
		return err
	}
	if err := add("verify.R", func(w io.Writer) error { _, err := w.Write(script); return err }); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return apperr.Wrap(apperr.Internal, err, "zip")
	}
	return nil
}

// writePopulation writes a population table for R: street, one column
// per variable (cal_<code>, option codes) and Freq.
func writePopulation(ctx context.Context, db *store.DB, id int64, b export.Book) error {
	p, err := db.PopulationByID(ctx, id)
	if err != nil {
		return err
	}
	counts, err := db.PopulationCounts(ctx, id)
	if err != nil {
		return err
	}
	cols := []export.Column{{Name: "street", Kind: export.Text}}
	for _, v := range p.Variables {
		cols = append(cols, export.Column{Name: "cal_" + v, Kind: export.Integer})
	}
	cols = append(cols, export.Column{Name: "Freq", Kind: export.Number})
	tab, err := b.Table("population", cols)
	if err != nil {
		return err
	}
	row := make([]any, len(cols))
	for _, c := range counts {
		codes, err := population.ParseCell(c.Cell)
		if err != nil || len(codes) != len(p.Variables) {
			return apperr.New(apperr.Internal, "population %d: cell %q", id, c.Cell)
		}
		row[0] = c.Street
		for i, code := range codes {
			row[1+i] = int64(code)
		}
		row[len(row)-1] = c.Count
		if err := tab.Row(row); err != nil {
			return err
		}
	}
	return nil
}

// rParams are the parts of verify.R that follow from the round and its
// weighting.
type rParams struct {
	Round, Questionnaire, Rates, Means, Composite, CompositeID, Lonely string
	Build                                                              string // the minyi that wrote the bundle
	ID                                                                 int64
	Weighted                                                           bool
	Settings, Nonresponse, Adults, AdultsQ, Unit                       string
	Calibration, PostStrata, PostStrataList, Margins                   string
	CalFun, Bounds, Epsilon, MaxIter                                   string
	Trim                                                               string
	// Variance names the estimator ("wor" or "wr"); WOR is R's TRUE or
	// FALSE for it.
	Variance, WOR string
}

// weighting fills the weighting's parameters from its settings.
func (p *rParams) weighting(cfg weighting.Config, rep weighting.Report, calibrated bool) {
	b, _ := json.Marshal(cfg)
	p.Settings = strings.ReplaceAll(string(b), "\n", " ")
	if cfg.Nonresponse != "none" {
		p.Nonresponse = cfg.Nonresponse
	}
	if rep.Unit == store.UnitPerson && cfg.Adults != "" {
		p.Adults, p.AdultsQ = cfg.Adults, strconv.Quote(cfg.Adults)
	}
	if rep.Trimmed > 0 {
		p.Trim = strconv.FormatFloat(cfg.Trim, 'g', -1, 64)
	}
	if !calibrated {
		return
	}
	p.Calibration, p.Unit = cfg.Calibration, rep.Unit
	rvar := func(v string) string {
		if v == weighting.Street {
			return v
		}
		return "cal_" + v
	}
	quoted := func(vs []string) string {
		q := make([]string, len(vs))
		for i, v := range vs {
			q[i] = strconv.Quote(rvar(v))
		}
		return strings.Join(q, ", ")
	}
	var plus []string
	for _, v := range cfg.Variables {
		plus = append(plus, rvar(v))
	}
	p.PostStrata, p.PostStrataList = strings.Join(plus, " + "), quoted(cfg.Variables)
	var ms []string
	for _, m := range cfg.Margins {
		ms = append(ms, "c("+quoted(m)+")")
	}
	p.Margins = strings.Join(ms, ", ")
	num := func(x float64, def string) string {
		if x == 0 {
			return def
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	if cfg.Calibration == "calibrate" {
		p.Epsilon, p.MaxIter = num(cfg.Epsilon, "1e-7"), num(float64(cfg.MaxIter), "50")
		p.CalFun, p.Bounds = strconv.Quote(cfg.CalFun), "-Inf, Inf"
		if len(cfg.Bounds) == 2 {
			p.Bounds = num(cfg.Bounds[0], "0") + ", " + num(cfg.Bounds[1], "0")
		}
	} else {
		p.Epsilon, p.MaxIter = num(cfg.Epsilon, "1"), num(float64(cfg.MaxIter), "10")
	}
}

// rScript writes verify.R for a round.
func rScript(round store.Round, def *questionnaire.Definition, p rParams) ([]byte, error) {
	var rates, means []string
	for _, ind := range def.Indicators {
		if ind.Kind == questionnaire.KindRate {
			rates = append(rates, strconv.Quote(ind.ID))
		} else {
			means = append(means, strconv.Quote(ind.ID))
		}
	}
	var comp []string
	if c := def.Composite; c != nil {
		for _, ind := range def.Indicators { // in the questionnaire's order
			if wt, ok := c.Weights[ind.ID]; ok {
				comp = append(comp, fmt.Sprintf("%s = %s", ind.ID, strconv.FormatFloat(wt, 'g', -1, 64)))
			}
		}
	}
	p.Round, p.ID, p.Questionnaire = strconv.Quote(round.Name), round.ID, fmt.Sprintf("%s@%d", round.Questionnaire, round.QuestionnaireVersion)
	p.Build = buildinfo.Read().Name(store.SchemaVersion())
	p.Rates, p.Means, p.Composite, p.CompositeID = strings.Join(rates, ", "), strings.Join(means, ", "), strings.Join(comp, ", "), strconv.Quote(CompositeID)
	var b bytes.Buffer
	if err := rTemplate.Execute(&b, p); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "R script")
	}
	return b.Bytes(), nil
}

// rTemplate is verify.R (verify.R.tmpl).
//
//go:embed verify.R.tmpl
var rTemplateText string

var rTemplate = template.Must(template.New("verify.R").Parse(rTemplateText))

// ExportTo writes an export of a round to w.
func ExportTo(ctx context.Context, db *store.DB, roundID int64, kind ExportKind, o ExportOptions, w io.Writer) error {
	return withinScope(o.Scope, exportTo(ctx, db, roundID, kind, o, w))
}

// withinScope keeps an error from naming what lies outside a street
// scope: a lonely PSU in another street's stratum (the district figures
// of a supervisor's summary take every street) is said without its name.
// (Issue 23: "stratum 西湖街道 has only one PSU" reached another street's
// supervisor.)
func withinScope(sc store.Scope, err error) error {
	var lonely *stats.LonelyPSUError
	if err == nil || sc.StreetID == 0 || !errors.As(err, &lonely) {
		return err
	}
	return apperr.WithFields("a stratum of the district has only one PSU", map[string]string{
		"lonely_psu": "a street of the district has only one community in the sample: choose adjust (or remove, certainty, average) for its variance"})
}

func exportTo(ctx context.Context, db *store.DB, roundID int64, kind ExportKind, o ExportOptions, w io.Writer) error {
	if kind == ExportRBundle {
		return WriteRBundle(ctx, db, roundID, o, w)
	}
	book, err := export.NewBook(w, o.Format, export.Options{NoBOM: o.NoBOM, Creator: buildinfo.Read().Name(store.SchemaVersion()), Location: o.Location})
	if err != nil {
		return err
	}
	switch kind {
	case ExportResponses:
		err = WriteResponses(ctx, db, roundID, o, book)
		if err == nil && o.Format == export.FormatXLSX {
			err = WriteCodebook(ctx, db, roundID, book) // the codes explained beside them
		}
	case ExportDispositions:
		err = WriteDispositions(ctx, db, roundID, o, book)
	case ExportSummary:
		err = WriteSummary(ctx, db, roundID, o, book)
	case ExportCodebook:
		err = WriteCodebook(ctx, db, roundID, book)
	case ExportCommunities:
		err = WriteCommunities(ctx, db, roundID, o, book)
	default:
		err = apperr.New(apperr.Invalid, "unknown export %q", kind)
	}
	if cerr := book.Close(); err == nil {
		err = cerr
	}
	return err
}

// FileName is the name an export is saved under.
func FileName(round store.Round, kind ExportKind, f export.Format) string {
	ext := string(f)
	if kind == ExportRBundle {
		ext = "zip"
	}
	name := strings.Map(func(r rune) rune {
		if slices.Contains([]rune(`/\:*?"<>|`), r) || r < ' ' {
			return '_'
		}
		return r
	}, round.Name)
	return fmt.Sprintf("%s-%s.%s", name, kind, ext)
}
