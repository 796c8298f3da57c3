package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-sre/vigil/internal/auth"
)

// routes declares every route Vigil serves. Reads are open, like a status
// page; everything that changes state needs a token scope, the integration's
// own key (ingestion, heartbeats), or a signed link (ack and resolve).
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.d.Metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST /-/reload", s.authorize(auth.Admin, s.reload))

	mux.HandleFunc("GET /api/v1/services", s.listServices)
	mux.HandleFunc("GET /api/v1/services/{service}", s.getService)
	mux.HandleFunc("GET /api/v1/checks", s.listChecks)
	mux.HandleFunc("GET /api/v1/checks/{service}/{check}", s.getCheck)
	mux.HandleFunc("GET /api/v1/checks/{service}/{check}/results", s.listResults)
	mux.HandleFunc("GET /api/v1/events", s.listEvents)
	mux.HandleFunc("POST /api/v1/heartbeats/{service}/{check}", s.heartbeat)

	mux.HandleFunc("GET /api/v1/alerts", s.listAlerts)
	mux.HandleFunc("GET /api/v1/alerts/{id}", s.getAlert)
	mux.HandleFunc("POST /api/v1/alerts/{id}/ack", s.ackAlert)
	mux.HandleFunc("POST /api/v1/alerts/{id}/resolve", s.resolveAlert)
	mux.HandleFunc("GET /api/v1/alerts/{id}/notifications", s.alertNotifications)
	mux.HandleFunc("GET /api/v1/silences", s.listSilences)
	mux.HandleFunc("POST /api/v1/silences", s.createSilence)
	mux.HandleFunc("GET /api/v1/silences/{id}", s.getSilence)
	mux.HandleFunc("DELETE /api/v1/silences/{id}", s.expireSilence)
	mux.HandleFunc("GET /api/v1/oncall", s.onCall)

	mux.HandleFunc("GET /api/v1/runbooks", s.listRunbooks)
	mux.HandleFunc("GET /api/v1/runbooks/{id}", s.getRunbook)
	mux.HandleFunc("POST /api/v1/runbooks/{id}/runs", s.startRun)
	mux.HandleFunc("POST /api/v1/runbooks/{id}/webhook", s.webhookRun)
	mux.HandleFunc("GET /api/v1/runs", s.listRuns)
	mux.HandleFunc("GET /api/v1/runs/{id}", s.getRun)
	mux.HandleFunc("GET /api/v1/runs/{id}/events", s.runEvents)
	mux.HandleFunc("POST /api/v1/runs/{id}/approve", s.approveRun)
	mux.HandleFunc("GET /api/v1/audit", s.listAudit)

	mux.HandleFunc("GET /api/v1/incidents", s.listIncidents)
	mux.HandleFunc("POST /api/v1/incidents", s.declareIncident)
	mux.HandleFunc("GET /api/v1/incidents/metrics", s.incidentMetrics)
	mux.HandleFunc("GET /api/v1/incidents/{id}", s.getIncident)
	mux.HandleFunc("POST /api/v1/incidents/{id}/status", s.incidentStatus)
	mux.HandleFunc("POST /api/v1/incidents/{id}/roles", s.incidentRole)
	mux.HandleFunc("POST /api/v1/incidents/{id}/notes", s.incidentNote)
	mux.HandleFunc("POST /api/v1/incidents/{id}/import", s.incidentImport)
	mux.HandleFunc("GET /api/v1/incidents/{id}/postmortem", s.postmortem)
	mux.HandleFunc("PUT /api/v1/incidents/{id}/postmortem", s.editPostmortem)
	mux.HandleFunc("POST /api/v1/incidents/{id}/action_items", s.saveActionItem)
	mux.HandleFunc("GET /api/v1/reports/oncall", s.oncallReport)
	mux.HandleFunc("GET /api/v1/deploys", s.listDeploys)
	mux.HandleFunc("POST /api/v1/deploys", s.recordDeploy)

	// Ingestion, each behind its integration's key.
	mux.HandleFunc("POST /api/v1/integrations/alertmanager", s.alertmanagerWebhook)
	mux.HandleFunc("POST /api/v1/integrations/grafana", s.grafanaWebhook)
	mux.HandleFunc("POST /api/v1/events", s.genericEvents)
	mux.HandleFunc("POST /v2/enqueue", s.pagerDutyEnqueue)

	// Signed ack and resolve links from notifications; they need no login.
	mux.HandleFunc("GET /a/{id}/{verb}", s.linkForm)
	mux.HandleFunc("POST /a/{id}/{verb}", s.linkAct)
	mux.HandleFunc("GET /r/{id}/approve", s.runLinkForm)
	mux.HandleFunc("POST /r/{id}/approve", s.runLinkAct)

	mux.HandleFunc("GET /{$}", s.statusPage)
	mux.HandleFunc("GET /checks/{service}/{check}", s.checkPage)
	mux.HandleFunc("GET /alerts", s.alertsPage)
	mux.HandleFunc("GET /alerts/{id}", s.alertPage)
	mux.Handle("GET /static/", staticFiles())
}
