package streetoffice

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
)

// fieldworkView is a round's progress in a street (or every street):
// per interviewer and per community, and the appointments due today.
type fieldworkView struct {
	streetView
	ByInterviewer, ByCommunity []ui.ProgressRow
	Total                      ui.ProgressRow
	Appointments               []appointmentRow
	Today                      string // the round's local date
	Zone                       string
	UpdatedAt                  string
	// LiveTotal: the API's total is this page's (the street of a
	// supervisor, or every street), so the poller may update it.
	LiveTotal bool
	API       string
	// Households are the round's household counts in the page's street
	// (rounds.Service.Households, as on every page); Interim: the round
	// is not closed, so its rates are on the households closed so far.
	Households fieldwork.Households
	Interim    bool
}

type appointmentRow struct {
	store.Appointment
	At string
}

// Fieldwork shows a round's progress, which street_fieldwork.js keeps
// up to date from GET /api/v1/rounds/:id/progress.
func (s *Handler) Fieldwork(c echo.Context) error {
	v, err := s.streetContext(c, true)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	caller := request.Caller(c)
	byI, err := s.rounds.StreetProgress(ctx, caller, v.Round.ID, "interviewer", v.StreetID)
	if err != nil {
		return err
	}
	byC, err := s.rounds.StreetProgress(ctx, caller, v.Round.ID, "community", v.StreetID)
	if err != nil {
		return err
	}
	hs, err := s.rounds.RoundHouseholds(ctx, v.Round, store.Scope{StreetID: v.StreetID})
	if err != nil {
		return err
	}
	loc := s.ui.Location() // the district's zone: every page's times and days
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	aps, err := s.db.Appointments(ctx, v.Round.ID, v.StreetID, day, day.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	fv := fieldworkView{streetView: v, ByInterviewer: ui.ProgressRowsOf(byI.Groups), ByCommunity: ui.ProgressRowsOf(byC.Groups),
		Total: ui.ProgressRowOf(byI.Total), Today: day.Format(time.DateOnly), Zone: loc.String(), UpdatedAt: now.Format("15:04:05"),
		LiveTotal:  request.User(c).Role == store.RoleSupervisor || v.StreetID == 0,
		API:        "/api/v1/rounds/" + strconv.FormatInt(v.Round.ID, 10) + "/progress",
		Households: hs, Interim: fieldwork.Interim(v.Round.Status)}
	for _, a := range aps {
		fv.Appointments = append(fv.Appointments, appointmentRow{Appointment: a, At: a.AppointmentAt.In(loc).Format("15:04")})
	}
	return s.ui.Render(c, "street_fieldwork", "street.fieldwork.title", fv)
}
