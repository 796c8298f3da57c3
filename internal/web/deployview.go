package web

import (
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
)

// deployView is a deploy as the deploys page shows it: what went out, and
// the incidents on its service whose impact began within a day after it
// (incident.WhatChangedWindow, the window a declaration looks back over
// for what changed).
type deployView struct {
	store.DeployRow
	Followed []store.IncidentRow
}

// deployViews pairs deploys (newest first) with the incidents that
// followed each; incidents may be of any service.
func deployViews(deploys []store.DeployRow, incidents []store.IncidentRow) []deployView {
	out := make([]deployView, 0, len(deploys))
	for _, d := range deploys {
		v := deployView{DeployRow: d}
		end := d.At.Add(incident.WhatChangedWindow)
		for _, in := range incidents {
			if !in.StartedAt.Before(d.At) && in.StartedAt.Before(end) && slices.Contains(in.Services, d.Service) {
				v.Followed = append(v.Followed, in)
			}
		}
		out = append(out, v)
	}
	return out
}

// followingSince is the earliest declaration an incident following the
// deploys can have: impact begins after a deploy, and is declared after
// it began.
func followingSince(deploys []store.DeployRow) time.Time {
	if len(deploys) == 0 {
		return time.Time{}
	}
	return deploys[len(deploys)-1].At
}
