package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/ui"
)

// route is one API route and who may call it. The API is registered from
// this one table (apiRoutes), and TestAccessTable calls every route in it
// as every role, so what each role may do is written down in one place.
//
// Within a route, what a caller sees is decided by its scope in the SQL
// (internal/rounds Caller.Scope): a supervisor's street, an interviewer's
// own assignments. Another street's or interviewer's object answers 404;
// a role that may never use a route answers 403.
type route struct {
	method, path string
	handler      echo.HandlerFunc
	// who may call it: public routes need no login; otherwise the roles
	// listed (admin always), or every logged-in role when roles is empty
	// and loggedIn is set.
	public   bool
	loggedIn bool
	roles    []string
	// upload raises the body limit from the API's to the upload limit.
	upload bool
	mw     []echo.MiddlewareFunc // run after the access check
}

// Role sets used in the table.
var (
	supervisors  = ui.Supervisors
	fieldStaff   = ui.FieldStaff
	readers      = ui.Readers
	interviewers = ui.Interviewers
	adminsOnly   = ui.AdminsOnly
)

// apiRoutes is the access table of the JSON API.
func (s *Server) apiRoutes() []route {
	return []route{
		{method: "POST", path: "/api/v1/login", handler: s.login, public: true}, // limited per address and account by auth.Limits
		{method: "POST", path: "/api/v1/logout", handler: s.logout, public: true},
		{method: "GET", path: "/api/v1/me", handler: s.me, loggedIn: true},
		{method: "POST", path: "/api/v1/me/password", handler: s.changePassword, loggedIn: true}, // the one call (with me and logout) an account with a one-time password may make

		// API tokens ("Authorization: Bearer …"): admins for anyone, others their own.
		{method: "POST", path: "/api/v1/tokens", handler: s.api.CreateToken, loggedIn: true},
		{method: "GET", path: "/api/v1/tokens", handler: s.api.ListTokens, loggedIn: true},
		{method: "DELETE", path: "/api/v1/tokens/:id", handler: s.api.RevokeToken, loggedIn: true},

		// This process's counters (aborted transactions, connections).
		{method: "GET", path: "/api/v1/metrics", handler: s.metrics, roles: adminsOnly},

		// Accounts: admins only; every change audited, passwords shown once.
		{method: "GET", path: "/api/v1/users", handler: s.api.ListUsers, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users", handler: s.api.CreateUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/import", handler: s.api.ImportUsers, roles: adminsOnly, upload: true},
		{method: "PATCH", path: "/api/v1/users/:id", handler: s.api.UpdateUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/:id/disable", handler: s.api.DisableUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/:id/enable", handler: s.api.EnableUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/:id/password", handler: s.api.ResetPassword, roles: adminsOnly},

		// The household frame (抽样框).
		{method: "POST", path: "/api/v1/frames", handler: s.api.ImportFrame, roles: adminsOnly, upload: true},
		{method: "GET", path: "/api/v1/frames", handler: s.api.ListFrames, roles: readers},
		{method: "GET", path: "/api/v1/frames/:version", handler: s.api.GetFrame, roles: readers},
		// The district's order of streets and communities (the register's, or the administrator's).
		{method: "GET", path: "/api/v1/streets/order", handler: s.api.Places, roles: readers},
		{method: "PUT", path: "/api/v1/streets/order", handler: s.api.SetPlaceOrder, roles: adminsOnly},

		// Samples of households.
		{method: "POST", path: "/api/v1/samples", handler: s.api.DrawSample, roles: adminsOnly},
		{method: "GET", path: "/api/v1/samples", handler: s.api.ListSamples, roles: readers},
		{method: "GET", path: "/api/v1/samples/:name", handler: s.api.GetSample, roles: readers},
		{method: "GET", path: "/api/v1/samples/:name/households", handler: s.api.SampleHouseholds, roles: readers},
		{method: "GET", path: "/api/v1/sample-size", handler: s.api.SampleSize, roles: readers},
		{method: "POST", path: "/api/v1/samples/preview", handler: s.api.PreviewSample, roles: analysts}, // nothing stored

		// Monte Carlo evaluation of a sampling design on a stored frame.
		{method: "POST", path: "/api/v1/simulate/design", handler: s.api.EvaluateDesign, roles: analysts},

		// Questionnaires (问卷): admins write, every role reads.
		{method: "GET", path: "/api/v1/surveys", handler: s.api.ListSurveys, loggedIn: true},
		{method: "POST", path: "/api/v1/surveys", handler: s.api.ImportSurvey, roles: adminsOnly},
		{method: "POST", path: "/api/v1/surveys/validate", handler: s.api.ValidateSurvey, loggedIn: true},
		{method: "GET", path: "/api/v1/surveys/:slug", handler: s.api.GetSurvey, loggedIn: true},
		{method: "POST", path: "/api/v1/surveys/:slug/publish", handler: s.api.PublishSurvey, roles: adminsOnly},
		{method: "GET", path: "/api/v1/surveys/:slug/versions/:version", handler: s.api.GetSurveyVersion, loggedIn: true},
		{method: "POST", path: "/api/v1/surveys/xlsform", handler: s.api.ImportXLSForm, roles: adminsOnly, upload: true}, // a workbook of at most 20 MB
		{method: "GET", path: "/api/v1/surveys/:slug/versions/:version/xlsform", handler: s.api.ExportXLSForm, loggedIn: true},

		// Population counts to calibrate weights to (人口数).
		{method: "POST", path: "/api/v1/population", handler: s.api.ImportPopulation, roles: adminsOnly, upload: true},
		{method: "GET", path: "/api/v1/population", handler: s.api.ListPopulations, roles: readers},

		// Rounds and their fieldwork.
		{method: "GET", path: "/api/v1/rounds", handler: s.api.ListRounds, loggedIn: true},
		{method: "POST", path: "/api/v1/rounds", handler: s.api.CreateRound, roles: adminsOnly},
		{method: "GET", path: "/api/v1/rounds/:id", handler: s.api.GetRound, loggedIn: true},
		{method: "POST", path: "/api/v1/rounds/:id/start", handler: s.api.RoundAction("start"), roles: adminsOnly},
		{method: "POST", path: "/api/v1/rounds/:id/close", handler: s.api.CloseRound, roles: adminsOnly}, // {"force": true} to close with work still open (409 round_has_open_work)
		{method: "POST", path: "/api/v1/rounds/:id/reopen", handler: s.api.RoundAction("reopen"), roles: adminsOnly},
		{method: "POST", path: "/api/v1/rounds/:id/simulated", handler: s.api.MarkSimulated, roles: adminsOnly},
		{method: "GET", path: "/api/v1/rounds/:id/assignments", handler: s.api.ListAssignments, roles: supervisors},
		{method: "POST", path: "/api/v1/rounds/:id/assignments", handler: s.api.Assign, roles: supervisors},
		{method: "GET", path: "/api/v1/rounds/:id/progress", handler: s.api.RoundProgress, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/responses", handler: s.api.RoundResponses, roles: supervisors},
		{method: "GET", path: "/api/v1/rounds/:id/estimates", handler: s.api.RoundEstimates, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/data", handler: s.api.RoundData, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/responses", handler: s.api.RoundExport(results.ExportResponses), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/dispositions", handler: s.api.RoundExport(results.ExportDispositions), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/summary", handler: s.api.RoundExport(results.ExportSummary), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/codebook", handler: s.api.RoundExport(results.ExportCodebook), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/communities", handler: s.api.RoundExport(results.ExportCommunities), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/communities", handler: s.api.RoundCommunities, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/r-bundle", handler: s.api.RoundExport(results.ExportRBundle), roles: readers},
		{method: "POST", path: "/api/v1/rounds/:id/weight", handler: s.api.WeighRound, roles: adminsOnly},
		{method: "GET", path: "/api/v1/rounds/:id/weighting", handler: s.api.RoundWeighting, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/drivers", handler: s.api.RoundDrivers, roles: readers},
		{method: "GET", path: "/api/v1/me/assignments", handler: s.api.MyAssignments, roles: interviewers},
		{method: "GET", path: "/api/v1/assignments/:id", handler: s.api.GetAssignment, roles: fieldStaff},
		{method: "POST", path: "/api/v1/assignments/:id/replace", handler: s.api.ReplaceAssignment, roles: supervisors},
		{method: "POST", path: "/api/v1/visits", handler: s.api.RecordVisit, roles: fieldStaff},
		{method: "POST", path: "/api/v1/responses", handler: s.api.SubmitResponse, roles: fieldStaff},
		{method: "POST", path: "/api/v1/sync", handler: s.api.Sync, roles: fieldStaff},
		{method: "POST", path: "/api/v1/sync/status", handler: s.api.SyncStatus, roles: fieldStaff},
		{method: "GET", path: "/api/v1/responses/:id", handler: s.api.GetResponse, roles: fieldStaff},
		{method: "POST", path: "/api/v1/responses/:id/review", handler: s.api.ReviewResponse, roles: supervisors},
	}
}

// limitBodyOf bounds a route's body by the API's limit, or by the upload
// limit for a route that takes a file (read when a request comes, so a test
// may lower them).
func (s *Server) limitBodyOf(upload bool) echo.MiddlewareFunc {
	if upload {
		return limitBody(func() int64 { return s.uploadLimit })
	}
	return limitBody(func() int64 { return s.bodyLimit })
}

// registerAPI adds every route of the access table to echo with its body
// limit, authentication and role check.
func (s *Server) registerAPI() {
	for _, r := range s.apiRoutes() {
		mw := []echo.MiddlewareFunc{s.limitBodyOf(r.upload)}
		if !r.public {
			mw = append(mw, s.authenticated)
			if !r.loggedIn {
				mw = append(mw, require(r.roles...))
			}
		}
		mw = append(mw, r.mw...)
		s.e.Add(r.method, r.path, r.handler, mw...)
	}
}
