package server_test

// simulationPageCases are the access cases of simulationPages (see pageCase).
var simulationPageCases = []pageCase{
	{"GET /samples/design", "/samples/design", "LFFFFAA"},
}
