package chatlog

import (
	"regexp"
	"slices"
	"strings"
)

var (
	slackTokenRE = regexp.MustCompile(`<([^<>\s][^<>]*)>`)

	// Slack escapes only these three in message text.
	slackUnescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// slackText turns Slack's message markup into plain text: <@U123> into
// @name, <#C123|general> into #general, <!here> into @here, and
// <https://x|label> into "label (https://x)". It returns the names of the
// users mentioned, unresolved ids as they are.
func slackText(s string, name func(id string) string) (string, []string) {
	var mentioned []string
	s = slackTokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		target, label, _ := strings.Cut(tok[1:len(tok)-1], "|")
		switch {
		case strings.HasPrefix(target, "@"):
			id := target[1:]
			who := firstNonEmpty(name(id), strings.TrimPrefix(label, "@"), id)
			if !slices.Contains(mentioned, who) {
				mentioned = append(mentioned, who)
			}
			return "@" + who
		case strings.HasPrefix(target, "#"):
			return "#" + firstNonEmpty(label, target[1:])
		case strings.HasPrefix(target, "!"):
			// <!here>, <!channel>, and <!subteam^S1|@sre> or <!date^...|fallback>
			// whose label is the text to show.
			if label != "" {
				return label
			}
			word, _, _ := strings.Cut(target[1:], "^")
			return "@" + word
		}
		if label == "" || label == target || "mailto:"+label == target {
			return firstNonEmpty(label, target)
		}
		return label + " (" + target + ")"
	})
	return slackUnescape.Replace(s), mentioned
}
