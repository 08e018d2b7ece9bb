package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/store"
)

// replacementsView lists the households whose final non-response waits
// for a supervisor to release a reserve, each with its visits.
type replacementsView struct {
	streetView
	Requests []replacementRequest
}

type replacementRequest struct {
	store.Assignment
	LastVisit string
	Visits    []dueVisit
}

type dueVisit struct {
	store.DueVisit
	At, Appointment string
}

// replacementsPage shows the replacement requests awaiting approval in the
// street (an administrator: every street, or the one chosen), each with
// the visit history that justifies it and the forms that approve or
// decline it (POST /api/v1/assignments/:id/replace).
func (s *Server) replacementsPage(c echo.Context) error {
	v, err := s.streetContext(c, true)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	as, err := s.db.DueAssignments(ctx, v.Round.ID, v.StreetID)
	if err != nil {
		return err
	}
	visits, err := s.db.DueVisits(ctx, v.Round.ID, v.StreetID)
	if err != nil {
		return err
	}
	loc := roundRule(v.Round).Location()
	byAssignment := map[int64][]dueVisit{}
	for _, dv := range visits {
		byAssignment[dv.AssignmentID] = append(byAssignment[dv.AssignmentID], dueVisit{DueVisit: dv, At: localTime(dv.AttemptedAt, loc), Appointment: nullLocal(dv.AppointmentAt, loc)})
	}
	rv := replacementsView{streetView: v}
	for _, a := range as {
		rv.Requests = append(rv.Requests, replacementRequest{Assignment: a, LastVisit: nullLocal(a.LastVisitAt, loc), Visits: byAssignment[a.ID]})
	}
	return s.render(c, "street_replacements", "street.replacements.title", rv)
}
