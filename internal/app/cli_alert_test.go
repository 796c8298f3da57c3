package app

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
)

func TestAlertAndSilenceCommands(t *testing.T) {
	sk := newSink(t)
	h := start(t, suppressConfig(sk.URL, ""), "")
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(args, "--server", h.url, "--token", "cl1-t0ken")...)
	}
	code, out, errOut := cli("alert", "send", "--service", "shop", "--severity", "critical", "--key", "app-down", "Application down")
	if code != 0 || !strings.Contains(out, "alert 1 firing") {
		t.Fatalf("send: %d %q %q", code, out, errOut)
	}
	code, out, _ = cli("alert", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^1\s+firing\s+critical\s+shop\s+\S+\s+1\s+Application down$`).MatchString(out) {
		t.Fatalf("list:\n%s", out)
	}
	code, out, _ = cli("alert", "ack", "1", "--by", "thach")
	if code != 0 || out != "alert 1 is acknowledged: Application down\n" || h.alert(1).AckedBy != "thach (token/cli)" {
		t.Fatalf("ack: %d %q %q", code, out, h.alert(1).AckedBy)
	}
	code, _, errOut = cli("alert", "ack", "1")
	if code != 1 || !strings.Contains(errOut, "already acknowledged") {
		t.Fatalf("second ack: %d %q", code, errOut)
	}
	code, out, _ = cli("alert", "resolve", "1")
	if code != 0 || !strings.Contains(out, "resolved") {
		t.Fatalf("resolve: %d %q", code, out)
	}
	code, _, errOut = cli("alert", "ack", "99")
	if code != 1 || !strings.Contains(errOut, "no alert 99") {
		t.Fatalf("unknown alert: %d %q", code, errOut)
	}
	code, out, _ = cli("alert", "list", "--status", "all", "--json")
	if code != 0 || !strings.Contains(out, `"status": "resolved"`) {
		t.Fatalf("list all: %s", out)
	}

	code, out, errOut = cli("silence", "add", `service="dns"`, "--duration", "2h", "--comment", "failing over by hand")
	id := regexp.MustCompile(`silence (\S+) active until`).FindStringSubmatch(out)
	if code != 0 || id == nil {
		t.Fatalf("silence add: %d %q %q", code, out, errOut)
	}
	code, out, _ = cli("silence", "list")
	if code != 0 || !strings.Contains(out, id[1]) || !strings.Contains(out, `service="dns"`) {
		t.Fatalf("silence list:\n%s", out)
	}
	code, out, _ = cli("silence", "expire", id[1])
	if code != 0 || out != fmt.Sprintf("silence %s expired\n", id[1]) {
		t.Fatalf("expire: %q", out)
	}
	if code, out, _ = cli("silence", "list"); !strings.Contains(out, "no silences") {
		t.Fatalf("after expiry: %q", out)
	}
	code, _, errOut = cli("silence", "add", `service="dns"`, "--comment", "x")
	if code != 1 || !strings.Contains(errOut, "--duration 2h or --until") {
		t.Fatalf("no duration: %d %q", code, errOut)
	}
	// Without a token the server says what is missing.
	code, _, errOut = runCLI(t, "alert", "ack", "1", "--server", h.url)
	if code != 1 || !strings.Contains(errOut, "missing bearer token") {
		t.Fatalf("no token: %d %q", code, errOut)
	}
	// A server that is not there is named.
	code, _, errOut = runCLI(t, "alert", "list", "--server", "http://127.0.0.1:1")
	if code != 1 || !strings.Contains(errOut, "cannot reach Vigil at http://127.0.0.1:1") {
		t.Fatalf("no server: %d %q", code, errOut)
	}
}

// TestPagingSecretsStayOutOfLogsAndAnswers: contact and channel URLs,
// integration keys, signing secrets and the SMTP password never appear in
// logs, API answers or stored notifications' errors, even when deliveries fail.
func TestPagingSecretsStayOutOfLogsAndAnswers(t *testing.T) {
	secrets := []string{"T000/B000/s1ackpath", "h00k-s3cret", "am-s3cret-key", "smtp-pa55word", "pers0nal-hook"}
	h := start(t, `
global:
  smtp: {host: 127.0.0.1, port: 1, username: vigil, password: smtp-pa55word, from: vigil@shop.example, tls: none}
integrations:
  - {id: prometheus, type: alertmanager, key: am-s3cret-key}
people:
  - {id: thach, contacts: {email: thach@shop.example, webhook: "http://127.0.0.1:1/pers0nal-hook"}}
channels:
  - {id: sre-slack, type: slack, url: "http://127.0.0.1:1/services/T000/B000/s1ackpath"}
  - {id: audit, type: webhook, url: "http://127.0.0.1:1/audit", secret: h00k-s3cret}
escalations:
  - {id: sre, steps: [{notify: [person/thach, channel/sre-slack, channel/audit]}]}
routes:
  - {escalation: sre, group_wait: 0s}
`, "")
	h.post("/api/v1/integrations/alertmanager", "am-s3cret-key", "application/json", fixture(t, "am_firing.json"))
	h.post("/api/v1/integrations/alertmanager", "wrong-key", "application/json", fixture(t, "am_firing.json"))
	h.eventually("failed deliveries recorded", func() bool {
		var n []map[string]any
		h.do("GET", "/api/v1/alerts/1/notifications", "", nil, &n)
		failing := 0
		for _, x := range n {
			if x["last_error"] != nil && x["last_error"] != "" {
				failing++
			}
		}
		return failing == 4
	})
	var answers strings.Builder
	for _, p := range []string{"/api/v1/alerts?status=all", "/api/v1/alerts/1", "/api/v1/alerts/1/notifications", "/metrics"} {
		resp := h.get(p)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers.Write(b)
	}
	h.stop()
	all := h.logs.String() + answers.String()
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("secret %q leaked", s)
		}
	}
	mustContain(t, "the failures are still explained", answers.String(), "connection refused")
}
