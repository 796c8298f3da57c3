package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStarterCannotApproveTheirOwnRun: by default whoever starts a run
// cannot approve it, by API or by signed link; the other approvers are
// asked, each with a link of their own. A runbook only its starter could
// approve is refused at once, and distinct_approver: false lets a one-person
// team approve its own runs.
func TestStarterCannotApproveTheirOwnRun(t *testing.T) {
	sk := newSink(t)
	h := start(t, guardConfig(t.TempDir(), sk.URL, `
  - id: migrate
    params: [{name: env, enum: [staging, production]}]
    guard: {approval: required, approvers: [team/sre]}
    steps: [{id: m, run: [echo, "migrating {{ .params.env }}"]}]
  - id: solo
    guard: {approval: required, approvers: [person/thach]}
    steps: [{id: s, run: ["true"]}]
  - id: solo-allowed
    guard: {approval: required, approvers: [person/thach], distinct_approver: false}
    steps: [{id: s, run: ["true"]}]
`), "")
	startRun := func(runbook, body string, out any) int {
		return h.do("POST", "/api/v1/runbooks/"+runbook+"/runs", opsTok, strings.NewReader(body), out)
	}
	approve := func(id, token string, out any) int {
		return h.do("POST", "/api/v1/runs/"+id+"/approve", token, strings.NewReader(`{"comment":"ok"}`), out)
	}
	var book struct {
		Guard struct {
			DistinctApprover bool     `json:"distinct_approver"`
			Approvers        []string `json:"approvers"`
		} `json:"guard"`
	}
	if code := h.do("GET", "/api/v1/runbooks/migrate", readTok, nil, &book); code != 200 || !book.Guard.DistinctApprover ||
		len(book.Guard.Approvers) != 1 {
		t.Fatalf("runbook: %d %+v", code, book)
	}

	var run runJSONT
	if code := startRun("migrate", `{"params":{"env":"production"}}`, &run); code != 201 || run.Status != "awaiting_approval" {
		t.Fatalf("start: %d %+v", code, run)
	}
	var e struct{ Error, Code string }
	if code := approve(run.ID, opsTok, &e); code != http.StatusForbidden ||
		!strings.Contains(e.Error, "person/thach started run "+run.ID+" and may not approve it too (guard.distinct_approver)") {
		t.Fatalf("self-approval: %d %+v", code, e)
	}
	// Team sre is asked member by member, leaving thach out: glen's link
	// vouches for glen alone.
	asked := sk.wait(t, "/glen", 1)[0].Message
	if len(sk.deliveries("/thach")) != 0 {
		t.Fatal("the starter was asked to approve their own run")
	}
	u, err := url.Parse(asked.URL)
	if err != nil || u.Query().Get("who") != "person/glen" {
		t.Fatalf("glen's approval link: %q", asked.URL)
	}
	if resp, err := http.PostForm(h.url+u.Path, u.Query()); err != nil || resp.StatusCode != 200 {
		t.Fatalf("approve by link: %v %v", err, resp)
	}
	h.eventually("approved by glen's link", func() bool { return h.runWith(run.ID, readTok).Status == "succeeded" })
	if by := h.runWith(run.ID, readTok).ApprovedBy; by != "person/glen (link)" {
		t.Fatalf("approved by %q", by)
	}

	var second runJSONT
	startRun("migrate", `{"params":{"env":"production"}}`, &second)
	if code := approve(second.ID, glenTok, nil); code != 200 {
		t.Fatalf("glen approves thach's run: %d", code)
	}

	var refused struct {
		Error, Guard string
		Run          runJSONT `json:"run"`
	}
	if code := startRun("solo", `{}`, &refused); code != http.StatusConflict || refused.Guard != "distinct_approver" ||
		!strings.Contains(refused.Error, "only person/thach may approve, and person/thach started this run") || refused.Run.Status != "refused" {
		t.Fatalf("solo: %d %+v", code, refused)
	}
	var own runJSONT
	if code := startRun("solo-allowed", `{}`, &own); code != 201 {
		t.Fatalf("solo-allowed: %d %+v", code, own)
	}
	if code := approve(own.ID, opsTok, nil); code != 200 {
		t.Fatalf("distinct_approver: false still refused the starter: %d", code)
	}
}

// TestRunStatusFilter: status= takes known run statuses and open, any
// number of times over; anything else is a 400 naming what is allowed.
func TestRunStatusFilter(t *testing.T) {
	h := start(t, guardConfig(t.TempDir(), "", `
  - id: noop
    steps: [{id: s, run: ["true"]}]
`), "")
	var run runJSONT
	if code := h.do("POST", "/api/v1/runbooks/noop/runs", opsTok, strings.NewReader(`{}`), &run); code != 201 {
		t.Fatalf("start: %d", code)
	}
	h.eventually("run done", func() bool { return h.runWith(run.ID, readTok).Status == "succeeded" })
	// More items than SQLite's 32766 variables: before, a 500.
	long := strings.Repeat("succeeded,failed,", 17000) + "open"
	req, _ := http.NewRequest("GET", h.url+"/api/v1/runs?status="+long, nil)
	req.Header.Set("Authorization", "Bearer "+readTok)
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var runs []runJSONT
	err = json.NewDecoder(resp.Body).Decode(&runs)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil || len(runs) != 1 || runs[0].ID != run.ID {
		t.Fatalf("a list of %d statuses: %d %v %+v", strings.Count(long, ",")+1, resp.StatusCode, err, runs)
	}
	if code := h.do("GET", "/api/v1/runs?status=open", readTok, nil, &runs); code != 200 || len(runs) != 0 {
		t.Fatalf("open: %d %+v", code, runs)
	}
	var e struct{ Error, Code string }
	if code := h.do("GET", "/api/v1/runs?status=succeeded,done", readTok, nil, &e); code != 400 || e.Code != "invalid" ||
		e.Error != `status: "done" is not one of pending, awaiting_approval, running, succeeded, failed, refused, interrupted, canceled, open` {
		t.Fatalf("unknown status: %d %+v", code, e)
	}
}
