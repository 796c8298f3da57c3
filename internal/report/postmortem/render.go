package postmortem

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
	texttemplate "text/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

//go:embed default.md.tmpl
var defaultTemplate string

// DefaultTemplate is the built-in template's text, for `--template` authors.
func DefaultTemplate() string { return defaultTemplate }

var funcs = texttemplate.FuncMap{
	"join": strings.Join,
	// cell keeps a value on one line; values are already escaped Markdown.
	"cell": func(s string) string { return strings.Join(strings.Fields(s), " ") },
}

// Parse reads a replacement template (a text/template producing Markdown);
// path "" is the built-in one.
func Parse(path string) (*texttemplate.Template, error) {
	src := defaultTemplate
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("postmortem template: %w", err)
		}
		src = string(b)
	}
	t, err := texttemplate.New("postmortem").Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("postmortem template: %w", err)
	}
	return t, nil
}

// Render writes the postmortem as Markdown ("md") or HTML ("html").
func Render(w io.Writer, t *texttemplate.Template, d Data, format string) error {
	var md bytes.Buffer
	if err := t.Execute(&md, d); err != nil {
		return fmt.Errorf("postmortem template: %w", err)
	}
	switch format {
	case "md", "markdown", "":
		_, err := w.Write(md.Bytes())
		return err
	case "html":
		var body bytes.Buffer
		// Without goldmark's unsafe option, raw HTML a replacement template
		// writes is left out and script links lose their href.
		if err := goldmark.New(goldmark.WithExtensions(extension.Table)).Convert(md.Bytes(), &body); err != nil {
			return err
		}
		return page.Execute(w, struct {
			Title string
			Body  template.HTML
		}{d.title, template.HTML(body.String())})
	}
	return fmt.Errorf("format %q is not md or html", format)
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Postmortem: {{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}</style>
</head><body>
{{.Body}}
</body></html>
`))
