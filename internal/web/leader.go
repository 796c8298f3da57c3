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
// the pager's memory) and passes the request on to it from any other. With
// no leader known (a failover under way) it answers 503, to be retried.
func (s *Server) onLeader(h http.HandlerFunc) http.HandlerFunc {
	if s.d.Leader == nil {
		return h
	}
	return s.onReplica(func(*http.Request) (string, bool, bool) { return s.d.Leader() },
		"no replica leads right now (a failover is under way); retry in a few seconds", h)
}

// onRunner serves h on the replica executing the run named by the path's
// {id} (its approvals and live log are in that replica's memory) and
// passes the request on to it from any other. A run that is not in flight
// is served where the request arrived, from the store.
func (s *Server) onRunner(h http.HandlerFunc) http.HandlerFunc {
	if s.d.RunRunner == nil {
		return h
	}
	return s.onReplica(func(r *http.Request) (string, bool, bool) { return s.d.RunRunner(r.Context(), r.PathValue("id")) },
		"the replica running this run is gone and another is taking the run over; retry in a few seconds", h)
}

// onReplica serves h here when pick says this replica is the one, else
// passes the request on, as a reverse proxy, once at most.
func (s *Server) onReplica(pick func(*http.Request) (url string, self, ok bool), unavailable string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		to, self, ok := pick(r)
		if self {
			h(w, r)
			return
		}
		target, err := url.Parse(to)
		if !ok || err != nil || target.Host == "" || r.Header.Get(forwardedHeader) != "" {
			s.writeError(w, r, errs.E(errs.Unavailable, "%s", unavailable))
			return
		}
		p := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host // the target checks origins against what the client asked for
				pr.SetXForwarded()
				pr.Out.Header.Set(forwardedHeader, "1")
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "the replica that holds this did not answer; retry in a few seconds"))
			},
		}
		p.ServeHTTP(w, r)
	}
}
