package postmortem

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
	texttemplate "text/template"

	"github.com/vigil-sre/vigil/internal/report/markdown"
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
		// Raw HTML a replacement template writes is left out and script
		// links lose their href.
		return markdown.HTML(w, "Postmortem: "+d.title, md.Bytes())
	}
	return fmt.Errorf("format %q is not md or html", format)
}
