package web

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/alert/ingest"
	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
)

// Ingestion: each format behind its integration's key. A 2xx means the
// events are stored; a 5xx means nothing was, and the sender should retry.

// alertmanagerWebhook answers POST /api/v1/integrations/alertmanager, the
// webhook_config of Alertmanager with `Authorization: Bearer KEY`.
func (s *Server) alertmanagerWebhook(w http.ResponseWriter, r *http.Request) {
	s.batchIngest(w, r, "alertmanager", ingest.MaxBodyBatch, ingest.Alertmanager)
}

// grafanaWebhook answers POST /api/v1/integrations/grafana, Grafana's
// webhook contact point with the key as a bearer token or basic-auth password.
func (s *Server) grafanaWebhook(w http.ResponseWriter, r *http.Request) {
	s.batchIngest(w, r, "grafana", ingest.MaxBodyBatch, ingest.Grafana)
}

// genericEvents answers POST /api/v1/events: Vigil's own format, with a
// generic integration's key or a token with the operate scope.
func (s *Server) genericEvents(w http.ResponseWriter, r *http.Request) {
	s.batchIngest(w, r, "generic", ingest.MaxBodyGeneric, ingest.Generic)
}

// parser reads a body into events. It must not keep body, nor any part of
// it: the body's buffer serves the next request once this one is answered.
type parser func(body []byte, integ ingest.Integration) ([]alert.Event, error)

func (s *Server) batchIngest(w http.ResponseWriter, r *http.Request, kind string, limit int64, parse parser) {
	integ, err := s.integrationFor(r, kind)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	buf := s.bodyBuffer()
	defer s.keepBody(buf)
	body, err := readBodyInto(buf, w, r, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	integ.Received = s.now()
	events, err := parse(body, integ)
	if err != nil {
		s.writeError(w, r, ingestError(err))
		return
	}
	outcomes, err := s.d.Pager.Ingest(r.Context(), events)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "events": len(events), "alerts": outcomes})
}

// pagerDutyEnqueue answers POST /v2/enqueue exactly as PagerDuty's Events
// API v2 does, so PagerDuty's clients and Alertmanager's pagerduty_configs
// can point at Vigil unchanged. The routing key in the body names the
// integration.
func (s *Server) pagerDutyEnqueue(w http.ResponseWriter, r *http.Request) {
	body, ok := readPagerDuty(w, r)
	if !ok {
		return
	}
	ev, _, err := ingest.PagerDuty(body, s.pagerDutyKey)
	if refusedPagerDuty(w, err) {
		return
	}
	if _, err := s.d.Pager.Ingest(r.Context(), []alert.Event{ev}); err != nil {
		s.d.Log.Error("storing a PagerDuty event failed", "err", err)
		writePagerDuty(w, http.StatusInternalServerError, ingest.PagerDutyUnavailable())
		return
	}
	status, reply := ingest.PagerDutyReply(ev.Key, nil)
	writePagerDuty(w, status, reply)
}

// writePagerDuty answers with a body in PagerDuty's shape.
func writePagerDuty(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// readPagerDuty reads the body of a request to PagerDuty's endpoints; when
// it cannot, it answers as PagerDuty does (413, 400) and reports false.
func readPagerDuty(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := readBody(w, r, ingest.MaxBodyPagerDuty)
	switch {
	case err == nil:
		return body, true
	case errs.CodeOf(err) == errs.TooLarge:
		writePagerDuty(w, http.StatusRequestEntityTooLarge, ingest.PagerDutyInvalid([]string{"Request body is larger than 512 KB"}))
	default:
		writePagerDuty(w, http.StatusBadRequest, ingest.PagerDutyUnrecognized([]string{errs.Message(err)}))
	}
	return nil, false
}

// pagerDutyKey finds the pagerduty integration of a routing key.
func (s *Server) pagerDutyKey(key string) (ingest.Integration, bool) {
	integ, ok := s.matchIntegration("pagerduty", key)
	integ.Received = s.now()
	return integ, ok
}

// refusedPagerDuty answers a PagerDuty event that could not be read as
// PagerDuty does (401 for an unknown routing key, 400 for a bad event) and
// reports whether it did.
func refusedPagerDuty(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ingest.ErrUnknownRoutingKey):
		writePagerDuty(w, http.StatusUnauthorized, ingest.PagerDutyInvalid([]string{err.Error()}))
	default:
		status, reply := ingest.PagerDutyReply("", err)
		writePagerDuty(w, status, reply)
	}
	return true
}

// integrationFor authenticates a request for a kind of integration: its key
// as a bearer token (or basic-auth password, which Grafana can send).
// Generic events also accept an API token with the operate scope; such
// events must name their service, as a token has no default one.
func (s *Server) integrationFor(r *http.Request, kind string) (ingest.Integration, error) {
	key, ok := auth.Bearer(r)
	if !ok {
		_, key, ok = r.BasicAuth()
	}
	if !ok || key == "" {
		return ingest.Integration{}, errs.E(errs.Unauthorized, "missing key: send 'Authorization: Bearer KEY' with the %s integration's key", kind)
	}
	if integ, ok := s.matchIntegration(kind, key); ok {
		return integ, nil
	}
	if kind == "generic" {
		if who, err := s.allow(r, auth.Operate); err == nil {
			return ingest.Integration{ID: who.Actor(), Type: "generic", RequireService: true}, nil
		}
	}
	return ingest.Integration{}, errs.E(errs.Unauthorized, "no %s integration has this key", kind)
}

// matchIntegration finds the integration of kind with key, comparing every
// key in constant time.
func (s *Server) matchIntegration(kind, key string) (ingest.Integration, bool) {
	var found *config.Integration
	cfg := s.d.Config()
	for i := range cfg.Integrations {
		in := &cfg.Integrations[i]
		if auth.Equal(in.Key.Reveal(), key) && in.Type == kind {
			found = in
		}
	}
	if found == nil {
		return ingest.Integration{}, false
	}
	return ingest.Integration{ID: found.ID, Type: found.Type, Service: found.Service}, true
}

// preGrow bounds the room made for a body before it arrives.
const preGrow = 256 << 10

// readBody reads a request's body, refusing one over limit bytes (413).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	return readBodyInto(&buf, w, r, limit)
}

// readBodyInto is readBody into buf, which must be empty.
func readBodyInto(buf *bytes.Buffer, w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= limit {
		// Room for it all and the read that finds its end, so a usual body
		// is read without regrowing; no more than preGrow, so a client that
		// announces a large body and sends nothing holds no more than that.
		buf.Grow(int(min(n, preGrow)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	body := buf.Bytes()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errs.E(errs.TooLarge, "body is larger than the %d KiB limit", limit>>10)
	case err != nil:
		return nil, errs.Wrap(errs.Invalid, err, "reading body")
	}
	return body, nil
}

// ingestError names the fields a payload got wrong.
func ingestError(err error) error {
	var list ingest.Errors
	if errors.As(err, &list) {
		return errs.E(errs.Invalid, "%s", list.Error())
	}
	return errs.E(errs.Invalid, "%v", err)
}
