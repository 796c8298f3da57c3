package config

import (
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Check defaults. Network kinds confirm a failure once before failing, since
// one lost packet is not an outage; disk, log and heartbeat checks already
// smooth over time (a window, a grace period), so they fail at once.
const (
	DefaultEvery        = time.Minute
	DefaultTimeout      = 10 * time.Second
	DefaultFlapLow      = 25
	DefaultFlapHigh     = 30
	DefaultSLOWindow    = 30 * 24 * time.Hour
	DefaultLinkTTL      = 24 * time.Hour
	defaultSeverity     = "error"
	defaultRecoverAfter = 1
)

func defaultFailAfter(kind string) int {
	switch kind {
	case "disk", "log", "heartbeat":
		return 1
	}
	return 2
}

func applyDefaults(c *Config) {
	g := &c.Global
	if g.Listen == "" {
		g.Listen = DefaultListen
	}
	if g.Store.IsZero() {
		g.Store = secret.NewDSN(DefaultStore)
	}
	if g.Timezone == "" {
		g.Timezone = DefaultTimezone
	}
	if g.MaxConcurrentChecks == 0 {
		g.MaxConcurrentChecks = DefaultMaxConcurrentChecks
	}
	if g.ResultsPerCheck == 0 {
		g.ResultsPerCheck = DefaultResultsPerCheck
	}
	if g.LogLevel == "" {
		g.LogLevel = "info"
	}
	if g.LinkTTL == 0 {
		g.LinkTTL = duration.Duration(DefaultLinkTTL)
	}
	g.HTTP.defaults()
	g.Delivery.defaults()
	g.Cluster.defaults()
	if g.SMTP != nil {
		if g.SMTP.Port == 0 {
			g.SMTP.Port = 587
		}
		if g.SMTP.TLS == "" {
			g.SMTP.TLS = "starttls"
		}
	}
	toilDefaults(c)
	reportDefaults(c)
	authDefaults(&c.Auth)
	for i := range c.Schedules {
		if c.Schedules[i].Timezone == "" {
			c.Schedules[i].Timezone = g.Timezone
		}
	}
	for i := range c.Services {
		s := &c.Services[i]
		for j := range s.Checks {
			checkDefaults(s.ID, &s.Checks[j])
		}
		sloDefaults(c, s)
	}
}

func checkDefaults(service string, ch *Check) {
	ch.Service = service
	if ch.Every == 0 && !ch.Passive() {
		ch.Every = duration.Duration(DefaultEvery)
	}
	if ch.Timeout == 0 && !ch.Passive() {
		ch.Timeout = duration.Duration(min(DefaultTimeout, ch.Every.D()))
	}
	if ch.Passive() && ch.Grace == 0 {
		// A job that reports hourly may be a few minutes late without being down.
		ch.Grace = duration.Duration((ch.Every.D() / 10).Round(time.Second))
	}
	if ch.FailAfter == 0 {
		ch.FailAfter = defaultFailAfter(ch.Kind())
	}
	if ch.RecoverAfter == 0 {
		ch.RecoverAfter = defaultRecoverAfter
	}
	if ch.Severity == "" {
		ch.Severity = defaultSeverity
	}
	if ch.Flapping == nil {
		ch.Flapping = &Flapping{}
	}
	// A threshold left out defaults without crossing the one that was set.
	if ch.Flapping.High == 0 {
		ch.Flapping.High = max(DefaultFlapHigh, ch.Flapping.Low)
	}
	if ch.Flapping.Low == 0 {
		ch.Flapping.Low = min(DefaultFlapLow, ch.Flapping.High)
	}
	if spec := ch.Spec(); spec != nil && len(ch.Expect) == 0 {
		ch.Expect = spec.DefaultExpect()
	}
}
