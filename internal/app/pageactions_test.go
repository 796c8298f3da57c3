package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPageActionsRefused: every form of the app refuses a post without a
// session, without the session's CSRF token, from another site, or by
// someone without the scope, with 403, and changes nothing; a good post is
// recorded as the person's.
func TestPageActionsRefused(t *testing.T) {
	h := start(t, peopleConfig(t)+peopleAccess, "")
	glen, susan := h.visitor(), h.visitor()
	glen.login("glen", "glen-password")
	susan.login("susan", "susan-password")
	id := h.raise("disk", "Disk filling on db-1", "critical", "shop")
	token := glen.csrf("/alerts")
	logBefore := len(h.alert(id).Log)
	silences := func() int {
		var out []map[string]any
		h.do("GET", "/api/v1/silences?all=true", "", nil, &out)
		return len(out)
	}
	forms := []struct {
		path string
		form url.Values
	}{
		{"/alerts/bulk", url.Values{"id": {fmt.Sprint(id)}, "action": {"ack"}}},
		{fmt.Sprintf("/alerts/%d/ack", id), url.Values{}},
		{fmt.Sprintf("/alerts/%d/resolve", id), url.Values{}},
		{fmt.Sprintf("/alerts/%d/declare", id), url.Values{"severity": {"SEV2"}}},
		{"/silences", url.Values{"matchers": {`service="shop"`}, "duration": {"1h"}, "comment": {"release"}}},
	}
	with := func(v url.Values, csrf string) url.Values {
		out := url.Values{}
		for k, x := range v {
			out[k] = x
		}
		if csrf != "" {
			out.Set("csrf", csrf)
		}
		return out
	}
	for _, f := range forms {
		cases := []struct {
			name   string
			v      *visitor
			csrf   string
			header map[string]string
			want   string
		}{
			{"no session", h.visitor(), token, nil, "not signed in"},
			{"no token", glen, "", nil, "out of date or did not come from Vigil"},
			{"another session's token", glen, susan.csrf("/alerts"), nil, "out of date"},
			{"another site", glen, token, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, "another site"},
			{"without the scope", susan, susan.csrf("/alerts"), nil, "needs the respond scope"},
		}
		for _, c := range cases {
			for k, val := range c.header {
				c.v.header.Set(k, val)
			}
			r := c.v.post(f.path, with(f.form, c.csrf))
			c.v.header = http.Header{}
			if r.Status != http.StatusForbidden || !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, `id="problem"`) {
				t.Errorf("POST %s, %s: %d, want 403 saying %q: %.300s", f.path, c.name, r.Status, c.want, r.Body)
			}
		}
	}
	if a := h.alert(id); a.Status != "firing" || len(a.Log) != logBefore {
		t.Fatalf("refused posts changed the alert: %s, log %v", a.Status, logLines(a))
	}
	var incidents []map[string]any
	h.do("GET", "/api/v1/incidents", "", nil, &incidents)
	if len(incidents) != 0 || silences() != 0 {
		t.Fatalf("refused posts made %d incidents and %d silences", len(incidents), silences())
	}

	// Bad forms: 4xx with the reason, nothing changed.
	bad := []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"/alerts/bulk", url.Values{"action": {"ack"}}, 400, "no alerts were selected"},
		{"/alerts/bulk", url.Values{"action": {"delete"}, "id": {"1"}}, 400, "action must be ack or resolve"},
		{"/alerts/bulk", url.Values{"action": {"ack"}, "id": strings.Split(strings.Repeat("1,", 201)[:401], ",")}, 400, "at most 200"},
		{"/alerts/bulk", url.Values{"action": {"ack"}, "id": {"-3"}}, 400, "positive number"},
		{"/silences", url.Values{"matchers": {`service=~"(`}, "duration": {"1h"}, "comment": {"x"}}, 400, "matcher"},
		{"/silences", url.Values{"matchers": {`service="shop"`}, "duration": {"forever"}, "comment": {"x"}}, 400, "duration"},
		{"/silences", url.Values{"matchers": {`service="shop"`}, "duration": {"1h"}, "comment": {"  "}}, 400, "comment is required"},
		{"/alerts/bulk", url.Values{"action": {"ack"}, "id": {strings.Repeat("9", 70<<10)}}, 413, "larger than 64 KiB"},
	}
	for _, c := range bad {
		r := glen.post(c.path, with(c.form, token))
		if r.Status != c.status || !strings.Contains(r.Body, c.want) {
			t.Errorf("POST %s %.80v: %d, want %d saying %q: %.400s", c.path, c.form, r.Status, c.status, c.want, r.Body)
		}
	}
	if r := glen.get("/alerts?status=bogus"); r.Status != 400 || !strings.Contains(r.Body, "status must be one of") {
		t.Errorf("a bad filter: %d %.300s", r.Status, r.Body)
	}
	if r := glen.get("/silences/new?alert=999"); r.Status != 404 || !strings.Contains(r.Body, "no alert 999") {
		t.Errorf("a silence for no alert: %d %.300s", r.Status, r.Body)
	}
	if r := glen.get(fmt.Sprintf("/silences/new?alert=%d", id)); r.Status != 200 || !strings.Contains(r.Body, "service=&#34;shop&#34;") {
		t.Errorf("the silence form is not filled from the alert: %d %.600s", r.Status, r.Body)
	}
	if a := h.alert(id); a.Status != "firing" || silences() != 0 {
		t.Fatalf("bad forms changed something: %s, %d silences", a.Status, silences())
	}

	// The same forms, right: done, recorded as glen's, back to the page.
	r := glen.post("/silences", with(forms[4].form, token))
	if r.Status != http.StatusSeeOther || r.Location != "/silences" || silences() != 1 {
		t.Fatalf("creating a silence: %d to %q, %d silences", r.Status, r.Location, silences())
	}
	var sl []struct {
		ID        string `json:"id"`
		CreatedBy string `json:"created_by"`
		State     string `json:"state"`
	}
	h.do("GET", "/api/v1/silences", "", nil, &sl)
	if sl[0].CreatedBy != "person/glen" {
		t.Errorf("silence created by %q", sl[0].CreatedBy)
	}
	if r := glen.post("/silences/"+sl[0].ID+"/expire", nil); r.Status != http.StatusForbidden {
		t.Errorf("expiring without a token: %d", r.Status)
	}
	if r := glen.post("/silences/"+sl[0].ID+"/expire", with(nil, token)); r.Status != http.StatusSeeOther {
		t.Errorf("expiring: %d", r.Status)
	}
	if r := glen.post("/silences/"+sl[0].ID+"/expire", with(nil, token)); r.Status != http.StatusConflict || !strings.Contains(r.Body, "already ended") {
		t.Errorf("expiring twice: %d %.200s", r.Status, r.Body)
	}
	r = glen.post("/alerts/bulk", url.Values{"csrf": {token}, "id": {fmt.Sprint(id), "999"}, "action": {"ack"}, "back": {"status=all&q=disk&evil=1"}})
	if r.Status != http.StatusSeeOther || r.Location != "/alerts?q=disk&status=all" {
		t.Fatalf("bulk acknowledge: %d to %q", r.Status, r.Location)
	}
	mustContain(t, "notice", glen.get(r.Location).Body, "Acknowledged 1 alert. 1 was already acknowledged or resolved.")
	if a := h.alert(id); a.AckedBy != "person/glen" {
		t.Fatalf("acknowledged by %q", a.AckedBy)
	}
	if strings.Contains(glen.get("/alerts").Body, "Acknowledged 1 alert.") {
		t.Error("the notice shows twice")
	}
}
