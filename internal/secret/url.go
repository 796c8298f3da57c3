package secret

import (
	"net/url"
	"strings"
)

// hidden replaces a secret part of a URL, as url.URL.Redacted hides a
// password.
const hidden = "xxxxx"

// URL shows a URL without its secrets: the password and the value of every
// query parameter (?api_key=xxxxx), since a URL that people see (a check's
// target) often carries a key in its query. One that does not parse shows
// as Redacted.
func URL(raw string) string {
	return redactURL(raw, func(string) bool { return true })
}

// redactURL hides the password of raw and the values of the query
// parameters hide picks, keeping the parameters' order and spelling.
func redactURL(raw string, hide func(name string) bool) string {
	u, err := url.Parse(raw)
	if err != nil {
		return Redacted
	}
	q := u.RawQuery
	u.RawQuery = ""
	out := u.Redacted()
	if q == "" {
		return out
	}
	params := strings.Split(q, "&")
	for i, p := range params {
		name, _, hasValue := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(name); err == nil && hasValue && hide(key) {
			params[i] = name + "=" + hidden
		} else if err != nil {
			params[i] = hidden
		}
	}
	if frag := strings.Index(out, "#"); frag >= 0 {
		return out[:frag] + "?" + strings.Join(params, "&") + out[frag:]
	}
	return out + "?" + strings.Join(params, "&")
}

// secretParam reports whether a DSN's query parameter holds a credential:
// libpq's password and sslpassword, and anything else named like one.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"pass", "pwd", "secret", "token", "auth", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "key" || strings.HasSuffix(n, "_key") || strings.HasSuffix(n, "apikey")
}
