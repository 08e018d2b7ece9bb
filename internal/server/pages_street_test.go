package server_test

// streetPageCases are the access cases of streetPages (see pageCase): a
// supervisor opening another street's page or object gets the 404 page.
var streetPageCases = []pageCase{
	{"GET /rounds/:id/board", "/rounds/{round}/board", "LFFAAFA"},
	{"GET /rounds/:id/board", "/rounds/{round}/board?street={street1}", "LFFANFA"},
	{"GET /rounds/:id/board", "/rounds/{round}/board?community=999999", "LFFNNFN"},
	{"GET /rounds/:id/board", "/rounds/999999/board", "LFFNNFN"},
	{"GET /rounds/:id/fieldwork", "/rounds/{round}/fieldwork", "LFFAAAA"},
	{"GET /rounds/:id/fieldwork", "/rounds/{round}/fieldwork?street={street1}", "LFFANAA"},
	{"GET /rounds/:id/fieldwork", "/rounds/{round}/fieldwork?street=999999", "LFFNNNN"},
	{"GET /rounds/:id/replacements", "/rounds/{round}/replacements", "LFFAAFA"},
	{"GET /rounds/:id/replacements", "/rounds/{round}/replacements?street={street1}", "LFFANFA"},
	{"GET /rounds/:id/review", "/rounds/{round}/review", "LFFAAFA"},
	{"GET /rounds/:id/review", "/rounds/{round}/review?street={street2}", "LFFNAFA"},
	{"GET /rounds/:id/review/:response", "/rounds/{round}/review/{response}", "LFFANFA"},
	{"GET /rounds/:id/review/:response", "/rounds/{round}/review/{response}?street={street1}", "LFFANFA"},
	{"GET /rescue", "/rescue", "LFFAAFA"},
	// POST /rescue is tested by TestRescueAccess (pages are opened with GET).
	{"POST /rescue", "/rescue", "LFFAAFA"},
}
