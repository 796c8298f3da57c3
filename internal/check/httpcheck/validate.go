package httpcheck

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/vigil-sre/vigil/internal/check"
)

// Validate reports every problem at once. Header values are secrets, so no
// message ever quotes one.
func (s *Spec) Validate() []check.Problem {
	var problems []check.Problem
	add := func(field, msg string) { problems = append(problems, check.Problem{Field: field, Message: msg}) }

	switch u, err := url.Parse(s.URL); {
	case s.URL == "":
		add("url", "is required, e.g. https://shop.example/healthz")
	case err != nil:
		add("url", "is not a URL: "+errors.Unwrap(err).Error()) // url.Parse wraps every error in a *url.Error
	case u.Scheme != "http" && u.Scheme != "https":
		add("url", "must start with http:// or https://")
	case u.Host == "":
		add("url", "has no host")
	}

	if m := s.Method; m != "" {
		switch up := strings.ToUpper(m); {
		case !isToken(m):
			add("method", "is not a valid HTTP method")
		case m != up && isStandardMethod(up):
			add("method", "is case-sensitive; write "+up)
		}
	}

	names := make([]string, 0, len(s.Headers))
	for name := range s.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field := "headers." + name
		switch {
		case !isToken(name):
			add(field, "is not a valid header name")
		case hasControl(s.Headers[name].Reveal()):
			add(field, "value contains a control character (such as a newline)")
		case http.CanonicalHeaderKey(name) == "Host" && s.Host != "":
			add(field, "conflicts with host; set only one")
		}
	}
	if hasControl(s.Host) {
		add("host", "contains a control character")
	}
	if s.MaxBody < 0 {
		add("max_body", "must be a positive number of bytes")
	}
	return problems
}

// isToken reports whether s is an RFC 9110 token, the syntax of methods and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// hasControl reports whether s holds a byte that may not appear in a header
// value; tab is allowed.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

func isStandardMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}
