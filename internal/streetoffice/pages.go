package streetoffice

import (
	"database/sql"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
	"github.com/minyi-survey/minyi/web"
)

// streetView is what every street page shows above its content: the
// round, its sections, the street and, for callers not bound to a street,
// the street selector.
type streetView struct {
	Round      store.RoundInfo
	Tabs       []web.NavItem
	Streets    []store.NamedID // the selector's streets; nil for a supervisor
	StreetID   int64           // 0: every street
	StreetName string
	AllStreets bool // the page can show every street at once
	Query      url.Values
}

// streetContext reads the round of the path and the street the page is
// about: a supervisor's own (another street named in ?street= is 404), or
// for other roles the street of ?street= (which must have households in
// the round), by default every street when all is set and else the first.
func (s *Handler) streetContext(c echo.Context, all bool) (streetView, error) {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return streetView{}, err
	}
	ctx := c.Request().Context()
	r, err := s.db.RoundInfoByID(ctx, id)
	if err != nil {
		return streetView{}, err
	}
	u := request.User(c)
	v := streetView{Round: r, Tabs: ui.Tabs(u, id, c.Request().URL.Path), AllStreets: all, Query: c.QueryParams()}
	q := c.QueryParam("street")
	var want int64
	if q != "" {
		if want, err = strconv.ParseInt(q, 10, 64); err != nil || want < 1 {
			return v, apperr.New(apperr.NotFound, "street %q not found", q)
		}
	}
	if u.Role == store.RoleSupervisor {
		own := int64(-1)
		if u.StreetID.Valid {
			own = u.StreetID.Int64
		}
		if want != 0 && want != own {
			return v, apperr.New(apperr.NotFound, "street %d not found", want)
		}
		v.StreetID, v.StreetName = own, u.StreetName
		return v, nil
	}
	if v.Streets, err = s.db.RoundStreets(ctx, id); err != nil {
		return v, err
	}
	switch {
	case want != 0:
		i := slices.IndexFunc(v.Streets, func(st store.NamedID) bool { return st.ID == want })
		if i < 0 {
			return v, apperr.New(apperr.NotFound, "street %d not found in this round", want)
		}
		v.StreetID, v.StreetName = want, v.Streets[i].Name
	case !all && len(v.Streets) > 0:
		v.StreetID, v.StreetName = v.Streets[0].ID, v.Streets[0].Name
	}
	return v, nil
}

// href returns path with the page's query changed: each pair of kv sets a
// parameter ("" removes it).
func (v streetView) href(path string, kv ...string) string {
	q := url.Values{}
	for k, vs := range v.Query {
		if k != "lang" {
			q[k] = vs
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// pageParam reads the 1-based page number of a listing (?page=).
func pageParam(c echo.Context) (int, error) {
	p := c.QueryParam("page")
	if p == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, apperr.WithFields("invalid page", map[string]string{"page": "a page number from 1"})
	}
	return n, nil
}

// pager is a listing's page links.
type pager struct {
	Page, Pages, Total, From, To int
	Prev, Next                   string
}

func newPager(v streetView, path string, page, size, total, shown int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+size-1)/size)}
	if shown > 0 {
		p.From, p.To = (page-1)*size+1, (page-1)*size+shown
	}
	if page > 1 {
		p.Prev = v.href(path, "page", strconv.Itoa(page-1))
	}
	if page < p.Pages {
		p.Next = v.href(path, "page", strconv.Itoa(page+1))
	}
	return p
}

// localTime formats a time in the district's zone ("" for none).
func localTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// nullLocal is localTime of a nullable time.
func nullLocal(t sql.NullTime, loc *time.Location) string {
	if !t.Valid {
		return ""
	}
	return localTime(t.Time, loc)
}
