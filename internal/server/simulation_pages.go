package server

// simulationPages are the design evaluation's pages.
func (s *Server) simulationPages() []page {
	return nil
}
