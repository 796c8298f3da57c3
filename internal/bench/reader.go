package bench

import (
	"net/http"
	"time"
)

// readerToken is the read-only token every benchmark config carries: the
// API is private, and the benchmarks read it as an operator would.
const readerToken = "bench-reader-t0ken"

const readerTokens = "tokens:\n  - {id: bench-reader, secret: " + readerToken + ", scopes: [read]}\n"

// readerClient sends the read token with every request.
func readerClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: bearer{http.DefaultTransport}}
}

type bearer struct{ next http.RoundTripper }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+readerToken)
	return b.next.RoundTrip(r)
}
