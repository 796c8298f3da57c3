package pager

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// A caller is answered only once the commit that served it is on disk, and
// told to send again when it could not be put there; the loop itself does
// not wait.
func TestCallerWaitsUntilTheCommitIsDurable(t *testing.T) {
	for _, syncErr := range []error{nil, errors.New("input/output error")} {
		p := &Pager{reqs: make(chan *request)}
		entered, release := make(chan struct{}), make(chan struct{})
		go func() {
			r := <-p.reqs
			r.reply <- reply{outcomes: []Outcome{{AlertID: 1}}, durable: func() error {
				close(entered)
				<-release
				return syncErr
			}}
		}()
		got := make(chan reply, 1)
		go func() {
			r := &request{ctx: context.Background(), reply: make(chan reply, 1)}
			got <- p.callLoop(context.Background(), r)
		}()
		select {
		case rep := <-got:
			t.Fatalf("answered %+v without waiting for the commit to be durable", rep)
		case <-entered:
		}
		select {
		case rep := <-got:
			t.Fatalf("answered %+v while the commit's sync was under way", rep)
		default:
		}
		close(release)
		rep := <-got
		switch {
		case syncErr == nil && (rep.err != nil || len(rep.outcomes) != 1):
			t.Fatalf("answer after a durable commit = %+v; want its outcomes", rep)
		case syncErr != nil && errs.CodeOf(rep.err) != errs.Unavailable:
			t.Fatalf("answer after a failed sync = %+v; want unavailable, so the sender sends again", rep)
		}
	}
}

// The serving loop hands every successful reply the commit's Durable, and
// none to a failed one.
func TestRepliesCarryTheCommitsDurable(t *testing.T) {
	calls := 0
	durable := func() error { calls++; return nil }
	replies := []reply{{}, {err: errors.New("refused")}, {outcomes: []Outcome{{AlertID: 2}}}}
	withDurable(replies, durable)
	if replies[0].durable == nil || replies[2].durable == nil || replies[1].durable != nil {
		t.Fatalf("durable set on %v %v %v; want on the two successful replies only",
			replies[0].durable != nil, replies[1].durable != nil, replies[2].durable != nil)
	}
	_ = replies[0].durable()
	if calls != 1 {
		t.Fatal("the reply's durable is not the commit's")
	}
}

// A change that writes nothing is answered once the last commit is on
// disk: its reply may tell of what that commit did (an alert acknowledged
// there is found acknowledged here).
func TestEmptyChangeWaitsForTheLastCommit(t *testing.T) {
	waited := 0
	p := &Pager{lastDurable: func() error { waited++; return nil }}
	durable, err := p.commit(newChange())
	if err != nil {
		t.Fatal(err)
	}
	if durable == nil {
		t.Fatal("a change that wrote nothing is answered without waiting for the last commit")
	}
	if err := durable(); err != nil || waited != 1 {
		t.Fatalf("durable() = %v after %d waits; want the last commit's", err, waited)
	}
}

// The outbox is woken once a commit with notifications is on disk, by one
// goroutine at most: commits made while it waits are covered by the latest
// of them, waited for next, and a failed sync wakes nothing.
func TestOutboxWokenOnceOnDisk(t *testing.T) {
	woken := make(chan struct{}, 10)
	w := &outboxWake{notify: func() { woken <- struct{}{} }}
	entered, release := make(chan struct{}), make(chan struct{})
	calls := map[string]int{}
	var mu sync.Mutex
	durable := func(name string, err error, block bool) store.Durable {
		return func() error {
			mu.Lock()
			calls[name]++
			mu.Unlock()
			if block {
				close(entered)
				<-release
			}
			return err
		}
	}
	w.after(durable("first", nil, true))
	<-entered
	select {
	case <-woken:
		t.Fatal("the outbox was woken before the commit was on disk")
	default:
	}
	w.after(durable("second", nil, false))
	w.after(durable("third", nil, false))
	close(release)
	<-woken
	<-woken
	waitIdle(w) // the goroutine ends once nothing is left to wait for
	mu.Lock()
	got := fmt.Sprint(calls)
	mu.Unlock()
	if got != "map[first:1 third:1]" {
		t.Fatalf("waited on %v; want first, then only the latest (third), which covers the second", got)
	}
	select {
	case <-woken:
		t.Fatal("woken more than once for the commits made while it waited")
	default:
	}

	w.after(durable("failed", errors.New("input/output error"), false))
	waitIdle(w)
	select {
	case <-woken:
		t.Fatal("woken for a commit whose sync failed")
	default:
	}
}

// waitIdle returns once w's goroutine has ended.
func waitIdle(w *outboxWake) {
	for {
		w.mu.Lock()
		running := w.running
		w.mu.Unlock()
		if !running {
			return
		}
		runtime.Gosched()
	}
}
