package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/auth"
)

// canRead reports whether r carries the read scope: on a public page, what
// only readers may see (incident titles, alert summaries) shows to them.
func (s *Server) canRead(r *http.Request) bool {
	_, err := s.allow(r, auth.Read)
	return err == nil
}

// readerPerson is the person whose token r carries, "" when none or when
// the token names nobody: reports are in that person's time zone.
func (s *Server) readerPerson(r *http.Request) string {
	id, err := s.allow(r, auth.Read)
	if err != nil {
		return ""
	}
	for _, t := range s.d.Config().Tokens {
		if t.ID == id {
			return t.Person
		}
	}
	return ""
}
