package streetoffice

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// replacementsView lists the households whose final non-response waits
// for a supervisor to release a reserve, each with its visits.
type replacementsView struct {
	streetView
	Requests []replacementRequest
	Pager    pager
}

// replacementsPageSize is how many requests one page shows, each with its
// visits and forms.
const replacementsPageSize = 50

type replacementRequest struct {
	store.Assignment
	Reason    string // the rule's reason, in the page's language
	LastVisit string
	Visits    []dueVisit
}

type dueVisit struct {
	store.DueVisit
	At, Appointment string
}

// Replacements shows the replacement requests awaiting approval in the
// street (an administrator: every street, or the one chosen), each with
// the visit history that justifies it and the forms that approve or
// decline it (POST /api/v1/assignments/:id/replace).
func (s *Handler) Replacements(c echo.Context) error {
	v, err := s.streetContext(c, true)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	off := (page - 1) * replacementsPageSize
	as, total, err := s.db.DueAssignments(ctx, v.Round.ID, v.StreetID, replacementsPageSize, off)
	if err != nil {
		return err
	}
	visits, err := s.db.DueVisits(ctx, v.Round.ID, v.StreetID, replacementsPageSize, off)
	if err != nil {
		return err
	}
	loc := s.ui.Location() // the district's zone: every page's times and days
	byAssignment := map[int64][]dueVisit{}
	for _, dv := range visits {
		byAssignment[dv.AssignmentID] = append(byAssignment[dv.AssignmentID], dueVisit{DueVisit: dv, At: localTime(dv.AttemptedAt, loc), Appointment: nullLocal(dv.AppointmentAt, loc)})
	}
	rv := replacementsView{streetView: v, Pager: newPager(v, c.Request().URL.Path, page, replacementsPageSize, total, len(as))}
	if page > rv.Pager.Pages {
		return apperr.New(apperr.NotFound, "page %d not found", page)
	}
	for _, a := range as {
		rv.Requests = append(rv.Requests, replacementRequest{Assignment: a, Reason: localReason(a.Reason, s.ui.Lang(c)), LastVisit: nullLocal(a.LastVisitAt, loc), Visits: byAssignment[a.ID]})
	}
	return s.ui.Render(c, "street_replacements", "street.replacements.title", rv)
}
