package server

// streetPageCases are the access cases of streetPages (see pageCase).
var streetPageCases = []pageCase{}
