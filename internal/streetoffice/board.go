package streetoffice

import (
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// boardPageSize is how many households one page of the board shows: a
// street of thousands is paged (and filtered by community) so that the
// page stays fast.
const boardPageSize = 300

// boardView is the assignment board of one street.
type boardView struct {
	streetView
	Communities  []store.BoardCommunity
	Interviewers []store.StreetInterviewer
	States       []string
	Groups       []boardGroup
	Pager        pager
	// The filters as given.
	Community   int64 // 0: every community
	Interviewer string
	State       string
	Assigned    string // after an assignment: how many, and to whom
	AssignedTo  string
	API         string
}

// boardGroup is one community's households on the page, by building.
type boardGroup struct {
	ID        int64
	Name      string
	Buildings []boardBuilding
}

type boardBuilding struct {
	Key  string // unique on the page, for the select-all box
	Name string
	Rows []boardRow
}

type boardRow struct {
	store.BoardRow
	LastVisit, Appointment string
}

// Board shows a street's sampled households by community and building
// with their state, filters, and the form that gives the selected ones to
// an interviewer of the street (POST /api/v1/rounds/:id/assignments).
func (s *Handler) Board(c echo.Context) error {
	v, err := s.streetContext(c, false)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	bv := boardView{streetView: v, States: store.BoardStates, API: "/api/v1/rounds/" + strconv.FormatInt(v.Round.ID, 10) + "/assignments",
		Interviewer: c.QueryParam("interviewer"), State: c.QueryParam("state"),
		Assigned: c.QueryParam("assigned"), AssignedTo: c.QueryParam("to")}
	if bv.Communities, err = s.db.BoardCommunities(ctx, v.Round.ID, v.StreetID); err != nil {
		return err
	}
	if bv.Interviewers, err = s.db.StreetInterviewers(ctx, v.Round.ID, v.StreetID); err != nil {
		return err
	}
	f := store.BoardFilter{State: bv.State, Limit: boardPageSize, Offset: (page - 1) * boardPageSize}
	fields := map[string]string{}
	q := c.QueryParam("community")
	if n := 0; q == "" {
		// A large street opens on its first community (community=all
		// shows every one, page by page).
		for _, b := range bv.Communities {
			n += b.Total
		}
		if n > boardPageSize {
			q = strconv.FormatInt(bv.Communities[0].ID, 10)
		}
	}
	if q != "" && q != "all" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || !slices.ContainsFunc(bv.Communities, func(b store.BoardCommunity) bool { return b.ID == id }) {
			// another street's community does not exist for this board
			return apperr.New(apperr.NotFound, "community %q not found in this street", q)
		}
		f.CommunityID, bv.Community = id, id
	}
	switch bv.Interviewer {
	case "":
	case "-":
		f.InterviewerID = -1
	default:
		i := slices.IndexFunc(bv.Interviewers, func(u store.StreetInterviewer) bool { return u.Username == bv.Interviewer })
		if i < 0 {
			fields["interviewer"] = "an interviewer of this street"
		} else {
			f.InterviewerID = bv.Interviewers[i].ID
		}
	}
	if f.State != "" && !slices.Contains(store.BoardStates, f.State) {
		fields["state"] = "one of the board's states"
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid filter", fields)
	}
	rows, total, err := s.db.Board(ctx, v.Round.ID, v.StreetID, f)
	if err != nil {
		return err
	}
	loc := s.ui.Location() // the district's zone: every page's times and days
	for _, r := range rows {
		if n := len(bv.Groups); n == 0 || bv.Groups[n-1].ID != r.CommunityID {
			bv.Groups = append(bv.Groups, boardGroup{ID: r.CommunityID, Name: r.Community})
		}
		g := &bv.Groups[len(bv.Groups)-1]
		if n := len(g.Buildings); n == 0 || g.Buildings[n-1].Name != r.Building {
			g.Buildings = append(g.Buildings, boardBuilding{Key: strconv.FormatInt(g.ID, 10) + "-" + strconv.Itoa(len(g.Buildings)), Name: r.Building})
		}
		b := &g.Buildings[len(g.Buildings)-1]
		b.Rows = append(b.Rows, boardRow{BoardRow: r, LastVisit: nullLocal(r.LastVisitAt, loc), Appointment: nullLocal(r.AppointmentAt, loc)})
	}
	bv.Pager = newPager(v, c.Request().URL.Path, page, boardPageSize, total, len(rows))
	if page > bv.Pager.Pages {
		return apperr.New(apperr.NotFound, "page %d not found", page)
	}
	return s.ui.Render(c, "street_board", "street.board.title", bv)
}
