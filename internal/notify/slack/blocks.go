package slack

// The subset of Block Kit this package sends, with Slack's limits. A payload
// that breaks one is rejected whole (400 invalid_blocks), so the page would
// be lost: every text is clipped to its limit when the block is built.
const (
	maxBlocks      = 50   // per message
	maxHeader      = 150  // header block text
	maxSectionText = 3000 // section text
	maxFieldText   = 2000 // each section field
	maxFields      = 10   // fields per section
	maxContextText = 2000 // our own cap for a context element; Slack's is higher
	maxButtonText  = 75
	maxButtonURL   = 3000
	maxFallback    = 3000 // the top-level text (mrkdwn); Slack allows more, a title needs less
)

// payload is an incoming-webhook message: text is the fallback shown in
// notifications and by clients that cannot draw blocks.
type payload struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks"`
}

// block is any of the block types used: header and section take text,
// section fields, context and actions elements.
type block struct {
	Type     string `json:"type"`
	Text     *text  `json:"text,omitempty"`
	Fields   []text `json:"fields,omitempty"`
	Elements []any  `json:"elements,omitempty"` // text (context) or button (actions)
}

// text is a text object; Type is "plain_text" or "mrkdwn".
type text struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// button is a link button: with url set, Slack opens the link in the
// browser, so Acknowledge and Resolve work without a Slack app.
type button struct {
	Type     string `json:"type"`
	Text     text   `json:"text"`
	URL      string `json:"url"`
	ActionID string `json:"action_id"`
	Style    string `json:"style,omitempty"`
}

func plain(s string) *text { return &text{Type: "plain_text", Text: s, Emoji: true} }

func mrkdwn(s string) text { return text{Type: "mrkdwn", Text: s} }

func header(s string) block { return block{Type: "header", Text: plain(clipPlain(s, maxHeader))} }

func section(s string, fields ...text) block {
	t := mrkdwn(clip(s, maxSectionText))
	if len(fields) > maxFields {
		fields = fields[:maxFields]
	}
	return block{Type: "section", Text: &t, Fields: fields}
}

func field(s string) text { return mrkdwn(clip(s, maxFieldText)) }

func contextBlock(s string) block {
	return block{Type: "context", Elements: []any{mrkdwn(clip(s, maxContextText))}}
}

// linkButton returns a button, or false when the URL could not be used: an
// unusable URL would get the whole message rejected, so its button is dropped.
func linkButton(label, url, actionID, style string) (button, bool) {
	if !webURL(url) || len(url) > maxButtonURL {
		return button{}, false
	}
	return button{
		Type:     "button",
		Text:     text{Type: "plain_text", Text: clipPlain(label, maxButtonText), Emoji: true},
		URL:      url,
		ActionID: actionID,
		Style:    style,
	}, true
}
