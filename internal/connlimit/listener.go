// Package connlimit bounds the connections Vigil's HTTP server holds, so
// that clients holding connections open (idle, or sending a request a byte
// at a time) cannot take the file descriptors its checks and deliveries
// need. A Listener serves at most Max connections; when a new one arrives
// at the cap, the connection that has been waiting longest for a request
// (idle between requests, or connected without sending one yet) is closed
// to make room, or the one that has been sending its request longer still
// (a body trickling in a byte at a time, before anyone knows who sent it).
// Connections whose request has arrived whole are never closed; while
// every one is, new connections wait in the kernel's backlog, which costs
// no descriptor.
package connlimit

import (
	"context"
	"errors"
	"io"
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
	l     *Listener
	once  sync.Once
	phase phase
	since uint64 // Listener.seq when it entered its phase
}

// phase is where a connection is in its request: the cap may close one
// waiting or receiving to make room, never one busy.
type phase int

const (
	waiting   phase = iota // no request in progress: new, or idle between requests
	receiving              // a request begun, its body not read whole yet
	busy                   // a request read whole, or a hijacked connection
)

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
		if v := l.victim(); v != nil {
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
	c := &conn{Conn: nc, l: l, phase: waiting, since: l.seq}
	l.open[c] = struct{}{}
	return c, nil
}

// victim is the connection to close for room: of those not busy, the one
// that has been waiting for a request, or receiving one, longest; nil when
// every connection is busy.
func (l *Listener) victim() *conn {
	var v *conn
	for c := range l.open {
		if c.phase != busy && (v == nil || c.since < v.since) {
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
		l.seq++
		c.phase, c.since = receiving, l.seq
		l.freed.Signal()
	case http.StateIdle:
		l.seq++
		c.phase, c.since = waiting, l.seq
		l.freed.Signal() // an Accept waiting for room may close it now
	case http.StateHijacked:
		c.phase = busy // the handler owns it now
	}
}

type connKey struct{}

// ConnContext hands each request its connection; set it as the
// http.Server's ConnContext, and wrap its Handler in Handler.
func (l *Listener) ConnContext(ctx context.Context, nc net.Conn) context.Context {
	if c, ok := nc.(*conn); ok {
		return context.WithValue(ctx, connKey{}, c)
	}
	return ctx
}

// Handler marks each request's connection busy once the request has
// arrived whole: at once when it has no body, else when the handler has
// read its body to the end. Until then the cap may close it for room.
func (l *Listener) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(connKey{}).(*conn)
		if c != nil {
			if r.Body == nil || r.Body == http.NoBody {
				l.received(c)
			} else {
				r.Body = &bodyReader{ReadCloser: r.Body, left: r.ContentLength, done: func() { l.received(c) }}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// received marks c's request as arrived whole.
func (l *Listener) received(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.phase == receiving {
		c.phase = busy
	}
}

// bodyReader calls done once its body has been read to the end, or as far
// as its length said (a JSON decoder stops at the value's end).
type bodyReader struct {
	io.ReadCloser
	left int64 // bytes the request said it would send and are still unread; -1 unknown
	done func()
	once sync.Once
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.left > 0 {
		b.left = max(0, b.left-int64(n))
	}
	if b.left == 0 || errors.Is(err, io.EOF) {
		b.once.Do(b.done)
	}
	return n, err
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
