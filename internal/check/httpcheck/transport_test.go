package httpcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/tlscheck/tlstest"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/secret"
)

// TestKeepalive counts the connections the server sees: without keepalive each
// probe connects afresh, so duration includes connecting.
func TestKeepalive(t *testing.T) {
	for _, keepalive := range []bool{false, true} {
		var conns atomic.Int32
		srv := httptest.NewUnstartedServer(okHandler())
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		p, err := (&Spec{URL: srv.URL, Keepalive: keepalive}).NewProber(check.Env{Clock: clock.Real()})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := p.Probe(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		srv.Close()
		want := int32(3)
		if keepalive {
			want = 1
		}
		if got := conns.Load(); got != want {
			t.Errorf("keepalive %v: %d connections for 3 probes, want %d", keepalive, got, want)
		}
	}
}

func TestTransportsShared(t *testing.T) {
	transport := func(s *Spec, roots bool) http.RoundTripper {
		env := check.Env{Clock: clock.Real()}
		if roots {
			p, _ := s.newProber(env, tlstest.NewCA(t, clock.Real().Now()).Pool)
			return p.client.Transport
		}
		p, _ := s.newProber(env, nil)
		return p.client.Transport
	}
	a := transport(&Spec{URL: "https://a.example/"}, false)
	b := transport(&Spec{URL: "http://b.example/", Method: "POST"}, false)
	insecure := transport(&Spec{URL: "https://a.example/", InsecureSkipVerify: true}, false)
	keepalive := transport(&Spec{URL: "https://a.example/", Keepalive: true}, false)
	own := transport(&Spec{URL: "https://a.example/"}, true)
	if a != b {
		t.Error("probers with equal settings do not share a transport")
	}
	if a == insecure || a == keepalive || insecure == keepalive || a == own {
		t.Error("probers with different settings share a transport")
	}
}

// TestConcurrentProbes runs one prober from many goroutines, as a manual "run
// now" may overlap a scheduled probe; under -race it proves the shared request
// template is only read.
func TestConcurrentProbes(t *testing.T) {
	srv := newServer(t)
	spec := &Spec{URL: srv.URL + "/temporary", Method: "PUT", Body: "again", Headers: map[string]secret.String{"X-Key": secret.New("k")}}
	p, err := spec.NewProber(check.Env{Clock: clock.Real(), Uses: uses("json")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				v, err := p.Probe(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if json := v.(Vars).JSON.(map[string]any); json["body"] != "again" || json["method"] != "PUT" {
					t.Errorf("server saw %v", json)
				}
			}
		})
	}
	wg.Wait()
}
