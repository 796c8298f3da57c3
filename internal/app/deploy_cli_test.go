package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeployCLI: CI records a deploy with its deploy integration's key
// and waits for the verdict, as the README shows; the key may follow its
// own service's deploys and no other's. vigil deploy list and show read
// the record back, and a deploy for a release the service does not have
// is refused naming the field, with nothing stored.
func TestDeployCLI(t *testing.T) {
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, filepath.Join(t.TempDir(), "r")), "")
	h.advance(time.Second)
	cli := func(token string, args ...string) (int, string, string) {
		return runCLI(t, append(append([]string{"deploy"}, args...), "--server", h.url, "--token", token)...)
	}

	code, out, errOut := cli(shopDeployKey, "record", "--service", "shop", "--version", "1.0.0", "--environment", "production",
		"--commit", "9f1c2e@2026-11-23T08:30:00+07:00", "--wait")
	var id int64
	if _, err := fmt.Sscanf(out, "deploy %d recorded", &id); err != nil || code != 0 || errOut != "" ||
		!strings.Contains(out, "verifying with shop/home until ") || !strings.HasSuffix(out, "verification passed: the check passed\n") {
		t.Fatalf("record --wait with the deploy key: %d %q %q", code, out, errOut)
	}
	code, out, _ = cli(shopDeployKey, "show", fmt.Sprint(id))
	mustContain(t, "show", out, fmt.Sprintf("deploy %d: shop 1.0.0 to production at ", id), "by integration/shop-ci\n",
		"commit 9f1c2e at 2026-11-23T01:30:00Z\n", "verification passed: the check passed\n", "  shop/home: passed after 1 result(s)\n")
	if code != 0 {
		t.Fatalf("show: %d", code)
	}

	docs := h.recordDeploy(`{"service":"docs","version":"1","environment":"production"}`)
	if code, _, errOut = cli(shopDeployKey, "show", fmt.Sprint(docs.ID)); code != 1 || !strings.Contains(errOut, `deploy integration "shop-ci" is for service shop only`) {
		t.Fatalf("the shop's key reading a docs deploy: %d %q", code, errOut)
	}

	code, out, errOut = cli(shopDeployKey, "record", "--service", "shop", "--release", "9.9", "--environment", "production")
	if code != 1 || out != "" || !strings.Contains(errOut, `release: no release "9.9" of service shop`) {
		t.Fatalf("unknown release: %d %q %q", code, out, errOut)
	}
	code, out, _ = cli(ciToken, "list", "--service", "shop")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[1], "shop     1.0.0    production   succeeded  passed") {
		t.Fatalf("list: %d\n%s", code, out)
	}
}
