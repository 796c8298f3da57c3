package release

import (
	"regexp"
	"strings"
)

// Untrusted text reaches the as-built document as text, never as markup:
// inline() escapes every character that could start Markdown or HTML, and
// what could open a block at the start of a line (a list, a heading, a
// quote). Code blocks are fenced longer than any run of backticks inside.

var inlineEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`|`, `\|`, `~`, `\~`, `&`, `\&`, `!`, `\!`, `#`, `\#`, `{`, `\{`, `}`, `\}`,
)

// blockStart finds what would open a list, a quote or a heading at the
// start of a line: the mark is escaped (the dot of "2.", not the digit).
var blockStart = regexp.MustCompile(`^\s*(?:[-+=]|[0-9]+([.)]))`)

// inline makes s safe as one line of Markdown text: newlines become spaces.
func inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return escapeLine(s)
}

func escapeLine(s string) string {
	s = inlineEscaper.Replace(s)
	if m := blockStart.FindStringSubmatchIndex(s); m != nil {
		at := m[1] - 1 // the mark: -, +, =, or the dot after digits
		if m[2] >= 0 {
			at = m[2]
		}
		s = s[:at] + `\` + s[at:]
	}
	return s
}

// cell makes s safe in a table cell, where no block can start.
func cell(s string) string { return inlineEscaper.Replace(strings.Join(strings.Fields(s), " ")) }

// paragraphs makes multi-line free text safe, keeping its paragraphs.
func paragraphs(s string) string {
	var out []string
	for _, para := range regexp.MustCompile(`\n\s*\n`).Split(strings.TrimSpace(s), -1) {
		var lines []string
		for _, line := range strings.Split(para, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				lines = append(lines, escapeLine(line))
			}
		}
		if len(lines) > 0 {
			out = append(out, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(out, "\n\n")
}

// codeBlock fences text so that nothing in it can close the fence.
func codeBlock(lang, text string) string {
	longest := 0
	run := 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence
}
