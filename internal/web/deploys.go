package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// maxDeployBody caps a deploy record: up to deploy.MaxCommits commits.
const maxDeployBody = 256 << 10

type deployBody struct {
	Service     string       `json:"service"`
	Version     string       `json:"version"`
	Environment string       `json:"environment"`
	Artifact    string       `json:"artifact"`
	By          string       `json:"by"`
	At          string       `json:"at"`
	Notes       string       `json:"notes"`
	Release     *releaseRef  `json:"release"`
	Commits     []commitBody `json:"commits"`
	Status      string       `json:"status"`
}

// releaseRef is a release named by id (a number) or version (a string).
type releaseRef string

func (r *releaseRef) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*r = releaseRef(strconv.FormatInt(n, 10))
		return nil
	}
	v, err := strconv.Unquote(s)
	if err != nil || !strings.HasPrefix(s, `"`) {
		return errs.E(errs.Invalid, "release: must be a release id or version")
	}
	*r = releaseRef(v)
	return nil
}

type commitBody struct {
	SHA string `json:"sha"`
	At  string `json:"at"`
}

// recordDeploy answers POST /api/v1/deploys: a token with the operate scope,
// or a deploy integration's key (for its service only).
func (s *Server) recordDeploy(w http.ResponseWriter, r *http.Request) {
	caller, err := s.deployCaller(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b deployBody
	if err := decodeBody(w, r, maxDeployBody, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := caller.mayDeploy(b.Service); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := deploy.Input{Service: b.Service, Version: b.Version, Environment: b.Environment, Artifact: b.Artifact,
		Notes: b.Notes, Status: b.Status, At: b.At, By: caller.actor(b.By)}
	if b.Release != nil {
		in.Release = string(*b.Release)
	}
	for _, c := range b.Commits {
		in.Commits = append(in.Commits, deploy.CommitInput{SHA: c.SHA, At: c.At})
	}
	d, err := s.d.Deploys.Record(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// getDeploy answers GET /api/v1/deploys/{id}: the deploy with its
// verification.
func (s *Server) getDeploy(w http.ResponseWriter, r *http.Request) {
	caller, err := s.deployCaller(r, auth.Read)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, errs.E(errs.NotFound, "no deploy %q", clipped(r.PathValue("id"))))
		return
	}
	d, err := s.d.Deploys.Get(r.Context(), id)
	if err == nil {
		err = caller.mayDeploy(d.Service)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// listDeploys answers GET /api/v1/deploys?service=&since=&until=&limit=,
// newest first, each with its verification.
func (s *Server) listDeploys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, until := time.Time{}, s.now().Add(time.Millisecond) // times are stored to the millisecond
	for field, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		t, err := s.ahead().Parse(field, q.Get(field))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if t != nil {
			*dst = *t
		}
	}
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := s.d.Store.DeployPage(r.Context(), q.Get("service"), since, until, limit)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "listing deploys"))
		return
	}
	if ds == nil {
		ds = []store.DeployRow{}
	}
	writeJSON(w, http.StatusOK, ds)
}

type guardBody struct {
	Service     string   `json:"service"`
	Version     string   `json:"version"`
	Environment string   `json:"environment"`
	Images      []string `json:"images"`
	By          string   `json:"by"`
}

// deployCheck answers POST /api/v1/deploys/check, the deploy guard CI asks
// before deploying: 200 {"allowed": true} or 409 {"allowed": false,
// "reasons": [...]}, with the usual error and code for clients that read
// only those. Every decision is audited.
func (s *Server) deployCheck(w http.ResponseWriter, r *http.Request) {
	caller, err := s.deployCaller(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b guardBody
	if err := decodeBody(w, r, 32<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := caller.mayDeploy(b.Service); err != nil {
		s.writeError(w, r, err)
		return
	}
	dec, err := s.d.Deploys.Check(r.Context(), deploy.GuardRequest{Service: b.Service, Version: b.Version,
		Environment: b.Environment, Images: b.Images, By: caller.actor(b.By)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if dec.Allowed {
		writeJSON(w, http.StatusOK, dec)
		return
	}
	msgs := make([]string, len(dec.Reasons))
	for i, rs := range dec.Reasons {
		msgs[i] = rs.Message
	}
	writeJSON(w, http.StatusConflict, struct {
		deploy.Decision
		Error string `json:"error"`
		Code  string `json:"code"`
	}{dec, "deploy not allowed now: " + strings.Join(msgs, "; "), string(errs.Conflict)})
}

// deployer is who records a deploy or asks the guard: a token's principal,
// or a deploy integration bound to one service.
type deployer struct {
	p           auth.Principal
	integration string // the deploy integration's id, when its key was sent
	service     string // the integration's service ("" for any)
}

// deployCaller authenticates a deploy request: a deploy integration's key,
// else a token (or session) with scope (operate to write, read to follow
// a deploy's verification).
func (s *Server) deployCaller(r *http.Request, scope auth.Scope) (deployer, error) {
	if key, ok := auth.Bearer(r); ok && key != "" {
		if integ, ok := s.matchIntegration("deploy", key); ok {
			return deployer{integration: integ.ID, service: integ.Service}, nil
		}
	}
	p, err := s.allow(r, scope)
	return deployer{p: p}, err
}

// mayDeploy refuses a deploy integration another service's deploys.
func (c deployer) mayDeploy(service string) error {
	if c.integration != "" && c.service != "" && strings.TrimSpace(service) != c.service {
		return errs.E(errs.Forbidden, "deploy integration %q is for service %s only", c.integration, c.service)
	}
	return nil
}

// actor is how the record names the caller, with whom it acts for.
func (c deployer) actor(by string) string {
	if c.integration == "" {
		return c.p.ActorAs(by)
	}
	who := "integration/" + c.integration
	if by = strings.TrimSpace(by); by != "" {
		return by + " (" + who + ")"
	}
	return who
}

// clipped keeps an echoed path value short.
func clipped(v string) string {
	if len(v) > 32 {
		return v[:32] + "…"
	}
	return v
}
