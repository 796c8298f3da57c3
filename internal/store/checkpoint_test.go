package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The writer leaves its log to the checkpointer: past SQLite's default of
// 1,000 pages it keeps appending (no checkpoint of its own before
// checkpointBackstop), and the checkpointer's connection copies all of it
// into the database file without stopping the writer.
func TestCheckpointerTakesTheLogOffTheWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.db")
	s := openStore(t, "sqlite://"+path, Options{})
	ctx := context.Background()
	if s.ckpt == nil || s.ckpt.done == nil {
		t.Fatal("Open started no checkpointer")
	}
	// A checkpointer that copies only when told, to see what the writer
	// does alone.
	if err := s.ckpt.close(); err != nil {
		t.Fatal(err)
	}
	c, err := openCheckpointer(path, s.opt.Log)
	if err != nil {
		t.Fatal(err)
	}
	s.ckpt = c
	id := int64(0)
	for range 40 {
		var b AlertBatch
		for range 200 {
			id++
			b.Alerts = append(b.Alerts, alertRow(id, fmt.Sprintf("key-%d", id), "firing", 0))
		}
		writeAlerts(t, s, b)
	}
	info, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if pages := info.Size() / 4096; pages <= 1000 {
		t.Fatalf("the log holds %d pages after 8,000 new alerts; the writer checkpointed it at SQLite's default", pages)
	}
	w, err := c.once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w.pages <= 1000 || w.copied != w.pages {
		t.Fatalf("checkpoint: %d of %d pages copied, want all of more than 1,000", w.copied, w.pages)
	}
	if got, err := s.Alert(ctx, id); err != nil || got.DedupKey != fmt.Sprintf("key-%d", id) {
		t.Fatalf("Alert(%d) after the checkpoint = %+v, %v", id, got, err)
	}
}
