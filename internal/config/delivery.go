package config

import (
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// Delivery says how the outbox delivers notifications.
type Delivery struct {
	// SendTimeout bounds one send: connecting, the request and the reply.
	SendTimeout duration.Duration `yaml:"send_timeout,omitempty" jsonschema:"description=longest one send may take (connecting is also bounded: 5s),default=15s"`
	// MaxRetryAge is how long a notification that fails in a way worth
	// retrying (a 5xx, a timeout) is retried before it is given up.
	MaxRetryAge duration.Duration `yaml:"max_retry_age,omitempty" jsonschema:"description=how long a failing notification is retried before it is marked failed,default=24h"`
	// MaxInFlight bounds sends in flight across destinations; each
	// destination has one at most.
	MaxInFlight int `yaml:"max_in_flight,omitempty" jsonschema:"minimum=2,maximum=10000,description=sends in flight at once across destinations (one per destination; destinations that failed last time share half),default=128"`
}

// Defaults of Delivery.
const (
	DefaultSendTimeout = 15 * time.Second
	DefaultMaxRetryAge = 24 * time.Hour
	DefaultMaxInFlight = 128
)

func (d *Delivery) defaults() {
	if d.SendTimeout == 0 {
		d.SendTimeout = duration.Duration(DefaultSendTimeout)
	}
	if d.MaxRetryAge == 0 {
		d.MaxRetryAge = duration.Duration(DefaultMaxRetryAge)
	}
	if d.MaxInFlight == 0 {
		d.MaxInFlight = DefaultMaxInFlight
	}
}

func (k *checker) delivery() {
	if d := k.cfg.Global.Delivery.MaxRetryAge; d > 0 && d.D() < time.Minute {
		k.add(k.cfg.globalAt.problem("delivery.max_retry_age", false, "must be at least 1m: a short outage of a channel must not lose pages"))
	}
}
