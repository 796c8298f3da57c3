package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/release/capacity"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// maxReleaseBody caps a release: ten manifests of 128 KiB and the rest.
const maxReleaseBody = 2 << 20

func releaseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.Invalid, "release id must be a positive number, not %q", r.PathValue("id"))
	}
	return id, nil
}

// isYAML reports whether a request body is YAML rather than JSON.
func isYAML(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/yaml" || mt == "application/x-yaml" || mt == "text/yaml"
}

// readRaw reads a whole body of at most limit bytes.
func readRaw(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errs.E(errs.TooLarge, "body is larger than the %d KiB limit", limit>>10)
	case err != nil:
		return nil, errs.E(errs.Invalid, "reading the body: %v", err)
	}
	return b, nil
}

// createRelease answers POST /api/v1/releases with a release as JSON, or as
// YAML (Content-Type: application/yaml) whose problems come back at
// line:col. Recording a release is an operation on the service, as
// recording a deploy is: it needs operate.
func (s *Server) createRelease(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by := p.Actor()
	var rel release.Release
	if isYAML(r) {
		var body []byte
		if body, err = readRaw(w, r, maxReleaseBody); err == nil {
			rel, err = s.d.Releases.CreateYAML(r.Context(), "body", body, by)
		}
	} else {
		var spec release.Spec
		if err = decodeBody(w, r, maxReleaseBody, &spec); err == nil {
			rel, err = s.d.Releases.Create(r.Context(), spec, by)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rel)
}

func (s *Server) getRelease(w http.ResponseWriter, r *http.Request) {
	id, err := releaseID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rel, err := s.d.Releases.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rel)
}

// releaseStatuses is the ?status= of the release list: open is planned and
// in progress, all is every status.
func releaseStatuses() StatusFilter {
	return StatusFilter{Param: "status", Known: release.Statuses,
		Aliases: map[string][]string{"open": {release.Planned, release.InProgress}, "all": release.Statuses}}
}

// listReleases answers GET /api/v1/releases?service=&status=a,b&limit=&offset=.
func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.ReleaseFilter{Service: q.Get("service")}
	var err error
	if f.Status, err = releaseStatuses().Parse(q.Get("status")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.Limit, err = limitParam(r, 100, 1000); err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 || f.Offset > 1_000_000 {
			s.writeError(w, r, errs.E(errs.Invalid, "offset must be a whole number from 0 to 1000000"))
			return
		}
	}
	rels, err := s.d.Releases.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rels)
}

// releaseStatus answers POST /api/v1/releases/{id}/status (operate).
func (s *Server) releaseStatus(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := releaseID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b struct {
		Status string `json:"status"`
		Note   string `json:"note"`
		At     string `json:"at"`
		By     string `json:"by"`
	}
	if err := decodeBody(w, r, 80<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	at, err := timebound.Past(s.now()).Parse("at", b.At)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rel, err := s.d.Releases.SetStatus(r.Context(), id, b.Status, b.Note, p.ActorAs(b.By), at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rel)
}

// releaseDoc answers GET /api/v1/releases/{id}/doc?format=md|html&window=72h&tz=.
func (s *Server) releaseDoc(w http.ResponseWriter, r *http.Request) {
	id, err := releaseID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format, loc, err := s.docParams(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var window time.Duration
	if v := r.URL.Query().Get("window"); v != "" {
		if window, err = time.ParseDuration(v); err != nil || window <= 0 {
			s.writeError(w, r, errs.E(errs.Invalid, "window: %q is not a positive duration such as 72h", v))
			return
		}
	}
	doc, err := s.d.Releases.Doc(r.Context(), id, window, loc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var out bytes.Buffer
	if err := release.Render(&out, doc, format); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "rendering the document"))
		return
	}
	writeDocument(w, format, out.Bytes())
}

// capacityPlan answers POST /api/v1/capacity/plan with a capacity spec as
// JSON or YAML. It only computes, so read is enough; ?manifest=true adds
// the Deployment as YAML.
func (s *Server) capacityPlan(w http.ResponseWriter, r *http.Request) {
	const limit = 256 << 10
	var res capacity.Result
	var err error
	if isYAML(r) {
		var body []byte
		if body, err = readRaw(w, r, limit); err == nil {
			res, err = capacity.ParseFile("body", body)
		}
	} else {
		var spec capacity.Spec
		if err = decodeBody(w, r, limit, &spec); err == nil {
			var ps yamldoc.Problems
			if res, ps = capacity.Plan(spec); len(ps) > 0 {
				err = ps
			}
		}
	}
	if ps, ok := err.(yamldoc.Problems); ok {
		err = release.Invalid(ps)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		capacity.Result
		Manifest string `json:"manifest,omitempty"`
	}{Result: res}
	if r.URL.Query().Get("manifest") == "true" {
		m, err := res.Manifest()
		if err != nil {
			s.writeError(w, r, errs.E(errs.Invalid, "%v", err))
			return
		}
		out.Manifest = string(m)
	}
	writeJSON(w, http.StatusOK, out)
}
