package app

import (
	"io"
	"os"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/bench"
	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestKillLosesNoAcknowledgedAlert kills vigil serve with SIGKILL while
// Alertmanager webhooks arrive at full speed, restarts it on the same store,
// and finds every alert that got a 2xx stored and paged (at least once).
func TestKillLosesNoAcknowledgedAlert(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			rep, err := bench.RunCrash(t.Context(), bench.CrashOptions{
				Binary: os.Args[0], Env: []string{"VIGIL_TEST_EXEC=1"}, Clients: 4, Batch: 50,
				KillAtAcked: 2000, KillAfter: 60 * time.Second, Store: e.Fresh(t), Log: io.Discard,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d alerts acknowledged before the kill (%.0f/s), %d paged before it; %d stored, %d paged, %.1fs after the restart",
				rep.Acknowledged, rep.AckedPerSec, rep.PagedAtKill, rep.Found, rep.Delivered, rep.DrainSeconds)
			if rep.Acknowledged < 500 {
				t.Fatalf("only %d alerts were acknowledged before the kill; the test proves little", rep.Acknowledged)
			}
			if rep.Found != rep.Acknowledged {
				t.Fatalf("%d acknowledged alerts lost, e.g. %v", rep.Acknowledged-rep.Found, rep.Missing)
			}
			if rep.Delivered != rep.Acknowledged {
				t.Fatalf("%d acknowledged alerts never paged, e.g. %v", rep.Acknowledged-rep.Delivered, rep.Undelivered)
			}
		})
	}
}
