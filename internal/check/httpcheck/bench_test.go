package httpcheck

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// BenchmarkProbe measures one probe against a loopback server. The server runs
// in this process, so allocs/op include its own; the net/http baseline makes the
// same request with a bare client, and the difference is the prober's cost.
//
//	go test -run '^$' -bench Probe -benchmem ./internal/check/httpcheck
func BenchmarkProbe(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"UP"}`)
	}))
	defer srv.Close()

	cases := []struct {
		name      string
		keepalive bool
		uses      []string
	}{
		{name: "new connection", uses: []string{"status", "duration"}},
		{name: "new connection, json", uses: []string{"status", "json"}},
		{name: "keepalive", keepalive: true, uses: []string{"status", "duration"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p, err := (&Spec{URL: srv.URL, Keepalive: c.keepalive}).NewProber(check.Env{Clock: clock.Real(), Uses: uses(c.uses...)})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Probe(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	b.Run("net/http baseline, new connection", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
