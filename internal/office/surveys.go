package office

import (
	"fmt"
	"maps"
	"net/url"
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
	Title langText
}

// Survey shows a questionnaire version as the interviewer will see it, in
// one of its languages at a time (?qlang=, the page's by default) with a
// switch to the others: /surveys/SLUG
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
	lang := s.ui.Lang(c)
	view := buildSurveyView(v, versions, d, lang, textLanguage(c.QueryParam("qlang"), lang, d.Languages))
	if len(d.Languages) > 1 {
		view.Languages = languageLinks(c.Request().URL, d.Languages, view.Lang)
	}
	return s.ui.Render(c, "survey", "survey.title", view)
}

// langText is a text of the questionnaire in one language, with that
// language's tag for the page's lang attribute.
type langText struct {
	Text, Lang string
}

// pickText returns t in lang, or in the first of langs it has.
func pickText(t map[string]string, lang string, langs []string) langText {
	if s, ok := t[lang]; ok {
		return langText{Text: s, Lang: lang}
	}
	for _, l := range langs {
		if s, ok := t[l]; ok {
			return langText{Text: s, Lang: l}
		}
	}
	return langText{}
}

// langLink is one entry of the page's switch between the questionnaire's
// languages.
type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// languageNames are the switch's words for the questionnaire languages, each
// in its own language.
var languageNames = map[string]string{"zh-CN": "中文", "en": "English"}

// textLanguage is the questionnaire language the page shows: the one asked
// for (?qlang=), else the page's language, else the questionnaire's first.
func textLanguage(asked, page string, langs []string) string {
	for _, l := range []string{asked, page} {
		if slices.Contains(langs, l) {
			return l
		}
	}
	if len(langs) > 0 {
		return langs[0]
	}
	return page
}

// languageLinks are the links of the language switch, each the page's own
// address with ?qlang= set.
func languageLinks(u *url.URL, langs []string, current string) []langLink {
	links := make([]langLink, 0, len(langs))
	for _, l := range langs {
		q := u.Query()
		q.Set("qlang", l)
		name := languageNames[l]
		if name == "" {
			name = l
		}
		links = append(links, langLink{Lang: l, Name: name, URL: u.Path + "?" + q.Encode(), Current: l == current})
	}
	return links
}

type surveyView struct {
	Version    store.QuestionnaireVersion
	Versions   []store.QuestionnaireVersion
	Hash       string // shortened
	Title      langText
	Intro      langText
	Lang       string     // the questionnaire language shown
	Languages  []langLink // the switch, when there are several
	Sections   []sectionView
	Indicators []indicatorView
	Composite  *compositeView
}

type sectionView struct {
	ID        string
	Title     langText
	ShowIf    string
	Questions []questionView
}

type questionView struct {
	N          int
	Code       string
	Type       string
	Label      langText
	Help       langText
	Required   bool
	Range      string // integer bounds
	MaxLength  int    // text only
	Options    []optionView
	ShowIf     string
	EndIf      string
	EndMessage langText
}

type optionView struct {
	Code      int
	Label     langText
	Exclusive bool
	Special   string
}

type indicatorView struct {
	ID       string
	Kind     string
	Role     string
	Label    langText
	Question string
	Counts   string // the codes, points or indicators it counts
	DontKnow string
	Refused  string
	Target   string
}

type compositeView struct {
	Label   langText
	Weights string
	Target  string
}

// buildSurveyView lays a definition out for the preview page: its texts in
// qlang, the rules in words of the page's language lang. The options of
// yes_no and satisfaction questions are the built-in ones that checking
// the definition filled in.
func buildSurveyView(v store.QuestionnaireVersion, versions []store.QuestionnaireVersion, d *questionnaire.Definition, lang, qlang string) surveyView {
	text := func(t questionnaire.Text) langText { return pickText(t, qlang, d.Languages) }
	view := surveyView{
		Lang:     qlang,
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
