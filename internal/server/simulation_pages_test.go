package server

// simulationPageCases are the access cases of simulationPages (see pageCase).
var simulationPageCases = []pageCase{}
