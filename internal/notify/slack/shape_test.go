package slack

import (
	"strings"
	"testing"
)

// checkLimits fails the test where a payload breaks a Block Kit rule that
// would make Slack reject the message.
func checkLimits(t *testing.T, p map[string]any) {
	t.Helper()
	if s, _ := p["text"].(string); s == "" || utf16Len(s) > maxFallback {
		t.Errorf("fallback text empty or too long (%d)", utf16Len(s))
	}
	blocks := blocksOf(p)
	if len(blocks) == 0 || len(blocks) > maxBlocks {
		t.Errorf("%d blocks, want 1..%d", len(blocks), maxBlocks)
	}
	for i, b := range blocks {
		switch b["type"] {
		case "header":
			txt := b["text"].(map[string]any)
			if txt["type"] != "plain_text" || !within(txt["text"], maxHeader) {
				t.Errorf("block %d: bad header %v", i, txt)
			}
		case "section":
			if !within(textOf(b), maxSectionText) {
				t.Errorf("block %d: section text empty or %d long", i, utf16Len(textOf(b)))
			}
			fields := fieldsOf(b)
			if len(fields) > maxFields {
				t.Errorf("block %d: %d fields", i, len(fields))
			}
			for _, f := range fields {
				if !within(f, maxFieldText) {
					t.Errorf("block %d: field %d long", i, utf16Len(f))
				}
			}
		case "context":
			els := b["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				t.Errorf("block %d: %d context elements", i, len(els))
			}
			for _, e := range els {
				if !within(e.(map[string]any)["text"], 3000) {
					t.Errorf("block %d: context element too long", i)
				}
			}
		case "actions":
			els := b["elements"].([]any)
			ids := map[string]bool{}
			if len(els) == 0 || len(els) > 25 {
				t.Errorf("block %d: %d actions", i, len(els))
			}
			for _, e := range els {
				btn := e.(map[string]any)
				id, _ := btn["action_id"].(string)
				if id == "" || ids[id] {
					t.Errorf("block %d: action_id %q missing or repeated", i, id)
				}
				ids[id] = true
				url, _ := btn["url"].(string)
				if !webURL(url) || len(url) > maxButtonURL {
					t.Errorf("block %d: bad button url %.60q", i, url)
				}
				if !within(btn["text"].(map[string]any)["text"], maxButtonText) {
					t.Errorf("block %d: button text too long", i)
				}
			}
		default:
			t.Errorf("block %d: unexpected type %v", i, b["type"])
		}
	}
}

func within(v any, n int) bool {
	s, _ := v.(string)
	return s != "" && utf16Len(s) <= n
}

func blocksOf(p map[string]any) []map[string]any {
	raw, _ := p["blocks"].([]any)
	out := make([]map[string]any, len(raw))
	for i, b := range raw {
		out[i] = b.(map[string]any)
	}
	return out
}

func typesOf(blocks []map[string]any) []string {
	out := make([]string, len(blocks))
	for i, b := range blocks {
		out[i], _ = b["type"].(string)
	}
	return out
}

// textOf is a block's text: the text object's for header and section, the
// elements' joined for context.
func textOf(b map[string]any) string {
	if t, ok := b["text"].(map[string]any); ok {
		s, _ := t["text"].(string)
		return s
	}
	var parts []string
	if b["type"] == "context" {
		for _, e := range b["elements"].([]any) {
			parts = append(parts, e.(map[string]any)["text"].(string))
		}
	}
	return strings.Join(parts, " ")
}

func fieldsOf(b map[string]any) []string {
	raw, _ := b["fields"].([]any)
	out := make([]string, len(raw))
	for i, f := range raw {
		out[i], _ = f.(map[string]any)["text"].(string)
	}
	return out
}

// buttonsOf describes an actions block's buttons as "text|url|action_id|style".
func buttonsOf(b map[string]any) []string {
	if b["type"] != "actions" {
		return nil
	}
	var out []string
	for _, e := range b["elements"].([]any) {
		btn := e.(map[string]any)
		style, _ := btn["style"].(string)
		out = append(out, btn["text"].(map[string]any)["text"].(string)+"|"+btn["url"].(string)+"|"+btn["action_id"].(string)+"|"+style)
	}
	return out
}
