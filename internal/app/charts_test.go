package app

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestChartsOnPages: a check's page draws its last day of probe durations
// and uptime, and the alert volume page counts alerts per service per day
// in a chart and a table, refusing a period it does not offer.
func TestChartsOnPages(t *testing.T) {
	tg := newTarget(t)
	h := start(t, fmt.Sprintf(`
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
services:
  - id: shop
    checks:
      - {id: web, http: {url: %q}, every: 30s, timeout: 2s}
  - {id: dns}
`, tg.URL), "")
	h.step(30*time.Second, "shop/web")
	h.waitState("shop/web", "ok")
	h.step(30*time.Second, "shop/web") // up time is credited when the next result comes

	// The result's rollup is written a moment after the state changes.
	h.eventually("the check page draws its last day", func() bool {
		page := h.page("/checks/shop/web", "")
		for _, id := range []string{"chart-latency", "chart-uptime"} {
			chart := regexp.MustCompile(`(?s)id="` + id + `">(.*?)</div>`).FindStringSubmatch(page)
			if chart == nil || !strings.Contains(chart[1], "<polyline") {
				return false
			}
		}
		return true
	})

	h.raise("dns-slow", "DNS answers slowly", "warning", "dns")
	h.raise("dns-down", "DNS <b>down</b>", "critical", "dns")
	h.raise("shop-5xx", "Shop answers 500", "critical", "shop")
	page := h.page("/alerts/volume", "")
	mustContain(t, "volume page", page, "3 alerts opened in the last 14 days", `id="chart-daily"`, `id="chart-services"`,
		`<a href="/alerts?status=all&amp;service=dns">dns</a></td><td>2</td>`, `service=shop">shop</a></td><td>1</td>`)
	if !strings.Contains(h.page("/alerts", ""), `href="/alerts/volume"`) {
		t.Error("the alert list does not link to the volume page")
	}

	resp := h.get("/alerts/volume?days=5")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "days: &#34;5&#34; is not one of 7, 14, 30, 90") {
		t.Errorf("days=5: %d %.300s", resp.StatusCode, body)
	}
}
