package web

import "net/http"

// incidentMessage answers POST /api/v1/incidents/{id}/messages with
// {"text", "by"}: an update sent to the stakeholders of the incident's
// services, recorded on its timeline.
func (s *Server) incidentMessage(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Text string `json:"text"`
		By   string `json:"by"`
	}
	who, id, ok := s.incidentWrite(w, r, 16<<10, &b)
	if !ok {
		return
	}
	e, err := s.d.Incidents.Message(r.Context(), id, b.Text, actor(who, b.By))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}
