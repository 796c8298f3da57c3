package app

import (
	"net/http"
	"strings"
	"testing"
)

// Every page of the web app, signed in or not, may not be framed by
// another site, nor sniffed as anything but HTML.
func TestPagesRefuseFraming(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:9"), "")
	pages := 0
	for _, path := range []string{"/login", "/alerts", "/no-such-page"} {
		req, _ := http.NewRequest("GET", h.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+harnessReadToken)
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue // answered otherwise (a redirect to sign in, say)
		}
		pages++
		if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): headers %v; want framing refused and no sniffing", path, resp.StatusCode, resp.Header)
		}
	}
	if pages < 2 {
		t.Fatalf("only %d of the paths answered with a page", pages)
	}
}
