package server

// officePageCases are the access cases of officePages (see pageCase).
var officePageCases = []pageCase{}
