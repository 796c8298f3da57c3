package slack

import (
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

// escaper escapes Slack's three control characters. Anything from an alert
// (summary, labels, a runbook) goes through it, or "<!channel>" in a summary
// would ping everyone and "<https://evil|Acknowledge>" would be a fake link.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// link is a mrkdwn link, or just the escaped text when the URL is unusable.
// Escaping the URL too is right: Slack decodes the entities in it.
func link(href, label string) string {
	if !webURL(href) || strings.ContainsAny(href, "|<> \t\n") {
		return escape(label)
	}
	return "<" + escape(href) + "|" + escape(render.OneLine(label)) + ">"
}

// webURL reports whether s is an absolute http(s) URL: the only kind a
// button or link may carry.
func webURL(s string) bool { return render.WebURL(s) }

// clip cuts s to at most n UTF-16 code units, the unit Slack's limits are
// counted in (an emoji is two), ending in an ellipsis when it cut. It never
// leaves half an entity ("&am"), half a link ("<https://x|Ru") or an
// unclosed code block, which would swallow the rest of the message.
func clip(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	out := whole(prefix(s, n-1))
	if strings.Count(out, "```")%2 == 0 {
		return strings.TrimRight(out, " \n") + render.Ellipsis
	}
	out = whole(prefix(out, n-1-4)) // room for "\n```"
	if strings.Count(out, "```")%2 == 0 {
		return strings.TrimRight(out, " \n") + render.Ellipsis
	}
	return strings.TrimRight(out, " \n") + render.Ellipsis + "\n```"
}

// clipPlain is clip for plain_text, where &, < and > are just characters.
func clipPlain(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	return strings.TrimRight(prefix(s, n-1), " ") + render.Ellipsis
}

// prefix is the longest prefix of s of at most n UTF-16 code units.
func prefix(s string, n int) string {
	for i, r := range s {
		if n -= utf16.RuneLen(r); n < 0 {
			return s[:i]
		}
	}
	return s
}

// whole drops a trailing entity or link that the cut left unfinished.
func whole(s string) string {
	if amp := strings.LastIndexByte(s, '&'); amp >= 0 && !strings.Contains(s[amp:], ";") {
		s = s[:amp]
	}
	if lt := strings.LastIndexByte(s, '<'); lt >= 0 && !strings.Contains(s[lt:], ">") {
		s = s[:lt]
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

var (
	mdHeading = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	mdBullet  = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	mdBold    = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*|__(\S(?:.*?\S)?)__`)
	mdLink    = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^\s)|]+)\)`)
)

// fromMarkdown turns a runbook's Markdown into mrkdwn, which looks alike but
// differs in the parts a runbook uses most: headings become bold lines,
// **bold** becomes *bold*, [text](url) becomes <url|text>, bullets become •.
// Code blocks pass through untouched but escaped. The text is escaped first,
// so the only control characters left are the links made here.
func fromMarkdown(md string) string {
	lines := strings.Split(escape(md), "\n")
	fenced := false
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if m := mdHeading.FindStringSubmatch(line); m != nil {
			lines[i] = "*" + m[1] + "*"
			continue
		}
		line = mdBullet.ReplaceAllString(line, "${1}• ")
		line = mdBold.ReplaceAllString(line, "*${1}${2}*")
		line = mdLink.ReplaceAllString(line, "<${2}|${1}>")
		lines[i] = line
	}
	return strings.Join(lines, "\n")
}
