package promcheck_test

import (
	"io"
	"net/http"
)

// httpHandler answers every query with the vector [1] and reports the
// credentials it was sent.
func httpHandler(seen func(auth, org string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen(r.Header.Get("Authorization"), r.Header.Get("X-Scope-OrgID"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}`)
	})
}
