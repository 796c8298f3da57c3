// Package ingest reads the payloads other tools send Vigil — Prometheus
// Alertmanager's webhook, PagerDuty's Events API v2, Grafana's webhook contact
// point and Vigil's own generic format — and normalises them into
// alert.Events. It owns the wire formats and their validation; it does no I/O.
// The HTTP handlers in internal/web enforce body limits (see the MaxBody
// constants), authenticate the integration and call these functions.
//
// Tools send these payloads unchanged, as they would to the real peer, so the
// parsers accept exactly what the peer accepts and PagerDuty's replies are
// PagerDuty's own bodies (see PagerDutyReply).
//
// # Generic format
//
// For scripts and tools without a native format, POST one event as a JSON
// object, or several as {"events": [ ... ]} (at most 10,000). The comments
// below explain; they are not part of the JSON.
//
//	{
//	  "key":         "disk-full/db-1",         // required; the dedup key, at most 255 characters
//	  "action":      "trigger",                // trigger (default), acknowledge or resolve
//	  "summary":     "Disk 95% full on db-1",  // required to trigger; at most 1024 characters
//	  "severity":    "critical",               // critical, error (default), warning or info;
//	                                           // also page, high, warn, low and similar words
//	  "service":     "postgres",               // default: the integration's service
//	  "labels":      {"host": "db-1"},         // string values, at most 8 KiB each
//	  "annotations": {"runbook_url": "https://wiki/disk"},
//	  "links":       [{"href": "https://grafana/d/db", "text": "Dashboard"}],
//	  "runbook":     "disk-cleanup",           // id of a Vigil runbook to offer
//	  "at":          "2026-03-01T12:00:00Z"    // RFC 3339; default: when Vigil receives it
//	}
//
// Events with the same key are the same problem: a trigger opens an alert or
// updates the open one, acknowledge and resolve act on the open one. Unknown
// fields are rejected, so a misspelt field name is an error rather than
// silently lost. Every problem in a request is reported at once, each naming
// its field as a JSON path, such as events[2].summary.
package ingest
