package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/monitor"
)

// maxBeatBody caps a heartbeat's body: a status and a short message.
const maxBeatBody = 64 << 10

// maxMessage is how much of a report's message is kept.
const maxMessage = 1000

// beat is the optional JSON body of a heartbeat.
type beat struct {
	Status  string `json:"status"` // ok (default) or fail
	Message string `json:"message"`
}

// heartbeat answers POST /api/v1/heartbeats/{service}/{check}. A job reports
// success with an empty body, or sends {"status":"fail","message":"..."}
// (or ?status=fail&message=...) when it failed. A text/plain body is kept as
// the message. The check's key authorises the report; without a key, a token
// with the operate scope does.
func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCheck(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if c.Heartbeat == nil {
		s.writeError(w, r, errs.E(errs.Invalid, "check %s is a %s check; only heartbeat checks accept reports", c.Key(), c.Kind()))
		return
	}
	if err := s.authorizeBeat(r, c.Heartbeat.Key.Reveal()); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := readBeat(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.d.Monitor.Beat(r.Context(), c.Service, c.ID, b.Status != "fail", b.Message)
	switch {
	case errors.Is(err, monitor.ErrUnknownCheck), errors.Is(err, monitor.ErrNotRunning):
		s.writeError(w, r, errs.E(errs.Unavailable, "check %s is not running yet", c.Key()))
		return
	case errors.Is(err, monitor.ErrNotOwner):
		// The lead moved while the report was taken: nothing was stored.
		s.writeError(w, r, errs.E(errs.Unavailable, "check %s is changing hands between replicas; retry", c.Key()))
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{
		"check": c.Key(), "status": res.Status, "reason": res.Reason, "at": res.At,
	})
}

func (s *Server) authorizeBeat(r *http.Request, key string) error {
	if key != "" {
		presented, ok := auth.Bearer(r)
		if !ok {
			presented = r.URL.Query().Get("key")
		}
		if presented != "" && auth.Equal(presented, key) {
			return nil
		}
		if presented == "" {
			return errs.E(errs.Unauthorized, "missing heartbeat key (send 'Authorization: Bearer KEY' or ?key=KEY)")
		}
	}
	_, err := s.allow(r, auth.Operate)
	return err
}

func readBeat(w http.ResponseWriter, r *http.Request) (beat, error) {
	q := r.URL.Query()
	b := beat{Status: q.Get("status"), Message: q.Get("message")}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBeatBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return b, errs.E(errs.TooLarge, "heartbeat body is larger than %d KiB", maxBeatBody>>10)
		}
		return b, errs.Wrap(errs.Invalid, err, "reading body")
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		// curl -d sends JSON as a form unless told otherwise; a body that
		// parses as a JSON object is taken as one whatever its type says.
		jb, err := decodeBeat(trimmed)
		switch {
		case err == nil:
			if jb.Status != "" {
				b.Status = jb.Status
			}
			if jb.Message != "" {
				b.Message = jb.Message
			}
		case mt == "application/json":
			return b, errs.E(errs.Invalid, "invalid JSON body: %s (expected {\"status\": \"ok\"|\"fail\", \"message\": \"...\"})", jsonProblem(err))
		default:
			b.Message = string(trimmed)
		}
	}
	switch b.Status {
	case "", "ok", "fail":
	default:
		return b, errs.E(errs.Invalid, "status must be ok or fail, not %q", b.Status)
	}
	if len(b.Message) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(b.Message[cut]) {
			cut--
		}
		b.Message = b.Message[:cut] + "…"
	}
	return b, nil
}

func decodeBeat(body []byte) (beat, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var b beat
	err := dec.Decode(&b)
	return b, err
}

// jsonProblem describes a JSON decoding error with its position.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return syn.Error() + " at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "field " + typ.Field + " must be a " + typ.Type.String()
	}
	return err.Error()
}
