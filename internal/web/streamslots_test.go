package web

import (
	"fmt"
	"testing"

	"github.com/vigil-sre/vigil/internal/errs"
)

// Live streams are bounded per person or token and in all; a slot freed is
// taken again, and freeing twice frees once.
func TestStreamSlots(t *testing.T) {
	var sl streamSlots
	var held []func()
	for range maxStreamsPerActor {
		release, err := sl.take("person/carol")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, release)
	}
	if _, err := sl.take("person/carol"); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("stream %d of one person: %v; want it refused as unavailable", maxStreamsPerActor+1, err)
	}
	held[0]()
	held[0]()
	if _, err := sl.take("person/carol"); err != nil {
		t.Fatalf("after one was closed: %v", err)
	}
	if _, err := sl.take("person/carol"); err == nil {
		t.Fatal("closing one stream twice freed two slots")
	}
	for i := 0; sl.total < maxStreams; i++ {
		if _, err := sl.take(fmt.Sprintf("token/t%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sl.take("person/dan"); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("stream %d in all: %v; want it refused", maxStreams+1, err)
	}
}
