package httpcheck

import (
	"fmt"
	"github.com/vigil-sre/vigil/internal/check/checktest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/secret"
)

// TestSecretsNeverLeak fails every way a probe can and checks that no error,
// problem or printed spec carries a header value.
func TestSecretsNeverLeak(t *testing.T) {
	const token = "s3cr3t-t0ken"
	srv := newServer(t)
	headers := map[string]secret.String{"Authorization": secret.New("Bearer " + token), "X-Api-Key": secret.New(token)}
	urls := []string{
		"http://" + checktest.ClosedPort(t) + "/",
		"http://" + checktest.SilentServer(t) + "/",
		srv.URL + "/hangup", srv.URL + "/reset", srv.URL + "/cut", srv.URL + "/stall",
		srv.URL + "/endless", srv.URL + "/redirect/11", srv.URL + "/status/503",
	}
	var said []string
	for _, u := range urls {
		spec := &Spec{URL: u, Headers: headers, MaxBody: 1024}
		_, err := runWithin(t, 300*time.Millisecond, spec, uses("json"), nil)
		if err == nil {
			t.Errorf("%s: probe succeeded, want an error", u)
			continue
		}
		said = append(said, err.Error(), fmt.Sprintf("%v %+v %#v", spec, spec, spec))
	}
	bad := &Spec{URL: srv.URL, Headers: map[string]secret.String{"X-Api-Key": secret.New(token + "\r\nX-Injected: 1")}}
	for _, p := range bad.Validate() {
		said = append(said, p.Field+" "+p.Message)
	}
	if len(said) == 0 {
		t.Fatal("nothing to inspect")
	}
	for _, s := range said {
		if strings.Contains(s, token) {
			t.Errorf("secret leaked: %s", s)
		}
	}
}
