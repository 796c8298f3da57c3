package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// overrideConfig: thach has this week on sre-primary (from the harness's
// t0, Monday 09:00 UTC), john the next; every person has a webhook on the
// sink. glen holds a respond token of his own, lead an operate token.
func overrideConfig(sink string) string {
	return fmt.Sprintf(`
integrations: [{id: gen, type: generic, key: gen-k3y}]
tokens:
  - {id: glen-cli, secret: gl3n-t0ken, scopes: [respond], person: glen}
  - {id: ci, secret: c1-t0ken, scopes: [respond]}
  - {id: lead, secret: l3ad-t0ken, scopes: [operate]}
people:
  - {id: thach, name: Thach Duong, contacts: {webhook: "%[1]s/thach"}}
  - {id: john, name: John Robert, contacts: {webhook: "%[1]s/john"}}
  - {id: glen, name: Glen Hart, contacts: {webhook: "%[1]s/glen"}}
  - {id: susan, name: Susan Reyes, contacts: {webhook: "%[1]s/susan"}}
schedules:
  - id: sre-primary
    rotations: [{id: weekly, members: [thach, john], length: 7d, start: "2026-11-23T09:00:00"}]
escalations:
  - {id: sre, steps: [{notify: [schedule/sre-primary]}]}
routes:
  - {escalation: sre, group_by: [alertname], group_wait: 0s}
services: [{id: shop}]
`, sink)
}

// kinds counts what path was sent, by notification kind.
func kinds(sk *sink, path string) map[string]int {
	out := map[string]int{}
	for _, d := range sk.deliveries(path) {
		out[d.Message.Kind]++
	}
	return out
}

// TestOverrideChangesWhoIsPaged: through the CLI, glen takes thach's shift;
// the next alert pages glen, and the API says he is on call. Removing the
// override sends the next page back to thach. Bad requests are refused with
// the field named, and nothing changes.
func TestOverrideChangesWhoIsPaged(t *testing.T) {
	sk := newSink(t)
	h := start(t, overrideConfig(sk.URL), "")
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, append(append([]string{"oncall", "override"}, args...), "--server", h.url)...)
	}

	h.raise("a1", "Checkout slow", "critical", "shop")
	sk.wait(t, "/thach", 1)

	until := t0.Add(8 * time.Hour).Format(time.RFC3339)
	code, out, errOut := cli("add", "--schedule", "sre-primary", "--person", "glen", "--replacing", "thach", "--until", until,
		"--note", "thach is on a flight", "--token", "gl3n-t0ken")
	if code != 0 || out != "override 1: glen on call on sre-primary from 2026-11-23T09:00:00Z until 2026-11-23T17:00:00Z, standing in for thach\n" {
		t.Fatalf("override add: %d %q %q", code, out, errOut)
	}
	// glen is told he is on call, at once.
	h.eventually("glen's handoff notice", func() bool { return kinds(sk, "/glen")["handoff"] == 1 })

	var rows []struct {
		OnCall []struct{ ID string } `json:"on_call"`
		Until  time.Time             `json:"until"`
		Next   []struct {
			Person struct{ ID string } `json:"person"`
			Source string              `json:"source"`
		} `json:"next"`
	}
	h.do("GET", "/api/v1/oncall", "", nil, &rows)
	if len(rows) != 1 || len(rows[0].OnCall) != 1 || rows[0].OnCall[0].ID != "glen" || rows[0].Until.Format(time.RFC3339) != until ||
		len(rows[0].Next) == 0 || rows[0].Next[0].Person.ID != "thach" {
		t.Fatalf("on call after the override: %+v", rows)
	}

	h.raise("a2", "Payments failing", "critical", "shop")
	sk.wait(t, "/glen", 2)
	if got := kinds(sk, "/glen")["firing"]; got != 1 {
		t.Fatalf("glen got %d pages", got)
	}
	if got := kinds(sk, "/thach")["firing"]; got != 1 {
		t.Fatalf("thach, covered, was paged again: %d pages", got)
	}

	code, out, _ = cli("list", "--token", harnessReadToken)
	if code != 0 || !strings.Contains(out, "glen") || !strings.Contains(out, "thach is on a flight") || !strings.Contains(out, "active") ||
		!strings.Contains(out, "token/glen-cli") {
		t.Fatalf("override list: %d\n%s", code, out)
	}

	code, out, errOut = cli("rm", "--schedule", "sre-primary", "1", "--token", "gl3n-t0ken")
	if code != 0 || !strings.HasPrefix(out, "override 1 ended: ") {
		t.Fatalf("override rm: %d %q %q", code, out, errOut)
	}
	h.raise("a3", "Search down", "critical", "shop")
	sk.wait(t, "/thach", 2)
	if got := kinds(sk, "/thach")["firing"]; got != 2 {
		t.Fatalf("thach after the override ended: %d pages", got)
	}
	if got := kinds(sk, "/glen")["firing"]; got != 1 {
		t.Fatalf("glen after the override ended: %d pages", got)
	}
	audit := h.auditActions()
	for _, want := range []string{"token/glen-cli oncall.override.added", "token/glen-cli oncall.override.removed"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks %q:\n%s", want, audit)
		}
	}
}

