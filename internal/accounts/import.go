package accounts

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/store"
)

// MaxImport is the most accounts one import makes.
const MaxImport = 500

// Columns of an account list, by the headers they may have (Chinese or
// English, compared without case and spaces).
var importColumns = []struct {
	field    string
	headers  []string
	required bool
}{
	{"display_name", []string{"姓名", "名字", "name", "display name", "display_name"}, true},
	{"username", []string{"账号", "帐号", "用户名", "username", "account", "login"}, true},
	{"role", []string{"角色", "role"}, true},
	{"street", []string{"街道", "街道（乡镇）", "乡镇", "street"}, true},
	{"phone", []string{"手机", "手机号", "电话", "phone", "mobile"}, false},
}

// roleNames are the words a list may use for a role; only supervisors and
// interviewers are made by the dozen (an admin or an analyst is added one
// at a time).
var roleNames = map[string]string{
	"访员": store.RoleInterviewer, "调查员": store.RoleInterviewer, "入户调查员": store.RoleInterviewer, "访问员": store.RoleInterviewer,
	"interviewer": store.RoleInterviewer,
	"督导":          store.RoleSupervisor, "督导员": store.RoleSupervisor, "街道督导": store.RoleSupervisor, "supervisor": store.RoleSupervisor,
}

// Row is one account of a list, as read.
type Row struct {
	Line        int    `json:"line"`
	DisplayName string `json:"display_name"`
	Username    string `json:"username"`
	Role        string `json:"role"`
	Street      string `json:"street"`
	Phone       string `json:"phone,omitempty"`
}

