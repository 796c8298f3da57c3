package web

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/incident/chatlog"
)

// chatUploadLimit caps the chat import form: the chat (as large as the API
// takes) and the form's few other fields.
const chatUploadLimit = maxBody + maxFormBody

// incidentImportAct answers POST /incidents/{id}/import, a multipart form:
// the chat file (a plain chat log or a Slack channel export), its format,
// and for a plain log the day and zone its times are in.
func (s *Server) incidentImportAct(r *http.Request, p auth.Principal, id int64) (string, string, error) {
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	file, header, err := r.FormFile("chat")
	if err != nil {
		return "", "", errs.E(errs.Invalid, "chat: choose the chat file to import")
	}
	defer file.Close()
	f := r.PostForm
	im := incident.Import{Format: f.Get("format"), By: p.Actor()}
	if im.Format == "" || im.Format == "auto" {
		im.Format = "log"
		if strings.EqualFold(filepath.Ext(header.Filename), ".json") {
			im.Format = "slack"
		}
	}
	if im.Format == "log" {
		tz := strings.TrimSpace(f.Get("tz"))
		if im.Loc = s.zoneOf(p.Person); tz != "" {
			if im.Loc, err = time.LoadLocation(tz); err != nil {
				return "", "", errs.E(errs.Invalid, "tz: unknown time zone %q", shortValue(tz))
			}
		}
		if im.Day, err = chatlog.ParseDate(f.Get("date"), im.Loc); err != nil {
			return "", "", err
		}
	}
	res, err := s.d.Incidents.ImportChat(r.Context(), id, file, im)
	if err != nil {
		return "", "", err
	}
	notice := fmt.Sprintf("Imported %d messages from %s", res.Added, header.Filename)
	if res.Skipped > 0 {
		notice += fmt.Sprintf(" (%d were already there)", res.Skipped)
	}
	notice += "."
	if n := len(res.Problems); n > 0 {
		var lines []string
		for _, pr := range res.Problems[:min(n, 3)] {
			lines = append(lines, shortValue(pr.String()))
		}
		if n > 3 {
			lines = append(lines, fmt.Sprintf("and %d more", n-3))
		}
		notice += fmt.Sprintf(" %d lines were not read as messages: %s.", n, strings.Join(lines, "; "))
	}
	return "timeline", notice, nil
}
