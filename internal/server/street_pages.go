package server

// streetPages are the pages of a street office (supervisor): the
// assignment board, progress, replacements, the review queue and the
// tablet rescue.
func (s *Server) streetPages() []page {
	return nil
}
