package app

import (
	"log/slog"
	"net"
	"net/http"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/connlimit"
)

// server bounds what HTTP clients may hold: a connection cap that leaves
// file descriptors to checks, deliveries and the store (so that clients
// holding connections open cannot make Vigil's own probes fail with "too
// many open files" and page falsely), and deadlines for reading a request,
// writing an answer and idling between requests. Live event streams lift
// their own deadlines.
func (a *App) server(ln net.Listener, h http.Handler, c config.HTTPServer) (*connlimit.Listener, *http.Server) {
	nofile := connlimit.NoFile()
	n, lowered := connlimit.Cap(c.MaxConnections, nofile)
	if lowered {
		a.log.Warn("global.http.max_connections lowered to leave file descriptors for checks and deliveries",
			"max_connections", n, "open_file_limit", nofile, "reserved", connlimit.Reserve(nofile))
	}
	a.log.Info("http server limits", "max_connections", n, "open_file_limit", nofile,
		"read_timeout", c.ReadTimeout.D(), "write_timeout", c.WriteTimeout.D(), "idle_timeout", c.IdleTimeout.D())
	l := connlimit.New(ln, n)
	return l, &http.Server{
		Handler:           l.Handler(h),
		ConnState:         l.State,
		ConnContext:       l.ConnContext,
		ReadHeaderTimeout: c.ReadHeaderTimeout.D(),
		ReadTimeout:       c.ReadTimeout.D(),
		WriteTimeout:      c.WriteTimeout.D(),
		IdleTimeout:       c.IdleTimeout.D(),
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
}
