package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAnswerThatCannotBeEncoded: a value JSON cannot hold (a time past year
// 9999) is a logged 500 with an error body, not a 200 with an empty one.
func TestAnswerThatCannotBeEncoded(t *testing.T) {
	var logs bytes.Buffer
	h := withRequestWriter(slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]time.Time{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/alerts", nil))
	var body errorBody
	if rec.Code != http.StatusInternalServerError || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Code != "internal" {
		t.Fatalf("answer: %d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), "encoding the answer failed") || !strings.Contains(logs.String(), "/api/v1/alerts") {
		t.Fatalf("not logged: %s", logs.String())
	}
}
