package secret

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// ShowURL is raw as it may appear in an error, a log line or the API: the
// scheme, host, port and path stay readable, so a reader can tell which
// endpoint failed; userinfo is dropped, every query value and every path
// segment that looks like a credential (Slack's T…/B…/token, a UUID, a long
// opaque string) becomes <redacted>. An unparsable URL is Redacted whole.
func ShowURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Redacted
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host}
	path := u.EscapedPath()
	if path != "" {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if plain, err := url.PathUnescape(s); err == nil && secretLooking(plain) {
				segs[i] = Redacted
			}
		}
		path = strings.Join(segs, "/")
	}
	s := out.String() + path
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, url.QueryEscape(k)+"="+Redacted)
		}
		s += "?" + strings.Join(parts, "&")
	}
	return s
}

// ShowSecretURL is raw, a URL that is a secret as a whole (a channel's
// webhook: Slack's, Teams', or any whose path is its credential), as it may
// appear in an error, a log line or the API: only its scheme, host and port,
// so a reader can tell which endpoint failed, and <redacted> for the rest.
// Guessing which parts of a path are secret misses words like PATHSECRET.
func ShowSecretURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Redacted
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	if strings.Trim(u.EscapedPath(), "/") != "" || u.RawQuery != "" {
		shown += "/" + Redacted
	}
	return shown
}

// URLSecrets lists what of raw must be scrubbed from text that came from
// elsewhere (a server's reply echoing the request): the URL in the forms Go
// prints it, its password, a credential-looking user name, query values and
// path segments. Longest first, so a whole is replaced before its parts.
// Plain words ("hook", "v1", "services") are not listed: scrubbing them
// would mangle the text and protect nothing.
func URLSecrets(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	out = append(out, u.String(), u.Redacted())
	if u.RawQuery != "" {
		out = append(out, u.RawQuery)
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw, url.QueryEscape(pw))
		}
		if name := u.User.Username(); secretLooking(name) {
			out = append(out, name)
		}
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 8 || secretLooking(v) || secretKey(k) {
				out = append(out, v, url.QueryEscape(v))
			}
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if secretLooking(seg) {
			out = append(out, seg, url.PathEscape(seg))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// ScrubURL replaces raw in text (in any form Go prints a URL) by its shown
// form, then any of its secret parts left by <redacted>: `Get "URL": dial
// tcp …` becomes `Get "http://10.0.0.5:8080/drain?token=<redacted>": dial
// tcp …`.
func ScrubURL(text, raw string) string {
	shown := ShowURL(raw)
	forms := []string{raw}
	if u, err := url.Parse(raw); err == nil {
		forms = append(forms, u.String(), u.Redacted())
		if _, ok := u.User.Password(); ok {
			// net/http's errors print the password as ***.
			forms = append(forms, strings.Replace(u.String(), u.User.String()+"@", u.User.Username()+":***@", 1))
		}
	}
	for _, f := range forms {
		if f != "" {
			text = strings.ReplaceAll(text, f, shown)
		}
	}
	for _, s := range URLSecrets(raw) {
		if len(s) >= 4 && !strings.Contains(shown, s) {
			text = strings.ReplaceAll(text, s, Redacted)
		}
	}
	return text
}

// secretLooking reports whether a path segment or value looks like a
// credential rather than a word: letters and digits mixed (T0A1B2C3D,
// 3f2a…), mixed case in a long run (base64), or long and opaque. Names made
// of lowercase words (hooks, legacy, order-events) stay readable.
func secretLooking(s string) bool {
	if len(s) < 6 {
		return false
	}
	var letter, digit, upper, lower bool
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsUpper(r):
			letter, upper = true, true
		case unicode.IsLower(r):
			letter, lower = true, true
		}
	}
	switch {
	case letter && digit && len(s) >= 7:
		return true
	case upper && lower && len(s) >= 16:
		return true
	case !strings.ContainsAny(s, "-_.") && len(s) >= 24:
		return true
	}
	return false
}

// secretKey reports whether a query parameter's name says it holds a
// credential.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "key", "secret", "sig", "pass", "auth", "code", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
