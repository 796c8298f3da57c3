package markdown

import (
	"bytes"
	"html/template"
	"io"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// HTML writes md as a standalone HTML page titled title. Raw HTML in md is
// dropped and dangerous link schemes (javascript:) are not linked:
// goldmark's defaults, kept on purpose.
func HTML(w io.Writer, title string, md []byte) error {
	body, err := Body(md)
	if err != nil {
		return err
	}
	return page.Execute(w, struct {
		Title string
		Body  template.HTML
	}{title, body})
}

// Body is md as HTML to place in a page of the app, with HTML's rules.
func Body(md []byte) (template.HTML, error) {
	var body bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert(md, &body); err != nil {
		return "", err
	}
	return template.HTML(body.String()), nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}</style>
</head><body>
{{.Body}}
</body></html>
`))
