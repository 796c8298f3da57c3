package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestToilAndReportProblems pins every problem the toil items and report
// schedules of a broken config produce, each at its file:line:col.
func TestToilAndReportProblems(t *testing.T) {
	_, err := Load("testdata/conf.toil.yml", noEnv())
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %T %v, want Problems", err, err)
	}
	want := `
testdata/conf.toil.yml:8:32: global.toil.approval_time: must be between 0 and 24h
testdata/conf.toil.yml:13:12: toil[0].owner: "sre" must be written as KIND/ID with KIND one of person, team
testdata/conf.toil.yml:14:15: toil[0].estimate: must be a positive duration such as 30s, 5m or 14d
testdata/conf.toil.yml:16:9: toil[0].match[0]: set exactly one of alert, check, runbook (found 2)
testdata/conf.toil.yml:16:18: toil[0].match[0].alert[0]: "alertname=~\"LowStorage" is not a matcher (name="value", !=, =~ or !~): matcher value contains unescaped double quote: "LowStorage
testdata/conf.toil.yml:17:17: toil[0].match[1].check: unknown check "cart/disk" (write service/check)
testdata/conf.toil.yml:18:41: toil[0].match[2].trigger: "sometimes" is not one of manual, automatic, any
testdata/conf.toil.yml:19:36: toil[0].match[3].trigger: applies to runbook rules only
testdata/conf.toil.yml:20:19: toil[0].automated_by: unknown runbook "cron-cleanup" (known: log-cleanup)
testdata/conf.toil.yml:21:22: toil[0].automated_since: invalid time "next week" (write 2006-01-02 or 2006-01-02T15:04:05, local to global.timezone)
testdata/conf.toil.yml:22:7: toil[1].estimate: is required with automated_by: savings are automatic runs times this estimate
testdata/conf.toil.yml:22:9: toil[1].id: duplicate id "log-cleanup" (first defined at testdata/conf.toil.yml:10:9)
testdata/conf.toil.yml:29:13: reports[0].period: a weekly report covers at most 31d
testdata/conf.toil.yml:30:10: reports[0].to[0]: unknown channel "sre" (none are defined)
testdata/conf.toil.yml:31:7: reports[1].people: an oncall report needs people or on_call: whose log to send
testdata/conf.toil.yml:33:22: reports[1].schedule.cron: end of range (61) above maximum (59): 61
testdata/conf.toil.yml:33:46: reports[1].schedule.timezone: unknown time zone "Mars/Base"
testdata/conf.toil.yml:34:13: reports[1].period: must be between 1s and 366d
testdata/conf.toil.yml:35:22: reports[1].services[1]: unknown service "shed" (known: cart, shop)
testdata/conf.toil.yml:36:10: reports[1].to[0]: unknown person "nobody" (known: thach)
testdata/conf.toil.yml:40:5: reports[2].people: applies to oncall reports only
testdata/conf.toil.yml:41:9: reports[2].to: needs at least 1 item(s)`
	if got := err.Error(); got != strings.TrimPrefix(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestToilAndReportsLoad: defaults fill in and the values come through.
func TestToilAndReportsLoad(t *testing.T) {
	cfg, err := Load("testdata/conf.toil-good.yml", noEnv())
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Global.Toil
	if g.WeeklyHours != 35 || g.CapPercent != DefaultCapPercent || g.ApprovalTime.D() != DefaultApprovalTime {
		t.Errorf("toil settings: %+v", g)
	}
	it, ok := cfg.ToilItem("log-cleanup")
	if !ok || it.Estimate.D() != 20*time.Minute || it.Status != ToilIdentified || it.Match[2].Trigger != TriggerAny || len(it.Match) != 3 {
		t.Fatalf("item: %+v", it)
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if got := it.AutomatedSinceTime(loc); !got.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, loc)) {
		t.Errorf("automated since %v", got)
	}
	if d, _ := cfg.ToilItem("manual-deploy"); d.Status != ToilPlanned || !d.AutomatedSinceTime(loc).IsZero() {
		t.Errorf("manual-deploy: %+v", d)
	}
	r := cfg.Reports[0]
	if r.Period.D() != DefaultReportPeriod || r.Schedule.Timezone != "Asia/Ho_Chi_Minh" || r.Location().String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("report defaults: %+v", r)
	}
	if r := cfg.Reports[1]; r.Period.D() != 24*time.Hour || r.Schedule.Timezone != "UTC" {
		t.Errorf("oncall report: %+v", r)
	}
}
