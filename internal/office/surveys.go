package office

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// Surveys lists the questionnaires.
func (s *Handler) Surveys(c echo.Context) error {
	qs, err := survey.List(c.Request().Context(), s.db)
	if err != nil {
		return err
	}
	lang := s.ui.Lang(c)
	rows := make([]surveyRow, len(qs))
	for i, q := range qs {
		rows[i] = surveyRow{Questionnaire: q, Title: pickText(q.Title, lang, []string{"zh-CN", "en"})}
	}
	return s.ui.Render(c, "surveys", "surveys.title", rows)
}

type surveyRow struct {
	store.Questionnaire
	Title bilingual
}

// Survey shows a questionnaire version as the interviewer will see it,
// in the page language with the other language beneath: /surveys/SLUG
// (newest published, or the draft while nothing is published) and
// /surveys/SLUG/VERSION (a number, latest or draft).
func (s *Handler) Survey(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ref, err := survey.ParseRef(c.Param("version"))
	if err != nil {
		return apperr.New(apperr.NotFound, "version %q not found: use a number, latest or draft", c.Param("version"))
	}
	q, versions, err := survey.Versions(ctx, s.db, slug)
	if err != nil {
		return err
	}
	if c.Param("version") == "" && q.Latest == 0 {
		ref = survey.Ref{Draft: true}
	}
	v, d, err := survey.Get(ctx, s.db, slug, ref)
	if err != nil {
		return err
	}
	return s.ui.Render(c, "survey", "survey.title", buildSurveyView(v, versions, d, s.ui.Lang(c)))
}

// bilingual is a text in the page language with the same text in another
// language of the questionnaire, shown beneath.
type bilingual struct {
	Text, Alt, AltLang string
}

// pickText returns t in lang (or the first of langs it has) with its
// translation into the first other language of langs.
func pickText(t map[string]string, lang string, langs []string) bilingual {
	var b bilingual
	main := lang
	if s, ok := t[lang]; ok {
		b.Text = s
	} else {
		for _, l := range langs {
			if s, ok := t[l]; ok {
				b.Text, main = s, l
				break
			}
		}
	}
	for _, l := range langs {
		if s, ok := t[l]; ok && l != main && s != "" {
			b.Alt, b.AltLang = s, l
			break
		}
	}
	return b
}

type surveyView struct {
	Version    store.QuestionnaireVersion
	Versions   []store.QuestionnaireVersion
	Hash       string // shortened
	Title      bilingual
	Intro      bilingual
	Sections   []sectionView
	Indicators []indicatorView
	Composite  *compositeView
}

type sectionView struct {
	ID        string
	Title     bilingual
	ShowIf    string
	Questions []questionView
}

type questionView struct {
	N          int
	Code       string
	Type       string
	Label      bilingual
	Help       bilingual
	Required   bool
	Range      string // integer bounds
	MaxLength  int    // text only
	Options    []optionView
	ShowIf     string
	EndIf      string
	EndMessage bilingual
}

type optionView struct {
	Code      int
	Label     bilingual
	Exclusive bool
	Special   string
}

type indicatorView struct {
	ID       string
	Kind     string
	Role     string
	Label    bilingual
	Question string
	Counts   string // the codes, points or indicators it counts
	DontKnow string
	Refused  string
	Target   string
}

type compositeView struct {
	Label   bilingual
	Weights string
	Target  string
}

// buildSurveyView lays a definition out for the preview page in lang. The
// options of yes_no and satisfaction questions are the built-in ones that
// checking the definition filled in.
func buildSurveyView(v store.QuestionnaireVersion, versions []store.QuestionnaireVersion, d *questionnaire.Definition, lang string) surveyView {
	text := func(t questionnaire.Text) bilingual { return pickText(t, lang, d.Languages) }
	view := surveyView{
		Version:  v,
		Versions: versions,
		Hash:     v.ContentHash[:min(12, len(v.ContentHash))],
		Title:    text(d.Title),
		Intro:    text(d.Intro),
	}
	n := 0
	for _, sec := range d.Sections {
		sv := sectionView{ID: sec.ID, Title: text(sec.Title), ShowIf: survey.DescribeSectionShowIf(d, sec.ShowIf, lang)}
		for _, q := range sec.Questions {
			n++
			qv := questionView{
				N: n, Code: q.Code, Type: string(q.Type),
				Label: text(q.Label), Help: text(q.Help), Required: q.Required,
				ShowIf: survey.DescribeShowIf(d, q.ShowIf, lang),
				EndIf:  survey.DescribeEnd(d, q.EndIf, lang),
			}
			if q.Type == questionnaire.TypeInteger && q.Min != nil && q.Max != nil {
				qv.Range = fmt.Sprintf("%d–%d", *q.Min, *q.Max)
			}
			if q.Type == questionnaire.TypeText {
				qv.MaxLength = q.MaxLength
			}
			if q.EndIf != nil {
				qv.EndMessage = text(q.EndIf.Message)
			}
			for _, o := range q.Options {
				qv.Options = append(qv.Options, optionView{Code: o.Code, Label: text(o.Label), Exclusive: o.Exclusive, Special: string(o.Special)})
			}
			sv.Questions = append(sv.Questions, qv)
		}
		view.Sections = append(view.Sections, sv)
	}
	for _, ind := range d.Indicators {
		iv := indicatorView{
			ID: ind.ID, Kind: string(ind.Kind), Role: string(ind.Role), Label: text(ind.Label),
			Question: ind.Question, DontKnow: string(ind.DontKnow), Refused: string(ind.Refused),
			Target: survey.TargetText(ind),
		}
		switch ind.Kind {
		case questionnaire.KindRate:
			iv.Counts = survey.CodesText(d, ind.Question, ind.Positive, lang)
		case questionnaire.KindScore:
			codes := slices.Sorted(maps.Keys(ind.Scores))
			parts := make([]string, len(codes))
			for i, code := range codes {
				parts[i] = fmt.Sprintf("%d → %g", code, ind.Scores[code])
			}
			iv.Counts = strings.Join(parts, ", ")
		case questionnaire.KindMean:
			iv.Counts = strings.Join(ind.Of, ", ")
		}
		view.Indicators = append(view.Indicators, iv)
	}
	if cp := d.Composite; cp != nil {
		view.Composite = &compositeView{Label: text(cp.Label), Weights: survey.WeightsText(cp), Target: survey.CompositeTargetText(d)}
	}
	return view
}
