package app

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDeadlinesSpareLiveStreams: with short read and write deadlines, a
// client that sends half a request is cut off, and an ordinary request is
// still answered; but following a run's events lasts as long as the run,
// past every deadline.
func TestDeadlinesSpareLiveStreams(t *testing.T) {
	tg, sk := newTarget(t), newSink(t)
	h := start(t, "global: {http: {read_header_timeout: 500ms, read_timeout: 500ms, write_timeout: 500ms, idle_timeout: 500ms}}\n"+
		runbookConfig(tg.URL, sk.URL, tg.URL), "")

	// Half a request header: cut off after read_header_timeout.
	c, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 512)); err == nil {
		// net/http may answer 408 before closing; the next read must fail.
		if _, err := c.Read(make([]byte, 512)); err == nil {
			t.Fatal("a half-sent request was kept open")
		}
	}

	var run runJSONT
	if code := h.do("POST", "/api/v1/runbooks/migrate/runs", "0perate-t0ken", strings.NewReader(`{"params":{"env":"production"}}`), &run); code != 201 || run.Status != "awaiting_approval" {
		t.Fatalf("run: %d %+v", code, run)
	}
	req, _ := http.NewRequest("GET", h.url+"/api/v1/runs/"+run.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer v1ew-t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan string, 100)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- ev
			}
		}
	}()
	if ev := <-events; ev != "snapshot" {
		t.Fatalf("first event %q", ev)
	}
	// Twice the deadlines pass with the stream open and quiet.
	time.Sleep(time.Second)
	// A second person approves: the starter may not approve their own run.
	if code := h.do("POST", "/api/v1/runs/"+run.ID+"/approve", "gl3n-t0ken", nil, nil); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	var got []string
	for ev := range events {
		got = append(got, ev)
		if ev == "end" {
			return
		}
	}
	t.Fatalf("the stream ended before the run did: %v", got)
}
