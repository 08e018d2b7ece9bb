package office

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/backup"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/ui"
	"github.com/minyi-survey/minyi/web"
)

// roundRow is a round as the office pages list it: its progress (in the
// caller's street for a supervisor) and the sections the user may open.
type roundRow struct {
	store.RoundInfo
	Counts store.RoundCount
	// Households are the round's household counts in the caller's
	// scope, as every page shows them (rounds.Service.Households).
	Households fieldwork.Households
	Tabs       []web.NavItem
	// Actions are the state changes an admin may make now (start, close,
	// reopen).
	Actions []string
	Waiting store.StreetWaiting // a supervisor's street only
	// Open is what closing the round would leave undone (an admin's
	// rounds in fieldwork only): the close button's confirmation names it.
	Open store.OpenWork
	// QuestionnaireName is its questionnaire's title and version in the
	// page's language (the rounds page only).
	QuestionnaireName string
}

// Done is the share of the round's households with a final outcome.
func (r roundRow) Done() float64 {
	if r.Households.Assigned == 0 {
		return 0
	}
	return float64(r.Households.Closed) / float64(r.Households.Assigned)
}

// roundActions are the transitions from each state, as rounds.SetState
// allows them.
var roundActions = map[string][]string{
	store.RoundPlanned:   {"start"},
	store.RoundFieldwork: {"close"},
	store.RoundClosed:    {"reopen"},
}

// roundRows lists the rounds with their progress in the caller's scope,
// two queries whatever the number of rounds.
func (s *Handler) roundRows(c echo.Context) ([]roundRow, error) {
	ctx := c.Request().Context()
	u := request.User(c)
	caller := request.Caller(c)
	rs, err := s.rounds.Rounds(ctx, caller)
	if err != nil {
		return nil, err
	}
	counts, err := s.db.RoundCounts(ctx, store.Scope{StreetID: caller.Scope().StreetID})
	if err != nil {
		return nil, err
	}
	hs, err := s.rounds.Households(ctx, store.Scope{StreetID: caller.Scope().StreetID}, 0)
	if err != nil {
		return nil, err
	}
	var waiting map[int64]store.StreetWaiting
	if u.Role == store.RoleSupervisor {
		if waiting, err = s.db.StreetWaiting(ctx, caller.Scope().StreetID); err != nil {
			return nil, err
		}
	}
	rows := make([]roundRow, len(rs))
	for i, r := range rs {
		rows[i] = roundRow{RoundInfo: r, Counts: counts[r.ID], Tabs: ui.Tabs(u, r.ID, c.Request().URL.Path), Waiting: waiting[r.ID]}
		if r.SampleID.Valid {
			rows[i].Households = hs[r.SampleID.Int64]
		}
		if u.Role == store.RoleAdmin {
			rows[i].Actions = roundActions[r.Status]
			if r.Status == store.RoundFieldwork {
				if rows[i].Open, err = s.db.RoundOpenWork(ctx, r.ID); err != nil {
					return nil, err
				}
			}
		}
	}
	return rows, nil
}

// Rounds lists every round with its progress and sections and, for an
// admin, the form to create one and the buttons to start, close and reopen.
func (s *Handler) Rounds(c echo.Context) error {
	ctx := c.Request().Context()
	rows, err := s.roundRows(c)
	if err != nil {
		return err
	}
	data := map[string]any{"Rounds": rows, "Admin": request.User(c).Role == store.RoleAdmin}
	qs, err := survey.List(ctx, s.db)
	if err != nil {
		return err
	}
	lang := s.ui.Lang(c)
	T := s.ui.Pages().Strings(lang)
	titles := map[string]string{}
	for _, q := range qs {
		titles[q.Slug] = textIn(q.Title, lang)
	}
	for i, r := range rows {
		rows[i].QuestionnaireName = questionnaireName(T, titles[r.Questionnaire], r.Questionnaire, r.QuestionnaireVersion)
	}
	if request.User(c).Role == store.RoleAdmin {
		smp, err := s.db.Samples(ctx)
		if err != nil {
			return err
		}
		// A sample already fielded by a round cannot be fielded again.
		used := map[string]bool{}
		for _, r := range rows {
			used[r.Sample] = true
		}
		var free []store.Sample
		for _, x := range smp {
			if !used[x.Name] {
				free = append(free, x)
			}
		}
		data["Samples"], data["Questionnaires"], data["Kinds"] = free, publishedRefs(qs, T, lang), rounds.Kinds
		// The rule's form starts at the defaults, which an empty rule
		// text means: days and evenings in the district's zone.
		data["Rule"], data["Approvals"] = fieldwork.DefaultRuleIn(s.ui.Location().String()), []string{fieldwork.ApprovalSupervisor, fieldwork.ApprovalAutomatic}
		data["ReleaseKeys"] = []string{"on_non_contact", "on_refusal", "on_not_eligible", "on_other"}
	}
	return s.ui.Render(c, "office_rounds", "office.rounds.title", data)
}

// Home is the workbench: what the user's role has to do now.
func (s *Handler) Home(c echo.Context) error {
	u := request.User(c)
	data := map[string]any{"Rounds": []roundRow(nil), "Frames": []store.Frame(nil)}
	if u.Role != store.RoleInterviewer {
		rows, err := s.roundRows(c)
		if err != nil {
			return err
		}
		var open []roundRow
		for _, r := range rows {
			if u.Role == store.RoleAnalyst || r.Status != store.RoundClosed {
				open = append(open, r)
			}
		}
		data["Rounds"] = open
	}
	if u.Role == store.RoleAdmin {
		fs, err := s.db.Frames(c.Request().Context())
		if err != nil {
			return err
		}
		data["Frames"] = fs[:min(len(fs), 3)]
		data["Backup"] = s.backupState(time.Now())
	}
	return s.ui.Render(c, "home", "home.title", data)
}

// questionnaireRef is a published questionnaire version as the round form
// offers it: the value it posts (SLUG@VERSION) and its name in words.
type questionnaireRef struct{ Ref, Name string }

// publishedRefs lists the published versions of the questionnaires, each
// questionnaire's newest first, named by title and version in lang.
func publishedRefs(qs []store.Questionnaire, T map[string]string, lang string) []questionnaireRef {
	var out []questionnaireRef
	for _, q := range qs {
		for v := q.Latest; v >= 1; v-- {
			out = append(out, questionnaireRef{q.Slug + "@" + strconv.Itoa(v), questionnaireName(T, textIn(q.Title, lang), q.Slug, v)})
		}
	}
	return out
}

// backupView is what the administrator's home says of serve's rotating
// backups (SQLite, --backup-every): the last one's time and size, late
// (shown in red) when older than twice the interval.
type backupView struct {
	On    bool // serve makes rotating backups
	Found bool // and one exists
	Time  time.Time
	Size  int64
	Late  bool
	Dir   string
	Every time.Duration
	Err   string
}

func (s *Handler) backupState(now time.Time) backupView {
	v := backupView{On: s.BackupEvery > 0, Dir: s.BackupDir, Every: s.BackupEvery}
	if !v.On {
		return v
	}
	last, ok, err := backup.Latest(s.BackupDir)
	switch {
	case err != nil:
		v.Err, v.Late = err.Error(), true
	case !ok:
		v.Late = true
	default:
		v.Found, v.Time, v.Size = true, last.Time, last.Size
		v.Late = now.Sub(last.Time) > 2*s.BackupEvery
	}
	return v
}
