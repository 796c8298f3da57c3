package render

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks text that was cut.
const Ellipsis = "…"

// OneLine folds line breaks and other control characters into single
// spaces: titles become email subjects and Slack headers, where a newline
// would break the header or inject another one.
func OneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Truncate cuts s to at most n runes, ending in an ellipsis when it cut.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimRightFunc(string(runes[:n-1]), unicode.IsSpace) + Ellipsis
}

// Excerpt is the start of a document, at most n runes, cut at a line or word
// boundary when one is near so the reader does not get half a word.
func Excerpt(doc string, n int) string {
	doc = strings.TrimSpace(doc)
	if utf8.RuneCountInString(doc) <= n {
		return doc
	}
	cut := string([]rune(doc)[:n-1])
	// Prefer the last line break, then the last space, in the final fifth.
	floor := len(cut) * 4 / 5
	if i := strings.LastIndexByte(cut, '\n'); i >= floor {
		cut = cut[:i]
	} else if i := strings.LastIndexByte(cut, ' '); i >= floor {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, unicode.IsSpace) + Ellipsis
}

// Redact replaces every secret found in s with a marker. Errors are built so
// that they hold no secrets; this is the second line of defence for text that
// came from elsewhere, such as a server's reply that echoes what it was sent.
// Secrets shorter than four bytes are skipped: replacing "/" or "a" would
// mangle the text and protect nothing.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "<redacted>")
		}
	}
	return s
}

// WebURL reports whether s is an absolute http(s) URL, the only kind a
// notification links to.
func WebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
