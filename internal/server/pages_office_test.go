package server_test

// officePageCases are the access cases of officePages (see pageCase).
var officePageCases = []pageCase{
	{"GET /rounds", "/rounds", "LFFAAAA"},
	{"GET /registers", "/registers", "LFFFFFA"},
	{"GET /registers", "/registers?version={frame}", "LFFFFFA"},
	{"GET /registers", "/registers?version=99", "LFFFFFN"},
	{"GET /samples", "/samples", "LFFFFAA"},
	{"GET /samples/:name", "/samples/{sample}", "LFFFFAA"},
	{"GET /samples/:name", "/samples/nosuch", "LFFFFNN"},
	{"GET /users", "/users", "LFFFFFA"},
	{"GET /users", "/users?role=interviewer&street=nosuch&state=bad&q=x", "LFFFFFA"},
	// POST /users/import is tested by TestImportUsersAccess (pages are
	// opened with GET): its case opens the page its form is on.
	{"POST /users/import", "/users?state=active", "LFFFFFA"},
	{"GET /audit", "/audit", "LFFFFFA"},
	{"GET /audit", "/audit?user=admin&object_type=round&from=2026-01-01&to=2030-12-31", "LFFFFFA"},
	{"GET /tls", "/tls", "LFFFFFA"},
}
