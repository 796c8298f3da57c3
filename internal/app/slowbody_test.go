package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A request refused for its credential is answered at once, however slowly
// its body comes: net/http would otherwise read up to 256 KiB of the body
// before answering, at whatever pace the client sends it.
func TestRefusedRequestIsAnsweredBeforeItsBody(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:9"), "")
	c, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST /api/v1/integrations/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-the-key\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"alerts\":")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 401") {
		t.Fatalf("answer to a wrong key with most of the body unsent: %q, %v; want 401 at once", line, err)
	}
}

// A body sent compressed is refused as such (415), not as malformed JSON.
func TestCompressedBodyIsRefusedByName(t *testing.T) {
	h := start(t, ingestConfig("http://127.0.0.1:9"), "")
	req, _ := http.NewRequest("POST", h.url+"/api/v1/integrations/alertmanager", strings.NewReader("\x1f\x8b\x08\x00"))
	req.Header.Set("Authorization", "Bearer am-k3y")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(body.Error, `Content-Encoding "gzip" is not supported`) {
		t.Fatalf("gzip body: %d %q; want 415 naming the encoding", resp.StatusCode, body.Error)
	}
}
