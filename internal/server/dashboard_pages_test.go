package server

// dashboardPageCases are the access cases of dashboardPages (see pageCase).
var dashboardPageCases = []pageCase{}
