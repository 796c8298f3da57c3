package web

import (
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/vigil-sre/vigil/internal/errs"
)

// forwardedHeader marks a request one replica passed to the leader, so it
// is never passed on again.
const forwardedHeader = "X-Vigil-Forwarded-By"

// onLeader serves h on the replica that leads (probing checks, the SLOs,
// deploy verification) and passes the request on to it from any other:
// heartbeats and reads of checks and SLOs act on state that lives in the
// leader. With no leader known (a failover under way) it answers 503, to
// be retried.
func (s *Server) onLeader(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.d.Leader == nil {
			h(w, r)
			return
		}
		to, self, ok := s.d.Leader()
		if self {
			h(w, r)
			return
		}
		target, err := url.Parse(to)
		if !ok || err != nil || target.Host == "" || r.Header.Get(forwardedHeader) != "" {
			s.writeError(w, r, errs.E(errs.Unavailable, "no replica leads right now (a failover is under way); retry in a few seconds"))
			return
		}
		p := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host // the leader checks origins against what the client asked for
				pr.SetXForwarded()
				pr.Out.Header.Set(forwardedHeader, "1")
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "the leading replica did not answer; retry in a few seconds"))
			},
		}
		p.ServeHTTP(w, r)
	}
}
