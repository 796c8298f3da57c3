package monitor

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// TestWriterBatchesAndDrains: with a gathering window far longer than the
// test, a full batch is written at once, close writes what is still queued
// and acknowledges it, and nothing is taken after close.
func TestWriterBatchesAndDrains(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids, err := s.RegisterChecks(ctx, []store.CheckRef{{Service: "web", Name: "a", Kind: "http"}})
	if err != nil {
		t.Fatal(err)
	}
	id := ids["web/a"]

	var mu sync.Mutex
	var batches []int
	wrote := make(chan struct{}, 10)
	const keep = 3 * maxBatch
	w := newWriter(s, keep, clock.Real(), time.Hour, slog.New(slog.DiscardHandler), func(n int) {
		mu.Lock()
		batches = append(batches, n)
		mu.Unlock()
		wrote <- struct{}{}
	})
	go w.run()

	at := time.Unix(1_700_000_000, 0).UTC()
	rec := func(seq int64, done chan error) record {
		r := check.Result{At: at.Add(time.Duration(seq) * time.Second), Status: check.Pass}
		return record{result: store.ResultRow{CheckID: id, Seq: seq, Result: r},
			state: store.CheckState{CheckID: id, State: "ok", Since: at, LastChecked: r.At, LastStatus: "pass", Seq: seq},
			done:  done}
	}
	const extra = 5
	for seq := int64(1); seq <= maxBatch+extra; seq++ {
		if !w.add(rec(seq, nil)) {
			t.Fatalf("record %d refused before close", seq)
		}
	}
	select {
	case <-wrote:
	case <-time.After(10 * time.Second):
		t.Fatal("a full batch waited for the gathering window")
	}
	last := make(chan error, 1)
	if !w.add(rec(maxBatch+extra+1, last)) {
		t.Fatal("record refused before close")
	}
	w.close()
	select {
	case err := <-last:
		if err != nil {
			t.Fatalf("last record: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("close did not write the queued records")
	}
	<-w.done
	if w.add(rec(maxBatch+extra+2, nil)) {
		t.Error("record taken after close")
	}
	mu.Lock()
	if len(batches) != 2 || batches[0] != maxBatch || batches[1] != extra+1 {
		t.Errorf("batches = %v, want [%d %d]", batches, maxBatch, extra+1)
	}
	mu.Unlock()

	got, err := s.RecentResults(ctx, id, keep)
	if err != nil {
		t.Fatal(err)
	}
	if want := maxBatch + extra + 1; len(got) != want || got[0].Seq != int64(want) || got[len(got)-1].Seq != 1 {
		t.Fatalf("stored %d results (newest %d), want %d with seqs %d..1", len(got), got[0].Seq, want, want)
	}
	st, err := s.CheckState(ctx, id)
	if err != nil || st.Seq != maxBatch+extra+1 {
		t.Fatalf("state seq = %d, %v; want %d", st.Seq, err, maxBatch+extra+1)
	}
}
