package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/auth"
)

// routes declares every route Vigil serves. Everything is private by default:
// reads need the read scope, changes a higher one, ingestion and heartbeats
// their integration's or check's key, and signed links carry their own
// authority. Only /healthz, /readyz and what global.public opens (the status
// page, /metrics) answer without a credential.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /metrics", s.metrics())
	mux.HandleFunc("POST /-/reload", s.authorize(auth.Admin, s.reload))

	mux.HandleFunc("GET /api/v1/services", s.onLeader(s.read(s.listServices)))
	mux.HandleFunc("GET /api/v1/services/{service}", s.onLeader(s.read(s.getService)))
	mux.HandleFunc("GET /api/v1/checks", s.onLeader(s.read(s.listChecks)))
	mux.HandleFunc("GET /api/v1/checks/{service}/{check}", s.onLeader(s.read(s.getCheck)))
	mux.HandleFunc("GET /api/v1/checks/{service}/{check}/results", s.read(s.listResults))
	mux.HandleFunc("GET /api/v1/events", s.read(s.listEvents))
	mux.HandleFunc("POST /api/v1/heartbeats/{service}/{check}", s.onLeader(s.heartbeat))

	mux.HandleFunc("GET /api/v1/alerts", s.read(s.listAlerts))
	mux.HandleFunc("GET /api/v1/alerts/{id}", s.read(s.getAlert))
	mux.HandleFunc("POST /api/v1/alerts/{id}/ack", s.ackAlert)
	mux.HandleFunc("POST /api/v1/alerts/{id}/resolve", s.resolveAlert)
	mux.HandleFunc("GET /api/v1/alerts/{id}/notifications", s.read(s.alertNotifications))
	mux.HandleFunc("GET /api/v1/silences", s.read(s.listSilences))
	mux.HandleFunc("POST /api/v1/silences", s.createSilence)
	mux.HandleFunc("GET /api/v1/silences/{id}", s.read(s.getSilence))
	mux.HandleFunc("DELETE /api/v1/silences/{id}", s.expireSilence)
	mux.HandleFunc("GET /api/v1/oncall", s.read(s.onCall))
	mux.HandleFunc("GET /api/v1/schedules/{id}/overrides", s.read(s.listOverrides))
	mux.HandleFunc("POST /api/v1/schedules/{id}/overrides", s.createOverride)
	mux.HandleFunc("DELETE /api/v1/schedules/{id}/overrides/{oid}", s.deleteOverride)
	mux.HandleFunc("POST /api/v1/schedules/{id}/swaps", s.createSwap)

	mux.HandleFunc("GET /api/v1/runbooks", s.read(s.listRunbooks))
	mux.HandleFunc("GET /api/v1/runbooks/{id}", s.read(s.getRunbook))
	mux.HandleFunc("POST /api/v1/runbooks/{id}/runs", s.startRun)
	mux.HandleFunc("POST /api/v1/runbooks/{id}/webhook", s.webhookRun)
	mux.HandleFunc("GET /api/v1/runs", s.read(s.listRuns))
	mux.HandleFunc("GET /api/v1/runs/{id}", s.read(s.getRun))
	mux.HandleFunc("GET /api/v1/runs/{id}/events", s.read(s.runEvents))
	mux.HandleFunc("POST /api/v1/runs/{id}/approve", s.approveRun)
	mux.HandleFunc("POST /api/v1/runs/{id}/deny", s.denyRun)
	mux.HandleFunc("GET /api/v1/audit", s.read(s.listAudit))
	mux.HandleFunc("GET /api/v1/cluster", s.read(s.getCluster))

	mux.HandleFunc("GET /api/v1/incidents", s.read(s.listIncidents))
	mux.HandleFunc("POST /api/v1/incidents", s.declareIncident)
	mux.HandleFunc("GET /api/v1/incidents/metrics", s.read(s.incidentMetrics))
	mux.HandleFunc("GET /api/v1/incidents/{id}", s.read(s.getIncident))
	mux.HandleFunc("POST /api/v1/incidents/{id}/status", s.incidentStatus)
	mux.HandleFunc("POST /api/v1/incidents/{id}/roles", s.incidentRole)
	mux.HandleFunc("POST /api/v1/incidents/{id}/notes", s.incidentNote)
	mux.HandleFunc("POST /api/v1/incidents/{id}/import", s.incidentImport)
	mux.HandleFunc("GET /api/v1/incidents/{id}/postmortem", s.read(s.postmortem))
	mux.HandleFunc("PUT /api/v1/incidents/{id}/postmortem", s.editPostmortem)
	mux.HandleFunc("POST /api/v1/incidents/{id}/messages", s.incidentMessage)
	mux.HandleFunc("POST /api/v1/incidents/{id}/action_items", s.saveActionItem)
	mux.HandleFunc("GET /api/v1/reports/oncall", s.read(s.oncallReport))
	mux.HandleFunc("GET /api/v1/reports/delivery", s.read(s.deliveryReport))
	mux.HandleFunc("GET /api/v1/reports/toil", s.read(s.toilReport))
	mux.HandleFunc("GET /api/v1/reports/weekly", s.onLeader(s.read(s.weeklyReport)))
	mux.HandleFunc("GET /api/v1/reports/runs", s.read(s.listReportRuns))
	mux.HandleFunc("GET /api/v1/reports/runs/{id}", s.read(s.getReportRun))
	mux.HandleFunc("POST /api/v1/reports/{id}/runs", s.sendReport)
	mux.HandleFunc("GET /api/v1/toil/entries", s.read(s.listToilEntries))
	mux.HandleFunc("POST /api/v1/toil/entries", s.logToil)
	mux.HandleFunc("GET /api/v1/toil/items", s.read(s.listToilItems))
	mux.HandleFunc("GET /api/v1/toil/items/{id}", s.read(s.getToilItem))
	mux.HandleFunc("PATCH /api/v1/toil/items/{id}", s.editToilItem)
	mux.HandleFunc("GET /api/v1/toil/rank", s.read(s.toilRank))
	mux.HandleFunc("GET /api/v1/slos", s.onLeader(s.read(s.listSLOs)))
	mux.HandleFunc("GET /api/v1/slos/{service}/{id}", s.onLeader(s.read(s.getSLO)))
	mux.HandleFunc("POST /api/v1/slos/{service}/{id}/events", s.onLeader(s.authorize(auth.Operate, s.sloEvents)))
	mux.HandleFunc("GET /api/v1/deploys", s.read(s.listDeploys))
	mux.HandleFunc("POST /api/v1/deploys", s.onLeader(s.recordDeploy))      // verification probes on the leader
	mux.HandleFunc("POST /api/v1/deploys/check", s.onLeader(s.deployCheck)) // error budgets live there
	mux.HandleFunc("GET /api/v1/deploys/{id}", s.getDeploy)                 // a read token, or a deploy key for its service
	mux.HandleFunc("GET /api/v1/releases", s.read(s.listReleases))
	mux.HandleFunc("POST /api/v1/releases", s.createRelease)
	mux.HandleFunc("GET /api/v1/releases/{id}", s.read(s.getRelease))
	mux.HandleFunc("POST /api/v1/releases/{id}/status", s.releaseStatus)
	mux.HandleFunc("GET /api/v1/releases/{id}/doc", s.read(s.releaseDoc))
	mux.HandleFunc("POST /api/v1/capacity/plan", s.read(s.capacityPlan))

	// Ingestion, each behind its integration's key.
	mux.HandleFunc("POST /api/v1/integrations/alertmanager", s.alertmanagerWebhook)
	mux.HandleFunc("POST /api/v1/integrations/grafana", s.grafanaWebhook)
	mux.HandleFunc("POST /api/v1/events", s.genericEvents)
	mux.HandleFunc("POST /v2/enqueue", s.pagerDutyEnqueue)
	mux.HandleFunc("POST /v2/change/enqueue", s.onLeader(s.pagerDutyChange))

	// Signed ack and resolve links from notifications; they need no login.
	mux.HandleFunc("GET /a/{id}/{verb}", s.linkForm)
	mux.HandleFunc("POST /a/{id}/{verb}", s.linkAct)
	mux.HandleFunc("GET /r/{id}/approve", s.runLinkForm)
	mux.HandleFunc("POST /r/{id}/approve", s.runLinkAct)

	// The browser app: signing in and out, then the pages, one file each
	// (page_*.go); forms post to actions that check the session's CSRF token.
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.action(auth.Read, s.logout))
	mux.HandleFunc("GET /login/oidc", s.oidcStart)
	mux.HandleFunc("GET "+s.oidcCallbackPath(), s.oidcCallback)

	mux.HandleFunc("GET /{$}", s.onLeader(s.statusPages(s.statusPage)))
	mux.HandleFunc("GET /checks/{service}/{check}", s.onLeader(s.statusPages(s.checkPage)))
	mux.HandleFunc("GET /slos", s.onLeader(s.privatePage(s.slosPage)))
	mux.HandleFunc("GET /slos/{service}/{id}", s.onLeader(s.privatePage(s.sloPage)))

	// Incidents pages: the list and declaring, an incident with its live
	// timeline and a form per thing a responder does, the postmortem and
	// its editor, MTTA/MTTR, and deploys.
	mux.HandleFunc("GET /incidents", s.privatePage(s.incidentsPage))
	mux.HandleFunc("GET /incidents/new", s.privatePage(s.newIncidentPage))
	mux.HandleFunc("POST /incidents", s.action(auth.Respond, s.incidentDeclare))
	mux.HandleFunc("GET /incidents/metrics", s.privatePage(s.incidentMetricsPage))
	mux.HandleFunc("GET /incidents/{id}", s.privatePage(s.incidentPage))
	mux.HandleFunc("GET /incidents/{id}/events", s.privatePage(s.incidentEvents))
	mux.HandleFunc("POST /incidents/{id}/notes", s.action(auth.Respond, s.incidentForm("note", s.incidentNoteAct)))
	mux.HandleFunc("POST /incidents/{id}/status", s.action(auth.Respond, s.incidentForm("status", s.incidentStatusAct)))
	mux.HandleFunc("POST /incidents/{id}/roles", s.action(auth.Respond, s.incidentForm("role", s.incidentRoleAct)))
	mux.HandleFunc("POST /incidents/{id}/messages", s.action(auth.Respond, s.incidentForm("message", s.incidentMessageAct)))
	mux.HandleFunc("POST /incidents/{id}/import", s.actionUpTo(chatUploadLimit, auth.Respond, s.incidentForm("import", s.incidentImportAct)))
	mux.HandleFunc("POST /incidents/{id}/action_items", s.action(auth.Respond, s.incidentForm("item", s.actionItemAdd)))
	mux.HandleFunc("POST /incidents/{id}/action_items/{item}", s.action(auth.Respond, s.incidentForm("item-status", s.actionItemSet)))
	mux.HandleFunc("GET /incidents/{id}/postmortem", s.privatePage(s.postmortemPage))
	mux.HandleFunc("GET /incidents/{id}/postmortem/edit", s.privatePage(s.postmortemEditor))
	mux.HandleFunc("POST /incidents/{id}/postmortem", s.action(auth.Respond, s.postmortemSave))
	mux.HandleFunc("POST /incidents/{id}/postmortem/preview", s.action(auth.Respond, s.postmortemPreview))
	mux.HandleFunc("GET /deploys", s.privatePage(s.deploysPage))

	mux.HandleFunc("GET /alerts", s.privatePage(s.alertsPage))
	mux.HandleFunc("POST /alerts/bulk", s.action(auth.Respond, s.alertsBulk))
	mux.HandleFunc("GET /alerts/volume", s.privatePage(s.alertVolumePage))
	mux.HandleFunc("GET /alerts/{id}", s.privatePage(s.alertPage))
	mux.HandleFunc("POST /alerts/{id}/ack", s.action(auth.Respond, s.alertAct("ack")))
	mux.HandleFunc("POST /alerts/{id}/resolve", s.action(auth.Respond, s.alertAct("resolve")))
	mux.HandleFunc("POST /alerts/{id}/declare", s.action(auth.Respond, s.alertDeclare))
	mux.HandleFunc("POST /alerts/{id}/run", s.action(auth.Operate, s.alertRun))
	mux.HandleFunc("GET /wall", s.privatePage(s.wallPage))
	mux.HandleFunc("GET /silences", s.privatePage(s.silencesPage))
	mux.HandleFunc("GET /cluster", s.privatePage(s.clusterPage))
	mux.HandleFunc("GET /silences/new", s.privatePage(s.newSilencePage))
	mux.HandleFunc("POST /silences", s.action(auth.Respond, s.silenceCreate))
	mux.HandleFunc("POST /silences/{id}/expire", s.action(auth.Respond, s.silenceExpire))
	mux.HandleFunc("GET /releases", s.privatePage(s.releasesPage))
	mux.HandleFunc("GET /releases/{id}", s.privatePage(s.releasePage))
	mux.HandleFunc("POST /releases/{id}/status", s.action(auth.Operate, s.releaseStatusAction))
	mux.HandleFunc("GET /releases/{id}/capacity", s.privatePage(s.releaseCapacityPage))
	mux.HandleFunc("GET /delivery", s.privatePage(s.deliveryPage))
	mux.HandleFunc("GET /deploys/{id}", s.privatePage(s.deployPage))
	mux.HandleFunc("GET /toil", s.privatePage(s.toilPage))
	mux.HandleFunc("GET /toil/entries", s.privatePage(s.toilEntriesPage))
	mux.HandleFunc("POST /toil/entries", s.action(auth.Respond, s.toilLog))
	mux.HandleFunc("GET /toil/plan", s.privatePage(s.toilPlanPage))
	mux.HandleFunc("GET /reports/weekly", s.onLeader(s.privatePage(s.weeklyPage)))
	mux.HandleFunc("GET /reports/runs/{id}", s.privatePage(s.reportRunPage))

	// Runbook pages: the list, a runbook with its run form (a dry run
	// first, then the real run from its preview), a run with its live step
	// log and approval, the run history and the audit log.
	mux.HandleFunc("GET /runbooks", s.privatePage(s.runbooksPage))
	mux.HandleFunc("GET /runbooks/{id}", s.privatePage(s.runbookPage))
	mux.HandleFunc("POST /runbooks/{id}/runs", s.action(auth.Operate, s.runbookRunAction))
	mux.HandleFunc("GET /runs", s.privatePage(s.runsPage))
	mux.HandleFunc("GET /runs/{id}", s.privatePage(s.runPage))
	mux.HandleFunc("GET /runs/{id}/events", s.privatePage(s.runPageEvents))
	mux.HandleFunc("POST /runs/{id}/approve", s.action(auth.Operate, s.runApproveAction))
	mux.HandleFunc("POST /runs/{id}/deny", s.action(auth.Operate, s.runDenyAction))
	mux.HandleFunc("GET /audit", s.privatePage(s.auditPage))

	// On-call pages: who is on call, a schedule's calendar with its
	// override and swap forms, my shifts, and the calendar feed, which
	// opens with its secret address instead of a sign-in.
	mux.HandleFunc("GET /oncall", s.privatePage(s.onCallPage))
	mux.HandleFunc("GET /oncall/schedules/{id}", s.privatePage(s.schedulePage))
	mux.HandleFunc("POST /oncall/schedules/{id}/overrides", s.action(auth.Respond, s.overrideCreate))
	mux.HandleFunc("POST /oncall/schedules/{id}/overrides/{oid}/remove", s.action(auth.Respond, s.overrideRemove))
	mux.HandleFunc("POST /oncall/schedules/{id}/swaps", s.action(auth.Respond, s.swapCreate))
	mux.HandleFunc("GET /oncall/me", s.privatePage(s.myShiftsPage))
	mux.HandleFunc("POST /oncall/me/feed/rotate", s.action(auth.Read, s.feedRotate))
	mux.HandleFunc("GET /oncall/ical/{person}/{file}", s.calendarFeed)

	mux.Handle("GET /static/", staticFiles())
}