// TestOverrideRequestsRefused: every bad request gets a clear 4xx naming
// the field, and stores nothing.
func TestOverrideRequestsRefused(t *testing.T) {
	sk := newSink(t)
	h := start(t, overrideConfig(sk.URL), "")
	post := func(token, path, body string) (int, string) {
		var out struct {
			Error string `json:"error"`
		}
		code := h.do("POST", path, token, strings.NewReader(body), &out)
		return code, out.Error
	}
	until := t0.Add(2 * time.Hour).Format(time.RFC3339)
	for _, c := range []struct {
		name, token, path, body string
		code                    int
		msg                     string
	}{
		{"someone else, with respond", "gl3n-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"person":"susan","until":"` + until + `"}`,
			403, "putting someone else on call needs the operate scope; with respond you may put yourself on call"},
		{"a token of nobody", "c1-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"person":"glen","until":"` + until + `"}`, 403, "operate"},
		{"read only", harnessReadToken, "/api/v1/schedules/sre-primary/overrides", `{"person":"glen","until":"` + until + `"}`, 403, "lacks the respond scope"},
		{"no credential", anonymous, "/api/v1/schedules/sre-primary/overrides", `{}`, 401, ""},
		{"unknown person and schedule", "l3ad-t0ken", "/api/v1/schedules/nope/overrides", `{"person":"zed","until":"` + until + `"}`,
			400, `person: unknown person "zed"; schedule: unknown schedule "nope"`},
		{"backwards", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides",
			`{"person":"susan","from":"2026-11-23T12:00:00Z","until":"2026-11-23T11:00:00Z"}`, 400, "until: 2026-11-23T11:00:00Z must be after from"},
		{"too far", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"person":"susan","until":"2028-01-01T00:00:00Z"}`, 400, "until: 2028-01-01T00:00:00Z must be at most a year from now"},
		{"too long", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"person":"susan","until":"2027-03-01T00:00:00Z"}`, 400, "until: an override lasts at most 90 days"},
		{"not a time", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"person":"susan","until":"tomorrow"}`, 400, "until:"},
		{"no until", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"person":"susan"}`, 400, "until: is required"},
		{"unknown field", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"who":"susan"}`, 400, "who"},
		{"too big", "l3ad-t0ken", "/api/v1/schedules/sre-primary/overrides", `{"note":"` + strings.Repeat("x", 20<<10) + `"}`, 413, "limit"},
		{"swap between others, with respond", "gl3n-t0ken", "/api/v1/schedules/sre-primary/swaps",
			`{"person":"thach","with":"john","from":"2026-12-01T09:00:00Z","until":"2026-12-02T09:00:00Z","back_from":"2026-11-24T09:00:00Z","back_until":"2026-11-25T09:00:00Z"}`,
			403, "a swap between two other people needs the operate scope"},
	} {
		code, msg := post(c.token, c.path, c.body)
		if code != c.code || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %q, want %d %q", c.name, code, msg, c.code, c.msg)
		}
	}
	var list struct {
		Overrides []struct{ ID int64 } `json:"overrides"`
	}
	if code := h.do("GET", "/api/v1/schedules/sre-primary/overrides?all=true", "", nil, &list); code != 200 || len(list.Overrides) != 0 {
		t.Fatalf("after refusals: %d %+v", code, list)
	}
	if code := h.do("GET", "/api/v1/schedules/nope/overrides", "", nil, nil); code != 404 {
		t.Errorf("overrides of an unknown schedule: %d", code)
	}
	if code := h.do("DELETE", "/api/v1/schedules/sre-primary/overrides/99", "l3ad-t0ken", nil, nil); code != 404 {
		t.Errorf("deleting an unknown override: %d", code)
	}
	code, _, errOut := runCLI(t, "oncall", "override", "add", "--server", h.url, "--token", "l3ad-t0ken", "--schedule", "sre-primary",
		"--person", "susan", "--until", "soon")
	if code != 1 || !strings.Contains(errOut, "--until must be an RFC 3339 time") {
		t.Errorf("CLI with a bad time: %d %q", code, errOut)
	}
}

// TestSwapAndPlannedOverrideHandoffs: the lead swaps thach's Tuesday for
// john's next Tuesday and plans susan for Wednesday night. When each
// begins, the person coming on call is told, the pages follow, and the
// calendar's API lists them.
func TestSwapAndPlannedOverrideHandoffs(t *testing.T) {
	sk := newSink(t)
	h := start(t, overrideConfig(sk.URL), "")
	tue, nextTue := t0.Add(24*time.Hour), t0.Add(8*24*time.Hour)
	body := fmt.Sprintf(`{"person":"john","with":"thach","from":%q,"until":%q,"back_from":%q,"back_until":%q,"note":"school play"}`,
		tue.Format(time.RFC3339), tue.Add(24*time.Hour).Format(time.RFC3339), nextTue.Format(time.RFC3339), nextTue.Add(24*time.Hour).Format(time.RFC3339))
	var swap struct {
		Overrides []struct {
			ID        int64  `json:"id"`
			Person    string `json:"person"`
			Replacing string `json:"replacing"`
			SwapID    int64  `json:"swap_id"`
			State     string `json:"state"`
		} `json:"overrides"`
	}
	if code := h.do("POST", "/api/v1/schedules/sre-primary/swaps", "l3ad-t0ken", strings.NewReader(body), &swap); code != http.StatusCreated {
		t.Fatalf("swap: %d %+v", code, swap)
	}
	if len(swap.Overrides) != 2 || swap.Overrides[0].Person != "john" || swap.Overrides[0].Replacing != "thach" ||
		swap.Overrides[1].Person != "thach" || swap.Overrides[1].SwapID != swap.Overrides[0].ID || swap.Overrides[0].State != "planned" {
		t.Fatalf("swap answer %+v", swap)
	}
	wedNight := t0.Add(2*24*time.Hour + 12*time.Hour)
	planned := fmt.Sprintf(`{"person":"susan","from":%q,"until":%q}`, wedNight.Format(time.RFC3339), wedNight.Add(6*time.Hour).Format(time.RFC3339))
	if code := h.do("POST", "/api/v1/schedules/sre-primary/overrides", "l3ad-t0ken", strings.NewReader(planned), nil); code != http.StatusCreated {
		t.Fatalf("planned override: %d", code)
	}

	// Tuesday 09:00: john comes on call for thach, and is told.
	h.advanceUntil("john's handoff", time.Hour, 25*time.Hour, func() bool { return kinds(sk, "/john")["handoff"] == 1 })
	if msg := sk.deliveries("/john")[0].Message; msg.Handoff == nil || !msg.Handoff.From.Equal(tue) || !msg.Handoff.Until.Equal(tue.Add(24*time.Hour)) {
		t.Fatalf("john's handoff: %+v", msg.Handoff)
	}
	h.raise("b1", "Disk full", "critical", "shop")
	sk.wait(t, "/john", 2)
	// Wednesday 21:00: susan.
	h.advanceUntil("susan's handoff", time.Hour, 40*time.Hour, func() bool { return kinds(sk, "/susan")["handoff"] == 1 })
	h.raise("b2", "Queue backlog", "critical", "shop")
	h.eventually("susan paged", func() bool { return kinds(sk, "/susan")["firing"] == 1 })
	if got := kinds(sk, "/thach")["firing"]; got != 0 {
		t.Errorf("thach was paged %d times while covered", got)
	}

	var list struct {
		Overrides []struct {
			Person string `json:"person"`
			State  string `json:"state"`
		} `json:"overrides"`
	}
	h.do("GET", "/api/v1/schedules/sre-primary/overrides?all=true", "", nil, &list)
	var got []string
	for _, o := range list.Overrides {
		got = append(got, o.Person+" "+o.State)
	}
	if strings.Join(got, ",") != "john over,susan active,thach planned" {
		t.Errorf("overrides listed: %v", got)
	}
}
