package pager

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-sre/vigil/internal/errs"
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
