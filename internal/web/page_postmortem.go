package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/report/postmortem"
	"github.com/vigil-sre/vigil/internal/store"
)

// The postmortem in the browser: read it, write its sections (with a
// preview), all from the same record the API and CLI render.

type postmortemPage struct {
	Page
	Incident store.IncidentRow
	Body     template.HTML
	// Sections are the editable sections, for the editor.
	Sections []pmSection
	Preview  bool
	Problem  string
}

// pmSection is one section people write, as the editor shows it.
type pmSection struct {
	Key, Label, Hint, Value string
	Long                    bool // a paragraph, not a line
}

// sectionLabels name the editable sections (postmortem.Fields) and say
// what goes in each; a section without one shows its key.
var sectionLabels = map[string][2]string{
	"summary":     {"Summary", "What happened, in two or three sentences."},
	"impact":      {"Impact", "Who was affected, how, and for how long."},
	"root_causes": {"Root causes", "Why it happened, as far down as you can go."},
	"trigger":     {"Trigger", "What set it off."},
	"resolution":  {"Resolution", "What fixed it."},
	"detection":   {"Detection", "How it was noticed."},
	"went_well":   {"What went well", ""},
	"went_wrong":  {"What went wrong", ""},
	"lucky":       {"Where we got lucky", ""},
	"authors":     {"Authors", "Comma-separated."},
	"status":      {"Status", "draft or final."},
}

func pmSections(values map[string]string) []pmSection {
	var out []pmSection
	for _, k := range postmortem.Fields {
		l, ok := sectionLabels[k]
		if !ok {
			l = [2]string{strings.ReplaceAll(k, "_", " "), ""}
		}
		out = append(out, pmSection{Key: k, Label: l[0], Hint: l[1], Value: values[k], Long: k != "authors" && k != "status"})
	}
	return out
}

// postmortemPage renders /incidents/{id}/postmortem: the postmortem as the
// API's HTML renders it, in the viewer's zone, inside the app.
func (s *Server) postmortemPage(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, err := s.postmortemData(r, id, nil)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "postmortem.html", p)
}

// postmortemData renders the postmortem with edit's sections as if saved.
func (s *Server) postmortemData(r *http.Request, id int64, edit map[string]string) (postmortemPage, error) {
	in, err := s.d.Incidents.Get(r.Context(), id)
	if err != nil {
		return postmortemPage{}, err
	}
	p := postmortemPage{Page: s.page(r, "Postmortem: "+in.Title, "incidents"), Incident: in}
	data, err := s.d.Incidents.PostmortemDraft(r.Context(), id, p.loc, edit)
	if err != nil {
		return p, err
	}
	tmpl, err := postmortem.Parse(s.d.Config().Global.PostmortemTemplate)
	if err != nil {
		return p, errs.Wrap(errs.Internal, err, "%v", err)
	}
	if p.Body, err = postmortem.HTMLBody(tmpl, data); err != nil {
		return p, errs.Wrap(errs.Internal, err, "%v", err)
	}
	return p, nil
}

// postmortemEditor renders /incidents/{id}/postmortem/edit: a field for
// each section people write, as last saved.
func (s *Server) postmortemEditor(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	in, err := s.d.Incidents.Get(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := postmortemPage{Page: s.page(r, "Edit the postmortem: "+in.Title, "incidents"), Incident: in, Sections: pmSections(in.Postmortem)}
	s.render(w, r, "postmortem_edit.html", p)
}

// postedSections are the sections a postmortem form posted.
func postedSections(r *http.Request) map[string]string {
	out := map[string]string{}
	for _, k := range postmortem.Fields {
		if vs, ok := r.PostForm[k]; ok && len(vs) > 0 {
			out[k] = strings.TrimSpace(strings.ReplaceAll(vs[0], "\r\n", "\n"))
		}
	}
	return out
}

// postmortemPreview answers POST /incidents/{id}/postmortem/preview: the
// editor again with what was typed, and the postmortem as it would read
// with it. Nothing is saved.
func (s *Server) postmortemPreview(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	id, err := incidentID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	edit := postedSections(r)
	p, err := s.postmortemData(r, id, edit)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Preview, p.Sections = "Edit the postmortem: "+p.Incident.Title, true, pmSections(edit)
	s.render(w, r, "postmortem_edit.html", p)
}

// postmortemSave answers POST /incidents/{id}/postmortem: the sections, as
// the person; then the postmortem as it now reads.
func (s *Server) postmortemSave(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := incidentID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	edit := postedSections(r)
	before, err := s.d.Incidents.Get(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if _, err := s.d.Incidents.EditPostmortem(r.Context(), id, edit, p.Actor()); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			s.pageError(w, r, err)
			return
		}
		page := postmortemPage{Page: s.page(r, "Edit the postmortem: "+before.Title, "incidents"), Incident: before,
			Sections: pmSections(edit), Problem: errs.Message(err)}
		s.renderStatus(w, r, http.StatusBadRequest, "postmortem_edit.html", page)
		return
	}
	var changed []string
	for _, sec := range pmSections(edit) {
		if before.Postmortem[sec.Key] != sec.Value {
			changed = append(changed, strings.ToLower(sec.Label))
		}
	}
	if len(changed) == 0 {
		s.notice(w, r, "Nothing changed.")
	} else {
		s.notice(w, r, fmt.Sprintf("Saved: %s.", strings.Join(changed, ", ")))
	}
	http.Redirect(w, r, incident.Path(id)+"/postmortem", http.StatusSeeOther)
}
