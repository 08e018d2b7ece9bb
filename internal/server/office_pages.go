package server

// officePages are the pages of the district survey office (admin):
// registers, samples, rounds, users and the audit log.
func (s *Server) officePages() []page {
	return nil
}
