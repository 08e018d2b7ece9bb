package server

// dashboardPages are the analysts' pages: a round's dashboard, its drill
// down, comparisons, exports and the printable report.
func (s *Server) dashboardPages() []page {
	return nil
}
