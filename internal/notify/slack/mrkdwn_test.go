package slack

import (
	"strings"
	"testing"
)

func TestClip(t *testing.T) {
	cases := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"fits", "abc", 3, "abc"},
		{"cut", "abcdef", 4, "abc…"},
		{"emoji counts two", "🔴🔴🔴", 5, "🔴🔴…"},
		{"no half entity", "ab &amp; cd", 6, "ab…"},
		{"whole entity kept", "ab &amp; cd", 10, "ab &amp;…"},
		{"no half link", "see <https://x.example/a|Runbook> now", 20, "see…"},
		{"closes a code block", "```\nrm -rf /tmp/cache\nmore", 16, "```\nrm -rf…\n```"},
	}
	for _, c := range cases {
		got := clip(c.in, c.n)
		if got != c.want {
			t.Errorf("%s: clip(%q, %d) = %q, want %q", c.name, c.in, c.n, got, c.want)
		}
		if utf16Len(got) > c.n {
			t.Errorf("%s: %q is %d long, over %d", c.name, got, utf16Len(got), c.n)
		}
	}
}

func TestFromMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"# Disk full", "*Disk full*"},
		{"## Steps ##", "*Steps*"},
		{"**Check** the __logs__", "*Check* the *logs*"},
		{"- one\n  * two\n+ three", "• one\n  • two\n• three"},
		{"see [Grafana](https://g.example/d?a=1&b=2)", "see <https://g.example/d?a=1&amp;b=2|Grafana>"},
		{"[evil](javascript:alert(1))", "[evil](javascript:alert(1))"},
		{"a <b> & c", "a &lt;b&gt; &amp; c"},
		{"<!channel> <@U123>", "&lt;!channel&gt; &lt;@U123&gt;"},
		{"```\n# not a heading\n**x**\n```", "```\n# not a heading\n**x**\n```"},
	}
	for _, c := range cases {
		if got := fromMarkdown(c.in); got != c.want {
			t.Errorf("fromMarkdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLinkRefusesUnsafeURLs(t *testing.T) {
	for _, href := range []string{"javascript:alert(1)", "https://x.example/a|b", "https://x.example/<a>", "/relative"} {
		if got := link(href, "t<"); strings.Contains(got, "<") || got != "t&lt;" {
			t.Errorf("link(%q) = %q, want plain escaped text", href, got)
		}
	}
}
