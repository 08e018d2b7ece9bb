package web

import (
	"database/sql"
	"fmt"
	"html/template"
	"time"
	_ "time/tzdata" // the district's zone loads on machines without a zoneinfo database
)

// DefaultZone is the district's time zone when none is configured:
// Beijing time (config.DefaultTimeZone).
const DefaultZone = "Asia/Shanghai"

// Layouts of the times the pages show: a date, a minute, a second.
const (
	dateLayout   = "2006-01-02"
	minuteLayout = "2006-01-02 15:04"
	secondLayout = "2006-01-02 15:04:05"
	clockLayout  = "15:04:05"
)

// timeFuncs are the template functions that write a time, bound to the
// district's zone loc: every time a page shows goes through one of them,
// so that no page shows the server's zone or UTC by accident. Each takes a
// time.Time, *time.Time or sql.NullTime; a zero or missing time is "—".
//
//	{{localtime .CreatedAt}}  2026-12-06 08:30
//	{{localsec .At}}          2026-12-06 08:30:05
//	{{localdate .ExpiresAt}}  2026-12-06
//	{{localclock .At}}        08:30:05
//	{{zonename}}              Asia/Shanghai (for scripts: Intl.DateTimeFormat's timeZone)
//	{{zonenote .T}}           the page's one line naming the zone
func timeFuncs(loc *time.Location) template.FuncMap {
	in := func(layout string) func(v any) string {
		return func(v any) string { return FormatIn(loc, layout, v) }
	}
	return template.FuncMap{
		"localtime":  in(minuteLayout),
		"localsec":   in(secondLayout),
		"localdate":  in(dateLayout),
		"localclock": in(clockLayout),
		"zonename":   loc.String,
		"zonenote":   func(t map[string]string) string { return ZoneNote(loc, t, time.Now()) },
	}
}

// FormatIn writes a time of v (time.Time, *time.Time, sql.NullTime) in loc
// with layout; "—" when there is none.
func FormatIn(loc *time.Location, layout string, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	case sql.NullTime:
		if x.Valid {
			t = x.Time
		}
	case *sql.NullTime:
		if x != nil && x.Valid {
			t = x.Time
		}
	}
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format(layout)
}

// ZoneNote is the line that names the district's zone on every page, in
// the strings t of the page's language: Beijing time by that name, any
// other zone by its IANA name, both with their offset from UTC at now.
func ZoneNote(loc *time.Location, t map[string]string, now time.Time) string {
	key := "zone.note"
	if loc.String() == DefaultZone {
		key = "zone.note.beijing"
	}
	return fmt.Sprintf(t[key], loc.String(), Offset(loc, now))
}

// Offset writes the offset of loc from UTC at t as ±hh:mm (+05:30).
func Offset(loc *time.Location, t time.Time) string {
	return t.In(loc).Format("-07:00")
}
