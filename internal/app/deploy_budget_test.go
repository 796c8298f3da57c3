package app

import (
	"strings"
	"testing"
)

// TestDeployGuardErrorBudget: while an SLO whose policy blocks deploys has
// spent its error budget, the guard refuses a release that is not only
// fixes, and a version without a release record, naming the SLO and the
// budget left; a release of fix and security tickets goes ahead with a
// note. A spent budget of an SLO without the policy blocks nothing, and
// another service is not held up.
func TestDeployGuardErrorBudget(t *testing.T) {
	h := start(t, `
tokens:
  - {id: ci, secret: `+ciToken+`, scopes: [operate]}
services:
  - id: shop
    slos:
      - {id: checkout, objective: 99.5, window: 7d, events: {}, policy: {block_deploys: true}}
      - {id: search, objective: 99, window: 7d, events: {}}
  - id: docs
`, "")
	ask := func(service, version string) (int, guardDecision) {
		var d guardDecision
		body := `{"service":"` + service + `","version":"` + version + `"}`
		code := h.do("POST", "/api/v1/deploys/check", ciToken, strings.NewReader(body), &d)
		return code, d
	}
	for _, r := range []string{
		`{"service":"shop","version":"2.1.0","planned_at":"2026-11-23","code_changes":[
			{"id":"SHOP-12","title":"Gift cards","kind":"feature"},{"id":"SHOP-13","title":"Tax rounding","kind":"fix"}]}`,
		`{"service":"shop","version":"2.1.1","planned_at":"2026-11-23","code_changes":[
			{"id":"SHOP-14","title":"Checkout times out","kind":"fix"},{"id":"SHOP-15","title":"Session fixation","kind":"security"}]}`,
		`{"service":"shop","version":"2.1.2","planned_at":"2026-11-23"}`,
	} {
		if code := h.do("POST", "/api/v1/releases", ciToken, strings.NewReader(r), nil); code != 201 {
			t.Fatalf("release %s: %d", r, code)
		}
	}

	h.waitSLO("shop/checkout", "judged", func(s sloJSON) bool { return !s.At.IsZero() })
	if code, d := ask("shop", "2.1.0"); code != 200 || len(d.Notes) != 0 {
		t.Fatalf("budget whole: %d %+v", code, d)
	}

	// The search SLO spends its budget first: its policy does not block deploys.
	push := func(id, body string) {
		if code := h.do("POST", "/api/v1/slos/shop/"+id+"/events", ciToken, strings.NewReader(body), nil); code != 202 {
			t.Fatalf("push %s: %d", id, code)
		}
	}
	push("search", `{"good": 900, "total": 1000}`)
	h.waitSLO("shop/search", "spent", func(s sloJSON) bool { return s.Budget.Exhausted })
	if code, d := ask("shop", "2.1.0"); code != 200 {
		t.Fatalf("search's budget spent, without block_deploys: %d %+v", code, d)
	}

	push("checkout", `{"good": 990, "total": 1000}`)
	h.waitSLO("shop/checkout", "spent", func(s sloJSON) bool { return s.Budget.Exhausted })
	const spent = "SLO shop/checkout has spent its error budget 2× over (window 1w, objective 99.5%); until it recovers only fixes may go out, and "
	for _, c := range []struct{ version, why string }{
		{"2.1.0", "release 2.1.0 of shop is not only fixes (SHOP-12 feature)"},
		{"2.1.2", "release 2.1.2 of shop lists no code changes to say it is a fix"},
		{"2.2.0", "shop 2.2.0 has no release record to say it is a fix"},
	} {
		code, d := ask("shop", c.version)
		if code != 409 || d.Allowed || len(d.Reasons) != 1 || d.Reasons[0].Code != "error_budget" || d.Reasons[0].Message != spent+c.why ||
			d.Error != "deploy not allowed now: "+spent+c.why {
			t.Errorf("%s: %d %+v", c.version, code, d)
		}
	}

	code, out, errOut := runCLI(t, "deploy", "check", "--service", "shop", "--version", "2.1.1", "--server", h.url, "--token", ciToken)
	if code != 0 || errOut != "" || out != "allowed: shop 2.1.1 to production may go ahead\n"+
		"  note: SLO shop/checkout has spent its error budget 2× over (window 1w, objective 99.5%); "+
		"release 2.1.1 of shop only fixes (SHOP-14 fix, SHOP-15 security), so it may go ahead\n" {
		t.Fatalf("a fix: %d %q %q", code, out, errOut)
	}
	if code, d := ask("docs", "1.0"); code != 200 || len(d.Notes) != 0 {
		t.Fatalf("another service: %d %+v", code, d)
	}

	var audit []struct {
		Action string `json:"action"`
		Detail string `json:"detail"`
	}
	h.do("GET", "/api/v1/audit", "", nil, &audit)
	var all []string
	for _, a := range audit {
		all = append(all, a.Action+" "+a.Detail)
	}
	mustContain(t, "audit", strings.Join(all, "\n"),
		"deploy.refused shop 2.1.0 to production: "+spent+"release 2.1.0 of shop is not only fixes",
		"deploy.allowed shop 2.1.1 to production (SLO shop/checkout has spent its error budget")
}
