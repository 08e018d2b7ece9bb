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

		// API tokens ("Authorization: Bearer …"): admins for anyone, others their own.
		{method: "POST", path: "/api/v1/tokens", handler: s.createToken, loggedIn: true},
		{method: "GET", path: "/api/v1/tokens", handler: s.listTokens, loggedIn: true},
		{method: "DELETE", path: "/api/v1/tokens/:id", handler: s.revokeToken, loggedIn: true},

		// This process's counters (aborted transactions, connections).
		{method: "GET", path: "/api/v1/metrics", handler: s.metrics, roles: adminsOnly},

		// Accounts: admins only; every change audited, passwords shown once.
		{method: "GET", path: "/api/v1/users", handler: s.listUsers, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users", handler: s.createUser, roles: adminsOnly},
		{method: "PATCH", path: "/api/v1/users/:id", handler: s.updateUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/:id/disable", handler: s.disableUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/:id/enable", handler: s.enableUser, roles: adminsOnly},
		{method: "POST", path: "/api/v1/users/:id/password", handler: s.resetPassword, roles: adminsOnly},

		// The household frame (抽样框).
		{method: "POST", path: "/api/v1/frames", handler: s.importFrame, roles: adminsOnly, upload: true},
		{method: "GET", path: "/api/v1/frames", handler: s.listFrames, roles: readers},
		{method: "GET", path: "/api/v1/frames/:version", handler: s.getFrame, roles: readers},

		// Samples of households.
		{method: "POST", path: "/api/v1/samples", handler: s.drawSample, roles: adminsOnly},
		{method: "GET", path: "/api/v1/samples", handler: s.listSamples, roles: readers},
		{method: "GET", path: "/api/v1/samples/:name", handler: s.getSample, roles: readers},
		{method: "GET", path: "/api/v1/samples/:name/households", handler: s.sampleHouseholds, roles: readers},
		{method: "GET", path: "/api/v1/sample-size", handler: s.sampleSize, roles: readers},
		{method: "POST", path: "/api/v1/samples/preview", handler: s.previewSample, roles: analysts}, // nothing stored

		// Monte Carlo evaluation of a sampling design on a stored frame.
		{method: "POST", path: "/api/v1/simulate/design", handler: s.evaluateDesign, roles: analysts},

		// Questionnaires (问卷): admins write, every role reads.
		{method: "GET", path: "/api/v1/surveys", handler: s.listSurveys, loggedIn: true},
		{method: "POST", path: "/api/v1/surveys", handler: s.importSurvey, roles: adminsOnly},
		{method: "POST", path: "/api/v1/surveys/validate", handler: s.validateSurvey, loggedIn: true},
		{method: "GET", path: "/api/v1/surveys/:slug", handler: s.getSurvey, loggedIn: true},
		{method: "POST", path: "/api/v1/surveys/:slug/publish", handler: s.publishSurvey, roles: adminsOnly},
		{method: "GET", path: "/api/v1/surveys/:slug/versions/:version", handler: s.getSurveyVersion, loggedIn: true},

		// Population counts to calibrate weights to (人口数).
		{method: "POST", path: "/api/v1/population", handler: s.importPopulation, roles: adminsOnly, upload: true},
		{method: "GET", path: "/api/v1/population", handler: s.listPopulations, roles: readers},

		// Rounds and their fieldwork.
		{method: "GET", path: "/api/v1/rounds", handler: s.listRounds, loggedIn: true},
		{method: "POST", path: "/api/v1/rounds", handler: s.createRound, roles: adminsOnly},
		{method: "GET", path: "/api/v1/rounds/:id", handler: s.getRound, loggedIn: true},
		{method: "POST", path: "/api/v1/rounds/:id/start", handler: s.roundAction("start"), roles: adminsOnly},
		{method: "POST", path: "/api/v1/rounds/:id/close", handler: s.roundAction("close"), roles: adminsOnly},
		{method: "POST", path: "/api/v1/rounds/:id/reopen", handler: s.roundAction("reopen"), roles: adminsOnly},
		{method: "POST", path: "/api/v1/rounds/:id/simulated", handler: s.markSimulated, roles: adminsOnly},
		{method: "GET", path: "/api/v1/rounds/:id/assignments", handler: s.listAssignments, roles: supervisors},
		{method: "POST", path: "/api/v1/rounds/:id/assignments", handler: s.assign, roles: supervisors},
		{method: "GET", path: "/api/v1/rounds/:id/progress", handler: s.roundProgress, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/responses", handler: s.roundResponses, roles: supervisors},
		{method: "GET", path: "/api/v1/rounds/:id/estimates", handler: s.roundEstimates, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/data", handler: s.roundData, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/responses", handler: s.roundExport(results.ExportResponses), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/dispositions", handler: s.roundExport(results.ExportDispositions), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/summary", handler: s.roundExport(results.ExportSummary), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/codebook", handler: s.roundExport(results.ExportCodebook), roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/export/r-bundle", handler: s.roundExport(results.ExportRBundle), roles: readers},
		{method: "POST", path: "/api/v1/rounds/:id/weight", handler: s.weighRound, roles: adminsOnly},
		{method: "GET", path: "/api/v1/rounds/:id/weighting", handler: s.roundWeighting, roles: readers},
		{method: "GET", path: "/api/v1/rounds/:id/drivers", handler: s.roundDrivers, roles: readers},
		{method: "GET", path: "/api/v1/me/assignments", handler: s.myAssignments, roles: interviewers},
		{method: "GET", path: "/api/v1/assignments/:id", handler: s.getAssignment, roles: fieldStaff},
		{method: "POST", path: "/api/v1/assignments/:id/replace", handler: s.replaceAssignment, roles: supervisors},
		{method: "POST", path: "/api/v1/visits", handler: s.recordVisit, roles: fieldStaff},
		{method: "POST", path: "/api/v1/responses", handler: s.submitResponse, roles: fieldStaff},
		{method: "POST", path: "/api/v1/sync", handler: s.sync, roles: fieldStaff},
		{method: "POST", path: "/api/v1/sync/status", handler: s.syncStatus, roles: fieldStaff},
		{method: "GET", path: "/api/v1/responses/:id", handler: s.getResponse, roles: fieldStaff},
		{method: "POST", path: "/api/v1/responses/:id/review", handler: s.reviewResponse, roles: supervisors},
	}
}

// registerAPI adds every route of the access table to echo with its body
// limit, authentication and role check.
func (s *Server) registerAPI() {
	for _, r := range s.apiRoutes() {
		limit := func() int64 { return s.bodyLimit }
		if r.upload {
			limit = func() int64 { return s.uploadLimit }
		}
		mw := []echo.MiddlewareFunc{limitBody(limit)}
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
