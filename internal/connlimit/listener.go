// Package connlimit bounds the connections Vigil's HTTP server holds, so
// that clients holding connections open (idle, or sending a request a byte
// at a time) cannot take the file descriptors its checks and deliveries
// need. A Listener serves at most Max connections; when a new one arrives
// at the cap, the connection that has been waiting longest for a request
// (idle between requests, or connected without sending one yet) is closed
// to make room. Connections busy with a request are never closed; while
// every one is busy, new connections wait in the kernel's backlog, which
// costs no descriptor.
package connlimit

import (
	"net"
	"net/http"
	"sync"
)

// Listener is a net.Listener serving at most Max connections at once. Set
// the http.Server's ConnState to its State method.
type Listener struct {
	net.Listener
	max int

	mu    sync.Mutex
	freed *sync.Cond
	open  map[*conn]struct{}
	seq   uint64 // orders conns by when they last began to wait for a request
}

// conn is one accepted connection and what the HTTP server last said of it.
type conn struct {
	net.Conn
	l       *Listener
	once    sync.Once
	waiting bool   // no request in progress: new, or idle between requests
	since   uint64 // Listener.seq when it began waiting
}

// New wraps inner so that at most n connections are open at once.
func New(inner net.Listener, n int) *Listener {
	l := &Listener{Listener: inner, max: max(1, n), open: map[*conn]struct{}{}}
	l.freed = sync.NewCond(&l.mu)
	return l
}

// Max is the cap.
func (l *Listener) Max() int { return l.max }

// Open is how many connections are open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.open)
}

// Accept returns the next connection once there is room for it: at the cap,
// it closes the connection that has waited longest for a request, or, when
// every connection is busy with one, waits until one closes.
func (l *Listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.open) >= l.max {
		if v := l.longestWaiting(); v != nil {
			delete(l.open, v)
			// Closed here, not in a goroutine of its own: under churn those
			// could lag behind Accept and hold more descriptors than the cap.
			// Its server goroutine sees the error and goes away.
			v.Conn.Close()
			continue
		}
		l.freed.Wait()
	}
	l.seq++
	c := &conn{Conn: nc, l: l, waiting: true, since: l.seq}
	l.open[c] = struct{}{}
	return c, nil
}

func (l *Listener) longestWaiting() *conn {
	var v *conn
	for c := range l.open {
		if c.waiting && (v == nil || c.since < v.since) {
			v = c
		}
	}
	return v
}

// State follows the HTTP server's view of each connection; set it as the
// http.Server's ConnState.
func (l *Listener) State(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateActive:
		c.waiting = false
	case http.StateIdle:
		l.seq++
		c.waiting, c.since = true, l.seq
		l.freed.Signal() // an Accept waiting for room may close it now
	case http.StateHijacked:
		c.waiting = false // the handler owns it now
	}
}

// Close closes the connection and makes its room available.
func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.open, c)
		c.l.freed.Signal()
		c.l.mu.Unlock()
	})
	return err
}
