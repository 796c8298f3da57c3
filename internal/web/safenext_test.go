package web

import "testing"

// A redirect after sign-in stays on Vigil whatever the browser makes of it:
// it reads \ as /, drops tabs and newlines, and http.Redirect cleans the path.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/alerts?status=all":   "/alerts?status=all",
		"/incidents/3#note-2":  "/incidents/3#note-2",
		"/alerts/":             "/alerts/",
		"/incidents/../alerts": "/alerts",
		"":                     "/",
		"alerts":               "/",
		"//evil.example/x":     "/",
		"/.//evil.example":     "/evil.example",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"/./\\evil.example":    "/",
		"/\t/evil.example":     "/",
		"/%09/evil.example":    "/%09/evil.example",
		"/%2F%2Fevil.example":  "/evil.example",
		"/x\r\nSet-Cookie: a":  "/",
		"/login":               "/",
		"/login?next=/x":       "/",
		"/./login":             "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
