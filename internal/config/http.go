package config

import (
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// HTTPServer bounds what clients of Vigil's HTTP server may hold, so that
// slow or idle connections cannot take the descriptors its checks and
// deliveries need.
type HTTPServer struct {
	// MaxConnections caps connections served at once; 0 derives it from the
	// process's open-file limit. Either way it is lowered, with a warning,
	// to leave a quarter of the descriptors (at least 64) to everything else.
	MaxConnections int `yaml:"max_connections,omitempty" jsonschema:"minimum=0,description=connections served at once; 0 means half the open-file limit and at most 1024,default=0"`
	// ReadHeaderTimeout bounds reading a request's header.
	ReadHeaderTimeout duration.Duration `yaml:"read_header_timeout,omitempty" jsonschema:"description=longest a client may take to send a request's header,default=10s"`
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout duration.Duration `yaml:"read_timeout,omitempty" jsonschema:"description=longest a client may take to send a whole request (header and body),default=1m"`
	// WriteTimeout bounds writing an answer; live streams (a run's events)
	// are exempt.
	WriteTimeout duration.Duration `yaml:"write_timeout,omitempty" jsonschema:"description=longest an answer may take to write; live event streams are exempt,default=1m"`
	// IdleTimeout closes a kept-alive connection with no request.
	IdleTimeout duration.Duration `yaml:"idle_timeout,omitempty" jsonschema:"description=how long a kept-alive connection may wait for its next request,default=1m"`
}

// Defaults of HTTPServer.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultWriteTimeout      = time.Minute
	DefaultIdleTimeout       = time.Minute
)

func (h *HTTPServer) defaults() {
	for _, f := range []struct {
		v   *duration.Duration
		def time.Duration
	}{
		{&h.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{&h.ReadTimeout, DefaultReadTimeout},
		{&h.WriteTimeout, DefaultWriteTimeout},
		{&h.IdleTimeout, DefaultIdleTimeout},
	} {
		if *f.v == 0 {
			*f.v = duration.Duration(f.def)
		}
	}
}

func (k *checker) httpServer() {
	h := k.cfg.Global.HTTP
	if h.ReadTimeout > 0 && h.ReadHeaderTimeout > h.ReadTimeout {
		k.add(k.cfg.globalAt.problem("http.read_header_timeout", false, "must not be longer than read_timeout"))
	}
}
