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

// readerPerson is the person asking (signed in, or the person a token
// names), "" when nobody: documents are in that person's time zone.
func (s *Server) readerPerson(r *http.Request) string {
	p, err := s.allow(r, auth.Read)
	if err != nil {
		return ""
	}
	return p.Person
}
