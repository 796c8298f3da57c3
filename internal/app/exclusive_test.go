package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestSecondServerRefuses: a second `vigil serve` on the SQLite file
// another one is using exits at once with a message saying so; once the
// first stops, a server starts there again. (On Postgres a second server
// is a replica: TestReplicasShareOnePostgres.)
func TestSecondServerRefuses(t *testing.T) {
	for _, e := range storetest.Engines(t)[:1] {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.Fresh(t)
			h := start(t, "services:\n  - {id: shop}\n", dsn)
			// Bounded, so that a second server that does start fails the
			// test instead of hanging it.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, stderr bytes.Buffer
			code := Run(ctx, []string{"serve", "--config", h.cfg, "--listen", "127.0.0.1:0", "--store", dsn}, &out, &stderr)
			errOut := stderr.String()
			if code != 1 || !strings.Contains(errOut, "another Vigil server is using this database") || !strings.Contains(errOut, "serve per database") {
				t.Fatalf("second serve: exit %d, %q", code, errOut)
			}
			h.stop()
			again := start(t, "services:\n  - {id: shop}\n", dsn)
			if code := again.do("GET", "/api/v1/services", "", nil, nil); code != 200 {
				t.Fatalf("after the first stopped: %d", code)
			}
		})
	}
}
