package pager

import (
	"strings"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/zone"
)

// ResolveDestination finds an outbox destination in cfg: person/ID/slack,
// person/ID/webhook, person/ID/email or channel/ID, with the zone its
// reader reads times in (the person's, a channel's is global.timezone). Outbox rows hold only
// these names; URLs and secrets are looked up when sending, so none is ever
// stored and a rotated webhook URL applies to messages already queued.
func ResolveDestination(cfg *config.Config, name string) (notify.Destination, notify.Limit, bool) {
	parts := strings.Split(name, "/")
	switch {
	case len(parts) == 3 && parts[0] == "person":
		for _, p := range cfg.People {
			if p.ID != parts[1] {
				continue
			}
			d := notify.Destination{Name: name}
			switch parts[2] {
			case "slack":
				d.Type, d.URL = notify.Slack, p.Contacts.Slack
			case "webhook":
				d.Type, d.URL = notify.Webhook, p.Contacts.Webhook
			case "email":
				if cfg.Global.SMTP == nil || p.Contacts.Email == "" {
					return notify.Destination{}, notify.Limit{}, false
				}
				d.Type, d.To = notify.Email, []string{p.Contacts.Email}
			default:
				return notify.Destination{}, notify.Limit{}, false
			}
			if d.Type != notify.Email && d.URL.IsZero() {
				return notify.Destination{}, notify.Limit{}, false
			}
			d.Zone = zone.Of(cfg, p.ID)
			return d, notify.Limit{}, true
		}
	case len(parts) == 2 && parts[0] == "channel":
		for _, c := range cfg.Channels {
			if c.ID != parts[1] {
				continue
			}
			d := notify.Destination{Type: notify.DestinationType(c.Type), URL: c.URL, Secret: c.Secret, To: c.To, Name: name,
				Zone: zone.Default(cfg)}
			var l notify.Limit
			if c.Throttle != nil {
				l = notify.Limit{Max: c.Throttle.Max, Per: c.Throttle.Per.D()}
			}
			return d, l, true
		}
	}
	return notify.Destination{}, notify.Limit{}, false
}
