package web

import (
	"net/http/httptest"
	"testing"
)

func TestSSEFormat(t *testing.T) {
	rec := httptest.NewRecorder()
	e := startSSE(rec)
	if err := e.send("note", map[string]string{"text": "a\nb"}); err != nil {
		t.Fatal(err)
	}
	if err := e.sendText("row", "<tr>\n<td>x</td></tr>"); err != nil {
		t.Fatal(err)
	}
	if err := e.keepalive(); err != nil {
		t.Fatal(err)
	}
	want := "event: note\ndata: {\"text\":\"a\\nb\"}\n\n" +
		"event: row\ndata: <tr>\ndata: <td>x</td></tr>\n\n" +
		": keepalive\n\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("stream:\n%q\nwant\n%q", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/event-stream" || !rec.Flushed {
		t.Errorf("content type %q, flushed %v", ct, rec.Flushed)
	}
}

// A lone CR in a text is a line break to the client: it becomes a data:
// line of its own, so stored text can neither end the event nor forge one.
func TestSSETextCannotForgeEvents(t *testing.T) {
	rec := httptest.NewRecorder()
	e := startSSE(rec)
	if err := e.sendText("entry", "note\r\revent: end\rdata: {}"); err != nil {
		t.Fatal(err)
	}
	want := "event: entry\ndata: note\ndata: \ndata: event: end\ndata: data: {}\n\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("stream:\n%q\nwant\n%q", got, want)
	}
}
