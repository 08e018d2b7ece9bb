package streetoffice

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

// reviewPageSize is how many responses one page of the review queue shows.
const reviewPageSize = 100

// reviewStates are the review filter's values ("" for all).
var reviewStates = []string{"pending", "flagged", "accepted", "returned"}

// reviewView is the review queue of a street (or every street).
type reviewView struct {
	streetView
	Rows   []reviewRow
	Review string
	States []string
	Pager  pager
	Done   string // the response just reviewed
}

// reviewRow is a response of the queue with its flags and timing.
type reviewRow struct {
	store.ReviewRow
	FlagList       []fieldwork.Flag
	Started, Ended string
	Duration       string
	Href           string
}

// timing formats an interview's start, end and duration in loc.
func timing(started, completed time.Time, loc *time.Location) (from, to, dur string) {
	from, to = localTime(started, loc), localTime(completed, loc)
	if !started.IsZero() && !completed.IsZero() {
		d := completed.Sub(started).Round(time.Second)
		if d < 0 {
			dur = "−" + (-d).String()
		} else {
			dur = fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
		}
	}
	return from, to, dur
}

func flagsOf(raw string) []fieldwork.Flag {
	var fs []fieldwork.Flag
	_ = json.Unmarshal([]byte(raw), &fs) // written by rounds.Submit; none otherwise
	return fs
}

// Review lists the responses with quality flags (or flagged by a
// supervisor) awaiting review, with each flag's reason and the interview's
// timing; each links to its detail page.
func (s *Handler) Review(c echo.Context) error {
	v, err := s.streetContext(c, true)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	rv := reviewView{streetView: v, Review: "pending", States: reviewStates, Done: c.QueryParam("done")}
	if q, ok := c.QueryParams()["review"]; ok {
		rv.Review = q[0]
		if rv.Review != "" && !slices.Contains(reviewStates, rv.Review) {
			return apperr.WithFields("invalid filter", map[string]string{"review": "pending, flagged, accepted or returned"})
		}
	}
	rows, total, err := s.db.ReviewQueue(c.Request().Context(), v.Round.ID, v.StreetID, rv.Review, reviewPageSize, (page-1)*reviewPageSize)
	if err != nil {
		return err
	}
	loc := s.ui.Location() // the district's zone: every page's times and days
	base := "/rounds/" + strconv.FormatInt(v.Round.ID, 10) + "/review/"
	for _, r := range rows {
		row := reviewRow{ReviewRow: r, FlagList: localFlags(flagsOf(r.Flags), s.ui.Lang(c)), Href: base + strconv.FormatInt(r.ID, 10)}
		row.Started, row.Ended, row.Duration = timing(r.StartedAt.Time, r.CompletedAt.Time, loc)
		rv.Rows = append(rv.Rows, row)
	}
	rv.Pager = newPager(v, c.Request().URL.Path, page, reviewPageSize, total, len(rows))
	if page > rv.Pager.Pages {
		return apperr.New(apperr.NotFound, "page %d not found", page)
	}
	return s.ui.Render(c, "street_review", "street.review.title", rv)
}

// responseView is one response for review: its answers with the
// questions' and options' labels in the page language, its timing, flags
// and position.
type responseView struct {
	streetView
	Response                 store.Response
	Flags                    []fieldwork.Flag
	Answers                  []answerRow
	Started, Ended, Duration string
	Received                 string
	Place                    store.ResponsePlace
	Lat, Lon, Acc            string
	API, Back                string
	Reviewable               bool
}

// answerRow is a question and the answer given, as words.
type answerRow struct {
	Code, Label, Answer string
	Section             string
}

// ReviewResponse shows one response of the round in the caller's
// street, with the forms that accept it, flag it or send it back (POST
// /api/v1/responses/:id/review).
func (s *Handler) ReviewResponse(c echo.Context) error {
	v, err := s.streetContext(c, true)
	if err != nil {
		return err
	}
	id, err := request.IDParam(c, "response", "response")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	scope := store.Scope{StreetID: v.StreetID}
	r, err := s.db.ResponseByID(ctx, id, scope)
	if err != nil {
		return err
	}
	if r.RoundID != v.Round.ID {
		return apperr.New(apperr.NotFound, "response %d not found in this round", id)
	}
	place, err := s.db.ResponsePlaceByID(ctx, id, v.StreetID)
	if err != nil {
		return err
	}
	def, err := questionnaire.ParseJSON("round.json", []byte(v.Round.Definition))
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "stored definition of round %d does not parse", v.Round.ID)
	}
	loc := s.ui.Location() // the district's zone: every page's times and days
	rv := responseView{streetView: v, Response: r, Flags: localFlags(flagsOf(r.Flags), s.ui.Lang(c)), Place: place,
		Received: localTime(r.ReceivedAt, loc), Reviewable: r.Status == "accepted",
		API:  "/api/v1/responses/" + strconv.FormatInt(id, 10) + "/review",
		Back: v.href("/rounds/"+strconv.FormatInt(v.Round.ID, 10)+"/review", "done", strconv.FormatInt(id, 10))}
	rv.Started, rv.Ended, rv.Duration = timing(r.StartedAt.Time, r.CompletedAt.Time, loc)
	if place.Latitude.Valid && place.Longitude.Valid {
		rv.Lat, rv.Lon = strconv.FormatFloat(place.Latitude.Float64, 'f', 5, 64), strconv.FormatFloat(place.Longitude.Float64, 'f', 5, 64)
		if place.AccuracyM.Valid {
			rv.Acc = strconv.FormatFloat(place.AccuracyM.Float64, 'f', 0, 64)
		}
	}
	ans, err := questionnaire.ParseResponse([]byte(r.Answers))
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "stored answers of response %d do not parse", id)
	}
	rv.Answers = answerRows(def, ans, s.ui.Lang(c))
	return s.ui.Render(c, "street_response", "street.response.title", rv)
}

// answerRows lays out the answered questions in questionnaire order with
// labels in lang (or the questionnaire's first language).
func answerRows(def *questionnaire.Definition, ans questionnaire.Response, lang string) []answerRow {
	text := func(t questionnaire.Text) string {
		if s, ok := t[lang]; ok {
			return s
		}
		for _, l := range def.Languages {
			if s, ok := t[l]; ok {
				return s
			}
		}
		return ""
	}
	option := func(q *questionnaire.Question, code int) string {
		if o := q.Option(code); o != nil {
			return text(o.Label)
		}
		return strconv.Itoa(code)
	}
	var out []answerRow
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			a, ok := ans[q.Code]
			if !ok || a.Kind == questionnaire.AnswerNone {
				continue
			}
			row := answerRow{Code: q.Code, Label: text(q.Label), Section: text(sec.Title)}
			switch a.Kind {
			case questionnaire.AnswerNumber:
				if q.Type.IsChoice() {
					row.Answer = option(q, a.Number)
				} else {
					row.Answer = strconv.Itoa(a.Number)
				}
			case questionnaire.AnswerList:
				parts := make([]string, len(a.List))
				for i, code := range a.List {
					parts[i] = option(q, code)
				}
				sep := "; " // an English page's list
				if lang == "zh-CN" {
					sep = "；"
				}
				row.Answer = strings.Join(parts, sep)
			case questionnaire.AnswerText:
				row.Answer = a.Text
			default:
				row.Answer = "?"
			}
			out = append(out, row)
		}
	}
	return out
}
