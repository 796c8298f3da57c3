package httpcheck

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"time"
)

// shared holds one Transport per combination of settings, indexed
// [insecure][keepalive]. It is built once and never replaced: probers with
// equal settings share the Transport's connection pool (kept-alive connections
// to one host serve every check on it, and a reload does not strand idle
// connections), and no prober pays for building one.
var shared = [2][2]*http.Transport{
	{newTransport(false, false, nil), newTransport(false, true, nil)},
	{newTransport(true, false, nil), newTransport(true, true, nil)},
}

func sharedTransport(insecure, keepalive bool) *http.Transport {
	return shared[index(insecure)][index(keepalive)]
}

func index(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newTransport builds a Transport for probing. Deadlines come from the probe's
// context, so none are set here. Proxy is nil: a check observes the target
// directly, whatever HTTP_PROXY the Vigil process happens to inherit.
func newTransport(insecure, keepalive bool, roots *x509.CertPool) *http.Transport {
	dialer := &net.Dialer{}
	if !keepalive {
		// A connection that lives for one request needs no TCP keep-alive probes.
		dialer.KeepAlive = -1
	}
	// HTTP/1.1 only: one connection per probe and a connect time that means what it says.
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	return &http.Transport{
		DialContext:         dialer.DialContext,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: insecure, RootCAs: roots},
		Protocols:           protocols,
		DisableKeepAlives:   !keepalive,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
	}
}
