package office

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/msgs"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

// usersPageSize is the accounts on one page of the users list.
const usersPageSize = 50

// userQuery is the users page's filter as the form sends it.
type userQuery struct {
	Role, Street, State, Search string
	Page                        int
}

// Users lists the accounts, filtered by role, street, state and a search of
// username and name (in the SQL WHERE), 50 a page, with their actions
// (deactivate, reactivate, reset the password, change the name, role and
// street), the forms to add one or import a list, and the API tokens of
// every account (an admin may create and revoke anyone's).
func (s *Handler) Users(c echo.Context) error {
	ctx := c.Request().Context()
	streets, err := s.db.Streets(ctx)
	if err != nil {
		return err
	}
	q := userQuery{Role: c.QueryParam("role"), Street: c.QueryParam("street"), State: c.QueryParam("state"),
		Search: strings.TrimSpace(c.QueryParam("q")), Page: 1}
	errs := map[string]string{}
	f := store.UserFilter{Limit: usersPageSize}
	switch {
	case q.Role == "":
	case slices.Contains(store.Roles, q.Role):
		f.Role = q.Role
	default:
		errs["role"] = "one of " + strings.Join(store.Roles, ", ")
	}
	if q.Street != "" {
		for _, st := range streets {
			if st.Name == q.Street {
				f.StreetID = st.ID
			}
		}
		if f.StreetID == 0 {
			errs["street"] = "no such street"
		}
	}
	switch q.State {
	case "", "active", "disabled":
		f.State = q.State
	default:
		errs["state"] = "active or disabled"
	}
	if !utf8.ValidString(q.Search) || utf8.RuneCountInString(q.Search) > 64 {
		errs["q"] = "at most 64 characters of text"
	} else {
		f.Search = q.Search
	}
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			errs["page"] = "a page number"
		} else {
			q.Page = n
		}
	}
	f.Offset = (q.Page - 1) * usersPageSize
	us, total := []store.User{}, 0
	if len(errs) == 0 {
		if us, total, err = s.db.FilterUsers(ctx, f); err != nil {
			return err
		}
	}
	all, err := s.db.Users(ctx) // the token form's list of accounts
	if err != nil {
		return err
	}
	tokens, err := s.db.APITokens(ctx, 0)
	if err != nil {
		return err
	}
	now := time.Now()
	type tokenRow struct {
		store.APIToken
		State string
	}
	rows := make([]tokenRow, len(tokens))
	for i, t := range tokens {
		rows[i] = tokenRow{APIToken: t, State: t.State(now)}
	}
	page := func(n int) string {
		v := url.Values{}
		for k, x := range map[string]string{"role": q.Role, "street": q.Street, "state": q.State, "q": q.Search} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/users?" + v.Encode()
	}
	data := map[string]any{
		"Users": us, "All": all, "Total": total, "Query": q, "Errors": errs, "Streets": streets, "Roles": store.Roles,
		"Tokens": rows, "Me": request.User(c).ID, "Next": "", "Prev": "",
	}
	if q.Page*usersPageSize < total {
		data["Next"] = page(q.Page + 1)
	}
	if q.Page > 1 {
		data["Prev"] = page(q.Page - 1)
	}
	return s.ui.Render(c, "office_users", "office.users.title", data)
}

// auditPageSize is the entries on one page of the audit log.
const auditPageSize = 50

// auditQuery is the audit page's filter as the form sends it.
type auditQuery struct {
	User, ObjectType, ObjectID, From, To string
}

// Audit shows the audit log, newest first, filtered by user, object
// (type and id) and date range, 50 entries a page; "older" pages continue
// after the last id shown (keyset). The filter goes into the SQL WHERE.
func (s *Handler) Audit(c echo.Context) error {
	ctx := c.Request().Context()
	q := auditQuery{
		User: strings.TrimSpace(c.QueryParam("user")), ObjectType: strings.TrimSpace(c.QueryParam("object_type")),
		ObjectID: strings.TrimSpace(c.QueryParam("object_id")), From: c.QueryParam("from"), To: c.QueryParam("to"),
	}
	f := store.AuditFilter{ObjectType: q.ObjectType, ObjectID: q.ObjectID, Limit: auditPageSize}
	errs := map[string]string{}
	for name, v := range map[string]string{"user": q.User, "object_type": q.ObjectType, "object_id": q.ObjectID} {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 100 || strings.ContainsRune(v, 0) {
			errs[name] = "at most 100 characters of text"
		}
	}
	if q.User != "" && errs["user"] == "" {
		u, err := s.db.UserByUsername(ctx, q.User)
		switch {
		case apperr.Is(err, apperr.NotFound):
			errs["user"] = "no account has this username"
		case err != nil:
			return err
		default:
			f.UserID = u.ID
		}
	}
	day := func(name, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, v, s.ui.Location()) // a day of the district
		if err != nil || t.Year() < 2000 || t.Year() > 9000 {
			errs[name] = "a date as YYYY-MM-DD"
			return time.Time{}
		}
		return t
	}
	f.From = day("from", q.From)
	if to := day("to", q.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) && errs["to"] == "" {
		errs["to"] = "on or after the first day"
	}
	if b := c.QueryParam("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			errs["before"] = "a positive entry id"
		}
		f.Before = n
	}
	var entries []store.AuditEntry
	if len(errs) == 0 {
		var err error
		if entries, err = s.db.AuditPage(ctx, f); err != nil {
			return err
		}
	}
	types, err := s.db.AuditObjectTypes(ctx)
	if err != nil {
		return err
	}
	lang := s.ui.Lang(c)
	for k, v := range errs {
		errs[k] = msgs.Message(v, lang)
	}
	names, err := s.auditNames(ctx, lang, entries)
	if err != nil {
		return err
	}
	rows := describeAudit(entries, names, s.ui.Pages().Strings(lang))
	data := map[string]any{"Entries": rows, "Query": q, "Errors": errs, "Types": types, "First": f.Before == 0, "Older": "", "Newest": ""}
	if len(entries) == auditPageSize {
		v := url.Values{}
		for k, x := range map[string]string{"user": q.User, "object_type": q.ObjectType, "object_id": q.ObjectID, "from": q.From, "to": q.To} {
			if x != "" {
				v.Set(k, x)
			}
		}
		v.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		data["Older"] = "/audit?" + v.Encode()
		v.Del("before")
		data["Newest"] = "/audit?" + v.Encode()
	} else if f.Before != 0 {
		v := c.QueryParams()
		v.Del("before")
		v.Del("lang")
		data["Newest"] = "/audit?" + v.Encode()
	}
	return s.ui.Render(c, "office_audit", "office.audit.title", data)
}
