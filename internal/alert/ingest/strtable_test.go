package ingest

import (
	"reflect"
	"testing"
	"unsafe"
)

// FuzzAlertmanagerDecode holds the webhook's quick decoding to the one that
// names what is wrong: for any body, the same message or the same errors.
//
//	go test -run '^$' -fuzz '^FuzzAlertmanagerDecode$' -fuzztime 30s ./internal/alert/ingest/
func FuzzAlertmanagerDecode(f *testing.F) {
	seeds(f, "am_*.json")
	for _, s := range []string{
		`{"alerts":[{"labels":{"a":"1","a":"2"},"annotations":null}]}`,
		`{"alerts":[{"labels":{"a":"x"},"labels":{"b":"y"}}]}`,
		`{"alerts":[{"labels":{"a":"x"},"Labels":null}]}`,
		`{"alerts":[{"labels":{"\u00e9\"\\":"\ud800 \n"},"annotations":{}}]}`,
		"{\"alerts\":[{\"labels\":{\"k\":\"\xff\xfe\"}}]}",
		`{"alerts":[{"labels":{"n":1}}]}`,
		`{"alerts":[{"labels":["a"]}]}`,
		`{"alerts":[{"labels":{ "a" : "b" , "c":"d" }, "annotations" : { } }], "version":"4"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var quick, slow amMessage
		qerr := decodeAlertmanager(body, &quick)
		serr := decodeBatch[amAlert](body, &slow, "alerts")
		if !reflect.DeepEqual(qerr, serr) {
			t.Fatalf("errors differ:\nquick %v\nslow  %v", qerr, serr)
		}
		if serr == nil && !reflect.DeepEqual(quick, slow) {
			t.Fatalf("messages differ:\nquick %#v\nslow  %#v", quick, slow)
		}
	})
}

// TestStrTableShares: the alerts of one request share the strings they
// repeat, names and values alike.
func TestStrTableShares(t *testing.T) {
	body := []byte(`{"version":"4","alerts":[
		{"status":"firing","labels":{"alertname":"Down","job":"node","instance":"a:9100"},"generatorURL":"http://prom/graph"},
		{"status":"firing","labels":{"alertname":"Down","job":"node","instance":"b:9100"},"generatorURL":"http://prom/graph"}]}`)
	var msg amMessage
	if errs := decodeAlertmanager(body, &msg); errs != nil {
		t.Fatal(errs)
	}
	a, b := msg.Alerts[0], msg.Alerts[1]
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	if !same(a.Labels["job"], b.Labels["job"]) || !same(a.GeneratorURL, b.GeneratorURL) {
		t.Fatal("repeated values are separate copies")
	}
	for k := range a.Labels {
		for k2 := range b.Labels {
			if k == k2 && !same(k, k2) {
				t.Fatalf("label name %q is two copies", k)
			}
		}
	}
	if a.Labels["instance"] != "a:9100" || b.Labels["instance"] != "b:9100" {
		t.Fatalf("labels: %v %v", a.Labels, b.Labels)
	}
}
