package app

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vigil-sre/vigil/internal/store/storetest"
)

// TestClusterPageInBrowser: a person signed in on one replica opens the
// Cluster page from the navigation and sees both replicas, which one is
// this one, and which one holds the leader lease at which epoch; on SQLite
// the page says one process holds every lease. It fits a phone and passes
// the accessibility checks.
func TestClusterPageInBrowser(t *testing.T) {
	chromium := findChromium(t)
	cfg := fmt.Sprintf(`
people:
  - {id: glen, name: Glen Hart, password_hash: %q}
services:
  - {id: shop}
`, hashOf(t, "glen-password"))
	b := newTab(t, chromium)

	t.Run("sqlite", func(t *testing.T) {
		h := start(t, cfg, "")
		b.loginPassword(h, "glen", "glen-password")
		b.clickAndLoad(`.nav a[href="/cluster"]`)
		mustContain(t, "cluster page", b.text("#main"), "One process on SQLite: it holds every lease.")
		if rows := b.rows("#leases"); len(rows) != 1 || !strings.Contains(rows[0], "leader") {
			t.Fatalf("leases %q", rows)
		}
	})
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES not set; two replicas need Postgres (see .ci/postgres.sh)")
	}
	dsn := storetest.PostgresSchema(t, base)
	first := start(t, clusterTestGlobal+cfg, dsn)
	second := start(t, clusterTestGlobal+cfg, dsn)
	leader := first.cluster().Self
	b.loginPassword(second, "glen", "glen-password")
	b.do(chromedp.Navigate(second.url + "/cluster"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#replicas")))
	rows := b.rows("#replicas")
	if len(rows) != 2 {
		t.Fatalf("replicas %q", rows)
	}
	page := strings.ToLower(b.text("#main"))
	mustContain(t, "cluster page", page, "(this one)", leader, "✓ alive")
	if leases := b.rows("#leases"); len(leases) != 1 || !strings.Contains(leases[0], leader) {
		t.Fatalf("leases %q, want the leader lease held by %s", leases, leader)
	}
	b.accessible("the cluster page")
	b.phone()
	b.do(chromedp.Navigate(second.url + "/cluster"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#replicas")))
	b.fits("/cluster at 390 px")
	b.desktop()
}
