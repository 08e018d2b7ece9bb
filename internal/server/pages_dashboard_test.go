package server_test

// dashboardPageCases are the access cases of dashboardPages (see pageCase):
// analysts and admins see every street, a supervisor the district and
// their own street (another street's drill-down is not found), an
// interviewer none of it.
var dashboardPageCases = []pageCase{
	{"GET /rounds/:id", "/rounds/{round}", "LFFAAAA"},
	{"GET /rounds/:id", "/rounds/{round}?sort=support&dir=asc&show=q1", "LFFAAAA"},
	{"GET /rounds/:id", "/rounds/{round}?domain=A2:1", "LFFAAAA"},
	{"GET /rounds/:id", "/rounds/999999", "LFFNNNN"},
	{"GET /rounds/:id/streets/:street", "/rounds/{round}/streets/{street1}", "LFFANAA"},
	{"GET /rounds/:id/streets/:street", "/rounds/{round}/streets/{street2}", "LFFNAAA"},
	{"GET /rounds/:id/streets/:street", "/rounds/{round}/streets/{street1}?domain=A1:1", "LFFANAA"},
	{"GET /rounds/:id/streets/:street", "/rounds/{round}/streets/999999", "LFFNNNN"},
	{"GET /rounds/:id/communities/:community", "/rounds/{round}/communities/999999", "LFFNNNN"},
	{"GET /rounds/:id/compare", "/rounds/{round}/compare", "LFFAAAA"},
	{"GET /rounds/:id/report", "/rounds/{round}/report", "LFFAAAA"},
	{"GET /rounds/:id/report", "/rounds/999999/report", "LFFNNNN"},
}
