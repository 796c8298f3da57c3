package httpcheck

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"time"
)

// shared holds one RoundTripper per combination of settings, indexed
// [insecure][keepalive]. It is built once and never replaced: probers with
// equal settings share the Transport's connection pool (kept-alive connections
// to one host serve every check on it, and a reload does not strand idle
// connections), and no prober pays for building one.
var shared = [2][2]http.RoundTripper{
	{newTransport(false, false, nil), newTransport(false, true, nil)},
	{newTransport(true, false, nil), newTransport(true, true, nil)},
}

func sharedTransport(insecure, keepalive bool) http.RoundTripper {
	return shared[index(insecure)][index(keepalive)]
}

func index(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newTransport builds a RoundTripper for probing: without keepalive, a
// oneShot that opens a connection per request; with it, net/http's Transport
// and its pool. Deadlines come from the probe's context, so none are set
// here. There is no proxy: a check observes the target directly, whatever
// HTTP_PROXY the Vigil process happens to inherit.
func newTransport(insecure, keepalive bool, roots *x509.CertPool) http.RoundTripper {
	tlsConfig := &tls.Config{InsecureSkipVerify: insecure, RootCAs: roots}
	if !keepalive {
		return newOneShot(tlsConfig)
	}
	// HTTP/1.1 only, as oneShot: a connect time that means what it says.
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	return &http.Transport{
		DialContext:         (&net.Dialer{}).DialContext,
		TLSClientConfig:     tlsConfig,
		Protocols:           protocols,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
	}
}