// Problem is one thing wrong with a list: its line (0: the whole file),
// the column's field name, and what is wrong.
type Problem struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	if p.Field != "" {
		return fmt.Sprintf("line %d, %s: %s", p.Line, p.Field, p.Message)
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// problemsError makes the Invalid error of a list's problems, with every
// problem in its details and message.
func problemsError(ps []Problem) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the account list has %d problem(s); no account was created:", len(ps))
	for _, p := range ps {
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	return &apperr.Error{Kind: apperr.Invalid, Message: b.String(), Details: map[string]any{"problems": ps}}
}

// ReadList reads an account list: CSV (UTF-8, GBK/GB18030 or UTF-16,
// detected) or XLSX, with a header row naming the columns 姓名, 账号,
// 角色, 街道 and optionally 手机 (or name, username, role, street, phone).
// Every problem it can find without the database comes back at once.
func ReadList(in io.Reader) ([]Row, error) {
	recs, _, err := frame.Records(in, frame.Options{})
	if err != nil {
		return nil, problemsError([]Problem{{Message: "the file cannot be read: " + err.Error()}})
	}
	if len(recs) == 0 {
		return nil, problemsError([]Problem{{Message: "the file is empty: it needs a header row (姓名, 账号, 角色, 街道, 手机) and one row per account"}})
	}
	head := recs[0]
	col := map[string]int{}
	for i, h := range head.Fields {
		h = strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\ufeff")), " "))
		for _, c := range importColumns {
			for _, name := range c.headers {
				if h == name {
					if _, dup := col[c.field]; !dup {
						col[c.field] = i
					}
				}
			}
		}
	}
	var ps []Problem
	for _, c := range importColumns {
		if _, ok := col[c.field]; !ok && c.required {
			ps = append(ps, Problem{Line: head.Line, Field: c.field, Message: fmt.Sprintf("no column %s (%s)", c.headers[0], c.field)})
		}
	}
	if len(ps) > 0 {
		return nil, problemsError(ps)
	}
	if len(recs)-1 > MaxImport {
		return nil, problemsError([]Problem{{Message: fmt.Sprintf("at most %d accounts in one list (this has %d)", MaxImport, len(recs)-1)}})
	}
	cell := func(r frame.Record, field string) string {
		i, ok := col[field]
		if !ok || i >= len(r.Fields) {
			return ""
		}
		return strings.TrimSpace(r.Fields[i])
	}
	seen := map[string]int{}
	var rows []Row
	for _, r := range recs[1:] {
		row := Row{Line: r.Line, DisplayName: cell(r, "display_name"), Username: cell(r, "username"),
			Street: cell(r, "street"), Phone: cell(r, "phone")}
		bad := func(field, msg string) { ps = append(ps, Problem{Line: r.Line, Field: field, Message: msg}) }
		switch {
		case row.DisplayName == "":
			bad("display_name", "the name is empty")
		case utf8.RuneCountInString(row.DisplayName) > MaxDisplayName:
			bad("display_name", "at most 64 characters")
		}
		if !ValidUsername(row.Username) {
			bad("username", fmt.Sprintf("%q is not a username: 2–64 letters, digits, '.', '_' or '-'", row.Username))
		} else if first, dup := seen[strings.ToLower(row.Username)]; dup {
			bad("username", fmt.Sprintf("%s is also on line %d", row.Username, first))
		} else {
			seen[strings.ToLower(row.Username)] = r.Line
		}
		role := cell(r, "role")
		if row.Role = roleNames[strings.ToLower(role)]; row.Role == "" {
			bad("role", fmt.Sprintf("%q is not a role: 访员 (interviewer) or 督导 (supervisor)", role))
		}
		if row.Street == "" {
			bad("street", "the street is empty")
		}
		if row.Phone != "" && !validPhone(row.Phone) {
			bad("phone", fmt.Sprintf("%q is not a phone number", row.Phone))
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		ps = append(ps, Problem{Line: head.Line, Message: "the list has a header but no accounts"})
	}
	if len(ps) > 0 {
		return nil, problemsError(ps)
	}
	return rows, nil
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '-' || r == ' ':
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

// Slip is one account an import made, with what its slip shows: the
// one-time password and login code are in nothing else, anywhere.
type Slip struct {
	store.User
	Password  string    `json:"password"`
	LoginCode string    `json:"login_code"`
	Expires   time.Time `json:"login_code_expires"`
}

// Import reads an account list and creates every account on it in one
// transaction, audited, each with a generated one-time password (which
// must be changed at first login) and a one-time login code good for
// auth.LoginCodeTTL from now. Any problem — in the file, an unknown street,
// a username taken — creates nothing and comes back with its line.
func Import(ctx context.Context, db *store.DB, in io.Reader, now time.Time, by store.Actor) ([]Slip, error) {
	rows, err := ReadList(in)
	if err != nil {
		return nil, err
	}
	var ps []Problem
	streets := map[string]*int64{}
	for _, r := range rows {
		if _, ok := streets[r.Street]; !ok {
			s, err := db.StreetByName(ctx, r.Street)
			switch {
			case apperr.Is(err, apperr.NotFound):
				streets[r.Street] = nil
			case err != nil:
				return nil, err
			default:
				streets[r.Street] = &s.ID
			}
		}
		if streets[r.Street] == nil {
			ps = append(ps, Problem{Line: r.Line, Field: "street", Message: fmt.Sprintf("no street %q in the database (import the frame first)", r.Street)})
		}
		switch _, err := db.UserByUsername(ctx, r.Username); {
		case err == nil:
			ps = append(ps, Problem{Line: r.Line, Field: "username", Message: fmt.Sprintf("%s is taken by an existing account", r.Username)})
		case !apperr.Is(err, apperr.NotFound):
			return nil, err
		}
	}
	if len(ps) > 0 {
		return nil, problemsError(ps)
	}
	slips := make([]Slip, len(rows))
	news := make([]store.ImportedUser, len(rows))
	expires := now.Add(auth.LoginCodeTTL)
	// bcrypt is the slow part (a quarter second a hash): one per core.
	var wg sync.WaitGroup
	errs := make([]error, len(rows))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, r := range rows {
		pw := auth.GeneratePassword()
		code, codeHash := auth.NewLoginCode()
		slips[i] = Slip{Password: pw, LoginCode: code, Expires: expires}
		news[i] = store.ImportedUser{NewUser: store.NewUser{Username: r.Username, DisplayName: r.DisplayName, Role: r.Role,
			StreetID: streets[r.Street], MustChangePassword: true, Phone: r.Phone}, CodeHash: codeHash}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			news[i].PasswordHash, errs[i] = auth.HashPassword(pw)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	ids, err := db.CreateUsers(ctx, news, expires, by)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if slips[i].User, err = db.User(ctx, id); err != nil {
			return nil, err
		}
	}
	return slips, nil
}
