package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert/ingest"
	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/errs"
)

// pagerDutyChange answers POST /v2/change/enqueue as PagerDuty's change
// events do, recording each change as a deploy: 202
// {"status":"success","message":"Change event processed"}, 400 with the
// problems, 401 for a routing key no pagerduty integration has. What a
// change is made of beyond PagerDuty's fields is read from custom_details
// (see changeDeploy).
func (s *Server) pagerDutyChange(w http.ResponseWriter, r *http.Request) {
	body, ok := readPagerDuty(w, r)
	if !ok {
		return
	}
	c, integ, err := ingest.PagerDutyChange(body, s.pagerDutyKey)
	if refusedPagerDuty(w, err) {
		return
	}
	_, err = s.d.Deploys.Record(r.Context(), changeDeploy(c, integ))
	switch {
	case errs.CodeOf(err) == errs.Invalid:
		var msgs []string
		for _, p := range errs.ProblemsOf(err) {
			msgs = append(msgs, changeField(p.Field)+": "+p.Message)
		}
		writePagerDuty(w, http.StatusBadRequest, ingest.PagerDutyInvalid(msgs))
		return
	case err != nil:
		s.d.Log.Error("recording a PagerDuty change event failed", "err", err)
		writePagerDuty(w, http.StatusInternalServerError, ingest.PagerDutyUnavailable())
		return
	}
	writePagerDuty(w, http.StatusAccepted, ingest.PagerDutyChangeAccepted())
}

// changeDeploy maps a change event onto a deploy. The service is the
// integration's, or custom_details.service; custom_details may also give
// version (else build_number, else the summary stands for it),
// environment (default production), release, artifact (or image), status
// (or build_state: passed, failed) and commits [{sha, at}]. The event's
// source is who deployed; its summary and links are the notes.
func changeDeploy(c ingest.Change, integ ingest.Integration) deploy.Input {
	detail := func(names ...string) string {
		for _, n := range names {
			switch v := c.Details[n].(type) {
			case string:
				if strings.TrimSpace(v) != "" {
					return strings.TrimSpace(v)
				}
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return ""
	}
	in := deploy.Input{
		Service:     integ.Service,
		Version:     detail("version", "build_number"),
		Environment: detail("environment", "env"),
		Release:     detail("release"),
		Artifact:    detail("artifact", "image"),
		Status:      detail("status"),
		By:          strings.TrimSpace(c.Source),
		Source:      "pagerduty/" + integ.ID,
	}
	if in.Service == "" {
		in.Service = detail("service")
	}
	if in.Version == "" {
		in.Version = clipText(strings.TrimSpace(c.Summary), 256)
	}
	if in.Environment == "" {
		in.Environment = deploy.DefaultEnvironment
	}
	if in.Status == "" {
		switch strings.ToLower(detail("build_state")) {
		case "failed", "failure", "error":
			in.Status = deploy.Failed
		}
	}
	if !c.At.IsZero() {
		in.At = c.At.UTC().Format(time.RFC3339Nano)
	}
	notes := c.Summary
	for _, l := range c.Links {
		notes += "\n" + strings.TrimSpace(l.Text+" "+l.Href)
	}
	in.Notes = notes
	if raw, ok := c.Details["commits"]; ok {
		b, _ := json.Marshal(raw)
		var cs []struct {
			SHA string `json:"sha"`
			At  string `json:"at"`
		}
		if err := json.Unmarshal(b, &cs); err != nil {
			in.Commits = []deploy.CommitInput{{SHA: "", At: ""}} // refused below with the field named
		}
		for _, c := range cs {
			in.Commits = append(in.Commits, deploy.CommitInput{SHA: c.SHA, At: c.At})
		}
	}
	return in
}

// changeField names a deploy's field where a change event carries it.
func changeField(f string) string {
	switch {
	case f == "at":
		return "payload.timestamp"
	case f == "by":
		return "payload.source"
	case f == "notes":
		return "payload.summary"
	}
	return fmt.Sprintf("payload.custom_details.%s", f)
}

// clipText cuts s to at most n bytes, on a character boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
