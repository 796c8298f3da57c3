package deploy

import (
	"context"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/report/delivery"
	"github.com/vigil-sre/vigil/internal/store"
)

// DeliveryQuery asks for the four keys over [From, To).
type DeliveryQuery struct {
	From, To    time.Time
	Service     string // "" for every service
	Environment string // default production
}

// MaxDeliveryWindow bounds a delivery report's period.
const MaxDeliveryWindow = 366 * 24 * time.Hour

// commitLookBack is how far before the period deploys are read, so a
// commit deployed before it does not count again in it.
const commitLookBack = 90 * 24 * time.Hour

// Delivery computes deployment frequency, lead time for changes, change
// failure rate and time to restore over the period, per service and
// overall (see delivery.Compute for what counts).
func (s *Service) Delivery(ctx context.Context, q DeliveryQuery) (delivery.Report, error) {
	var ps problems
	if q.Environment == "" {
		q.Environment = DefaultEnvironment
	}
	switch {
	case !q.To.After(q.From):
		ps.add("to", "must be after from")
	case q.To.Sub(q.From) > MaxDeliveryWindow:
		ps.add("to", "the period is longer than %d days", int(MaxDeliveryWindow.Hours()/24))
	}
	if q.Service != "" && s.service(q.Service) == nil {
		ps.add("service", "unknown service %q", clip(q.Service))
	}
	if err := ps.err(); err != nil {
		return delivery.Report{}, err
	}
	now := s.d.Clock.Now()
	// Deploys and incidents soon after the period decide whether its last
	// deploys failed and when they were restored.
	after := q.To.Add(delivery.AttributionWindow)
	if limit := now.Add(time.Millisecond); after.After(limit) && limit.After(q.To) { // times are stored to the millisecond
		after = limit
	}
	ds, err := s.d.Store.Deploys(ctx, q.Service, q.From.Add(-commitLookBack), after)
	if err != nil {
		return delivery.Report{}, errs.Wrap(errs.Internal, err, "reading deploys")
	}
	ins, err := s.d.Store.Incidents(ctx, store.IncidentFilter{Service: q.Service, Since: q.From.Add(-incident.WhatChangedWindow),
		Until: after, Limit: 1000})
	if err != nil {
		return delivery.Report{}, errs.Wrap(errs.Internal, err, "reading incidents")
	}
	return delivery.Compute(delivery.Input{From: q.From, To: q.To, Environment: q.Environment, Service: q.Service,
		Deploys: ds, Incidents: ins, Now: now}), nil
}
