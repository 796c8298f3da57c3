package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

// CrashOptions configure the crash scenario.
type CrashOptions struct {
	Binary    string
	Env       []string // extra environment for the children
	Clients   int
	Batch     int
	KillAfter time.Duration
	// KillAtAcked, when set, kills once this many alerts were acknowledged
	// (the channel goes down at half), with KillAfter as the longest wait:
	// on a loaded machine a fixed time may prove too little.
	KillAtAcked int
	Store       string // empty: SQLite in a temporary directory
	Log         io.Writer
}

// CrashReport is what survived.
type CrashReport struct {
	Acknowledged int      `json:"acknowledged"` // alerts in 2xx answers before the kill
	AckedPerSec  float64  `json:"acknowledged_per_second"`
	Found        int      `json:"found"` // of those, stored after the restart
	Missing      []string `json:"missing,omitempty"`
	PagedAtKill  int      `json:"paged_at_kill"` // of those, paged before the kill
	Delivered    int      `json:"delivered"`     // of those, paged after the restart
	DrainSeconds float64  `json:"drain_seconds"`
	Undelivered  []string `json:"undelivered,omitempty"`
}

// RunCrash ingests Alertmanager webhooks as fast as clients can send them,
// each alert paging at once through a webhook, kills vigil serve with
// SIGKILL mid-stream, restarts it on the same store, and checks that every
// alert that got a 2xx is stored and that every one of them is paged.
func RunCrash(ctx context.Context, opt CrashOptions) (CrashReport, error) {
	var rep CrashReport
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "vigil-crash-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	store := opt.Store
	if store == "" {
		store = "sqlite://" + filepath.Join(dir, "crash.db")
	}
	target, stopTarget, err := startChild(ctx, opt.Binary, []string{"bench", "target", "--listen", "127.0.0.1:0"}, `http://\S+`, nil, opt.Env...)
	if err != nil {
		return rep, err
	}
	defer stopTarget()
	cfg := filepath.Join(dir, "crash.yaml")
	if err := os.WriteFile(cfg, alertsConfig(target.url), 0o600); err != nil {
		return rep, err
	}
	serve := func() (child, func(), error) {
		addr, err := freeAddr()
		if err != nil {
			return child{}, nil, err
		}
		return startChild(ctx, opt.Binary, []string{"serve", "--config", cfg, "--listen", addr, "--store", store}, `http://\S+`, opt.Log, opt.Env...)
	}
	vigil, stopFirst, err := serve()
	if err != nil {
		return rep, err
	}
	defer stopFirst() // on the way out early; after the kill it has nothing to stop
	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	done := make(chan loadResult, 1)
	var progress atomic.Int64
	go func() {
		done <- load{url: vigil.url + "/api/v1/integrations/alertmanager", key: "bench-key", clients: opt.Clients, batch: opt.Batch,
			perGroup: 1, kind: "latency", status: "firing", record: true, acked: &progress}.post(lctx)
	}()
	client := readerClient(30 * time.Second)
	// The channel goes down halfway, so that at the kill some alerts are
	// paged and the rest wait in the outbox.
	started := wall.Now()
	halfway := func(half bool) bool {
		if opt.KillAtAcked > 0 {
			want := int64(opt.KillAtAcked)
			if half {
				want /= 2
			}
			return progress.Load() >= want || wall.Since(started) >= opt.KillAfter
		}
		if half {
			return wall.Since(started) >= opt.KillAfter/2
		}
		return wall.Since(started) >= opt.KillAfter
	}
	for !halfway(true) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := post(client, target.url+"/down?on=1"); err != nil {
		return rep, err
	}
	for !halfway(false) {
		time.Sleep(5 * time.Millisecond)
	}
	vigil.kill()
	stopLoad()
	res := <-done
	acked := map[string]bool{}
	for _, first := range res.acked {
		for k := first; k < first+opt.Batch; k++ {
			acked["latency-"+strconv.Itoa(k)] = true
		}
	}
	rep.Acknowledged, rep.AckedPerSec = len(acked), float64(len(acked))/res.elapsed.Seconds()
	var sink SinkReport
	if err := getJSON(client, target.url+"/stats?keys=1", &sink); err != nil {
		return rep, err
	}
	for _, k := range sink.Keys {
		if acked[k] {
			rep.PagedAtKill++
		}
	}
	logf("killed vigil (SIGKILL) after %d alerts were acknowledged (%.0f/s); %d of them were already paged",
		rep.Acknowledged, rep.AckedPerSec, rep.PagedAtKill)

	restarted := wall.Now()
	vigil, stop, err := serve()
	if err != nil {
		return rep, fmt.Errorf("restarting: %w", err)
	}
	defer stop()
	if err := post(client, target.url+"/down?on=0"); err != nil {
		return rep, err
	}
	stored, err := instances(client, vigil.url)
	if err != nil {
		return rep, err
	}
	rep.Found, rep.Missing = tally(acked, stored)
	logf("after the restart %d of %d acknowledged alerts are stored", rep.Found, rep.Acknowledged)

	deadline := wall.Now().Add(60 * time.Second)
	for {
		if err := getJSON(client, target.url+"/stats?keys=1", &sink); err != nil {
			return rep, err
		}
		rep.Delivered, rep.Undelivered = tally(acked, keySet(sink.Keys))
		if rep.Delivered == rep.Acknowledged || wall.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	sort.Strings(rep.Missing)
	sort.Strings(rep.Undelivered)
	rep.DrainSeconds = wall.Since(restarted).Seconds()
	logf("%d of %d acknowledged alerts were paged, %.1fs after the restart", rep.Delivered, rep.Acknowledged, rep.DrainSeconds)
	return rep, nil
}

// tally counts the keys of acked found in have, and names up to ten of
// those that are not.
func tally(acked, have map[string]bool) (n int, missing []string) {
	for k := range acked {
		if have[k] {
			n++
		} else if len(missing) < 10 {
			missing = append(missing, k)
		}
	}
	return n, missing
}

func keySet(keys []string) map[string]bool {
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out
}

func post(c *http.Client, url string) error {
	resp, err := c.Post(url, "", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}

// instances lists the instance label of every stored alert.
func instances(c *http.Client, url string) (map[string]bool, error) {
	out := map[string]bool{}
	for offset := 0; ; offset += 1000 {
		var page []struct {
			Labels map[string]string `json:"labels"`
		}
		if err := getJSON(c, fmt.Sprintf("%s/api/v1/alerts?limit=1000&offset=%d", url, offset), &page); err != nil {
			return nil, err
		}
		for _, a := range page {
			out[a.Labels["instance"]] = true
		}
		if len(page) < 1000 {
			return out, nil
		}
	}
}
