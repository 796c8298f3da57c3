package web

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/vigil-sre/vigil/internal/errs"
)

// sopHTML renders a runbook's SOP (Markdown) for its page. Goldmark's
// unsafe option stays off: raw HTML in the doc is left out and links to
// javascript: and the like are dropped, so config text cannot script the
// page.
func sopHTML(doc string) (template.HTML, error) {
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(doc), &out); err != nil {
		return "", errs.Wrap(errs.Internal, err, "rendering the SOP")
	}
	return template.HTML(out.String()), nil
}
