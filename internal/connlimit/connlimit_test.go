package connlimit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestCap(t *testing.T) {
	cases := []struct {
		configured int
		nofile     uint64
		want       int
		lowered    bool
	}{
		{0, 1 << 20, 1024, false},    // the usual hard limit: the default ceiling
		{0, 1024, 512, false},        // half the descriptors
		{0, 256, 128, false},         //
		{5000, 1 << 20, 5000, false}, // configured, with room to spare
		{1000, 1024, 768, true},      // configured past the reserve (a quarter)
		{200, 200, 136, true},        // the reserve is at least 64
		{0, 0, 1024, false},          // limit unknown
		{50, 60, 4, true},            // almost nothing left: still answer someone
	}
	for _, c := range cases {
		got, lowered := Cap(c.configured, c.nofile)
		if got != c.want || lowered != c.lowered {
			t.Errorf("Cap(%d, %d) = %d, %v; want %d, %v", c.configured, c.nofile, got, lowered, c.want, c.lowered)
		}
	}
}

// serve runs an HTTP server behind a Listener of n connections whose
// handler, on /slow, says it entered and blocks until release is closed.
func serve(t *testing.T, n int) (l *Listener, entered, release chan struct{}) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l = New(inner, n)
	entered, release = make(chan struct{}, 10), make(chan struct{})
	srv := &http.Server{ConnState: l.State, ConnContext: l.ConnContext, Handler: l.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow": // reads what body there is, then takes its time
			io.ReadAll(r.Body)
			entered <- struct{}{}
			<-release
		case "/upload":
			entered <- struct{}{}
			io.ReadAll(r.Body)
		}
		io.WriteString(w, "ok")
	}))}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l, entered, release
}

func dial(t *testing.T, l *Listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends one request on c and returns the status line, or the error.
func get(c net.Conn, path string) (string, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line), err
}

func waitOpen(t *testing.T, l *Listener, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for l.Open() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want %d", l.Open(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestIdleConnectionsMakeRoom: at the cap, a new connection closes the one
// that has waited longest for a request; a connection in the middle of a
// request is never closed.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	l, entered, release := serve(t, 2)
	defer close(release)
	busy := dial(t, l)
	go get(busy, "/slow")
	<-entered
	idle := dial(t, l) // connects, never sends anything
	waitOpen(t, l, 2)

	fresh := dial(t, l)
	if line, err := get(fresh, "/"); err != nil || line != "HTTP/1.1 200 OK" {
		t.Fatalf("a new client at the cap: %q %v", line, err)
	}
	// The idle one was closed to make room; the busy one was not.
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); err == nil {
		t.Fatal("the idle connection is still open")
	}
	if l.Open() > 2 {
		t.Fatalf("%d connections open past the cap of 2", l.Open())
	}
	select {
	case <-release:
		t.Fatal("released too early")
	default:
	}
}

// TestBusyConnectionsMakeNewOnesWait: while every connection is in the
// middle of a request, a new one waits (in the kernel's backlog) until one
// finishes its request, and then takes its place.
func TestBusyConnectionsMakeNewOnesWait(t *testing.T) {
	l, entered, release := serve(t, 1)
	busy := dial(t, l)
	done := make(chan error, 1)
	go func() { _, err := get(busy, "/slow"); done <- err }()
	<-entered
	waiting := dial(t, l)
	answered := make(chan string, 1)
	go func() { line, _ := get(waiting, "/"); answered <- line }()
	select {
	case line := <-answered:
		t.Fatalf("answered %q past the cap while the only slot was busy", line)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if line := <-answered; line != "HTTP/1.1 200 OK" {
		t.Fatalf("the waiting client got %q", line)
	}
}

// TestSlowBodiesMakeRoom: at the cap with no connection idle, a new
// connection closes the one that has been sending its request's body the
// longest (a client trickling bytes, before anyone knows who it is); a
// connection whose request arrived whole is never closed, nor is one whose
// body was read to its length.
func TestSlowBodiesMakeRoom(t *testing.T) {
	l, entered, release := serve(t, 3)
	defer close(release)
	busy := dial(t, l)
	go get(busy, "/slow")
	<-entered
	whole := dial(t, l)
	if _, err := fmt.Fprintf(whole, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	<-entered
	trickle := dial(t, l)
	if _, err := fmt.Fprintf(trickle, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nab"); err != nil {
		t.Fatal(err)
	}
	<-entered
	waitOpen(t, l, 3)

	fresh := dial(t, l)
	if line, err := get(fresh, "/"); err != nil || line != "HTTP/1.1 200 OK" {
		t.Fatalf("a new client at the cap: %q %v", line, err)
	}
	trickle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := trickle.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection trickling its body is still open")
	}
	for name, c := range map[string]net.Conn{"busy": busy, "whole": whole} {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("the %s connection: %v; want it open, its answer still to come", name, err)
		}
	}
}
