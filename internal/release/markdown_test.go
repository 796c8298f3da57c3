package release

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
)

// TestUntrustedTextStaysText: whatever a release says, the document shows it
// as text: no links, images, HTML, emphasis, lists or headings of its own,
// and a manifest cannot close its code block.
func TestUntrustedTextStaysText(t *testing.T) {
	for _, c := range []struct{ in, html string }{
		{`<script>alert(1)</script>`, `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{`[click](javascript:alert(1))`, `[click](javascript:alert(1))`},
		{`![x](http://evil/x.png)`, `![x](http://evil/x.png)`},
		{`*bold* _it_ ` + "`code`", `*bold* _it_ ` + "`code`"},
		{`- not a list`, `- not a list`},
		{`2. not a list`, `2. not a list`},
		{`# not a heading`, `# not a heading`},
		{`a | b & c`, `a | b &amp; c`},
	} {
		var out bytes.Buffer
		if err := goldmark.Convert([]byte(inline(c.in)), &out); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out.String()); got != "<p>"+c.html+"</p>" {
			t.Errorf("inline(%q) renders %s, want <p>%s</p>", c.in, got, c.html)
		}
	}
	if got := cell("2.0.0 | x"); got != `2.0.0 \| x` {
		t.Errorf("cell = %q", got)
	}
	block := codeBlock("yaml", "a: 1\n```\n<b>x</b>\n")
	var out bytes.Buffer
	goldmark.Convert([]byte(block+"\n\nafter"), &out)
	if !strings.Contains(out.String(), "```\n&lt;b&gt;x&lt;/b&gt;\n</code></pre>") || !strings.Contains(out.String(), "<p>after</p>") {
		t.Errorf("code block:\n%s", out.String())
	}
}
