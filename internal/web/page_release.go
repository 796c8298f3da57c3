package web

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/release"
)

type releasePage struct {
	Page
	Release release.Release
	Next    []string // statuses the release may move to
	Doc     template.HTML
}

// nextStatuses are the moves a release of status may make, for the form.
func nextStatuses(status string) []string {
	var out []string
	for _, to := range release.Statuses {
		if release.CanMove(status, to) {
			out = append(out, to)
		}
	}
	return out
}

// releasePage renders /releases/{id}: the release's status, a form to move
// it, and its as-built document.
func (s *Server) releasePage(w http.ResponseWriter, r *http.Request) {
	id, err := releaseID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc, err := s.d.Releases.Doc(r.Context(), id, 0, nil)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	body, err := release.HTMLBody(doc)
	if err != nil {
		s.pageError(w, r, errs.Wrap(errs.Internal, err, "rendering the document"))
		return
	}
	rel := doc.Release
	p := releasePage{Page: s.page(r, rel.Service+" "+rel.Name, "releases"), Release: rel, Next: nextStatuses(rel.Status), Doc: body}
	s.render(w, r, "release.html", p)
}

// releaseStatusAction moves a release from its page (operate), then shows it again.
func (s *Server) releaseStatusAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := releaseID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	to := r.PostFormValue("status")
	if !slices.Contains(release.Statuses, to) {
		s.pageError(w, r, errs.E(errs.Invalid, "status: choose one of the moves offered"))
		return
	}
	rel, err := s.d.Releases.SetStatus(r.Context(), id, to, r.PostFormValue("note"), p.Actor(), nil)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.notice(w, r, rel.Name+" is "+statusText(rel.Status)+".")
	http.Redirect(w, r, "/releases/"+r.PathValue("id"), http.StatusSeeOther)
}

func statusText(s string) string {
	if s == release.InProgress {
		return "in progress"
	}
	return s
}

type capacityPage struct {
	Page
	Release  release.Release
	Manifest string
}

// releaseCapacityPage renders /releases/{id}/capacity: the release's
// capacity plan with its arithmetic, and the Deployment it needs.
func (s *Server) releaseCapacityPage(w http.ResponseWriter, r *http.Request) {
	id, err := releaseID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rel, err := s.d.Releases.Get(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if rel.Capacity == nil {
		s.pageError(w, r, errs.E(errs.NotFound, "%s %s has no capacity plan; add one with capacity: or capacity_file: in its release file", rel.Service, rel.Name))
		return
	}
	p := capacityPage{Page: s.page(r, "Capacity plan: "+rel.Service+" "+rel.Name, "releases"), Release: rel}
	if m, err := rel.Capacity.Manifest(); err == nil {
		p.Manifest = string(m)
	}
	s.render(w, r, "capacity.html", p)
}
