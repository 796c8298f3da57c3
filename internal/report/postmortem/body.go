package postmortem

import (
	"bytes"
	"fmt"
	"html/template"
	texttemplate "text/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// HTMLBody renders the postmortem as HTML without a page around it, for a
// page of the web app to show inside its own layout.
func HTMLBody(t *texttemplate.Template, d Data) (template.HTML, error) {
	var md, body bytes.Buffer
	if err := t.Execute(&md, d); err != nil {
		return "", fmt.Errorf("postmortem template: %w", err)
	}
	// Without goldmark's unsafe option, raw HTML in the Markdown is left
	// out: untrusted text cannot become markup.
	if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert(md.Bytes(), &body); err != nil {
		return "", err
	}
	return template.HTML(body.String()), nil
}
