package ingest

import (
	"os"
	"path/filepath"
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
		// Members encoding/json matches without regard to case, or after
		// unescaping, or given twice; values of other types; skipped
		// members holding brackets and quotes.
		`{"Alerts":[{"labels":{"a":"b"}}]}`,
		`{"alerts":[{"Labels":{"a":"b"}}]}`,
		`{"alerts":[{"ſtatus":"firing"}]}`,
		`{"a\u006certs":[{"labels":{"a":"b"}}]}`,
		`{"alerts":[{"status":"a"}],"alerts":[{"endsAt":"b"}]}`,
		`{"alerts":[{"status":"a","status":"b"}]}`,
		`{"version":4,"alerts":[]}`,
		`{"alerts":[{"status":null,"fingerprint":"a\u0062"}]}`,
		`{"alerts":[1,{"labels":{}}]}`,
		`{"alerts":null}`,
		`{"groupLabels":{"labels":"]}\"{["},"alerts":[{"x":[{"y":"]"},-1.5e3,true,null],"labels":{"k":"v"}}],"receiver":"r"}`,
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

// TestScanReadsWebhooks: Alertmanager's own payloads are read the quick
// way, to the same message as the slow one.
func TestScanReadsWebhooks(t *testing.T) {
	for _, name := range []string{"am_firing.json", "am_resolved.json", "am_truncated.json", "am_legacy_no_fingerprint.json"} {
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var quick, slow amMessage
		if !scanAlertmanager(body, &quick) {
			t.Fatalf("%s: not read the quick way", name)
		}
		if errs := decodeBatch[amAlert](body, &slow, "alerts"); errs != nil {
			t.Fatalf("%s: %v", name, errs)
		}
		if !reflect.DeepEqual(quick, slow) || len(quick.Alerts) == 0 {
			t.Fatalf("%s: quick %+v\nslow %+v", name, quick, slow)
		}
	}
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

// TestClosingQuote: the quote that ends a JSON string is the first one not
// escaped, however many backslashes come before it.
func TestClosingQuote(t *testing.T) {
	for in, want := range map[string]int{
		`""`:             1,
		`"abc"`:          4,
		`"a\"b"`:         5,
		`"a\\"b"`:        4,
		`"a\\\"b"`:       7,
		`"\\\\"x"`:       5,
		`"\"\""`:         5,
		`"no end`:        -1,
		`"escaped end\"`: -1,
		`"`:              -1,
	} {
		if got := closingQuote([]byte(in)); got != want {
			t.Errorf("closingQuote(%s) = %d, want %d", in, got, want)
		}
		if want > 0 && stringEnd([]byte(in)) != want+1 {
			t.Errorf("stringEnd(%s) = %d, want %d", in, stringEnd([]byte(in)), want+1)
		}
	}
}
