package email

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

const (
	maxAlerts  = 50   // alerts listed in one mail; the rest are counted
	runbookDoc = 4000 // runes of each runbook in the mail: the SOP, not a teaser
)

// message builds the mail: Subject is the title, the text part is the plain
// rendering every channel shares, the HTML part draws the same content.
func (s *Sender) message(d notify.Destination, m notify.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("email: from address: %w", err)
	}
	if err := msg.To(d.To...); err != nil {
		return nil, fmt.Errorf("email: destination %s: %w", d.Name, err)
	}
	msg.Subject(render.OneLine(m.Title))
	msg.SetDateWithValue(s.clock.Now())
	msg.SetMessageIDWithValue(messageID(s.cfg.From))
	msg.SetUserAgent("Vigil")
	// RFC 3834: a machine sent this, so vacation responders stay quiet.
	// Not "Precedence: bulk", which some filters demote: this may be a page.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader(gomail.Header("X-Vigil-Kind"), string(m.Kind))

	if r := m.Report; r != nil {
		// The report is the mail: its Markdown as text, its page as HTML.
		msg.SetBodyString(gomail.TypeTextPlain, r.Markdown)
		msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
		return msg, nil
	}
	msg.SetBodyString(gomail.TypeTextPlain, render.Plain(m, render.PlainOptions{
		ActionLinks: true, RunbookDoc: runbookDoc, MaxAlerts: maxAlerts,
	}))
	var html bytes.Buffer
	if err := s.html.Execute(&html, newView(m)); err != nil {
		return nil, fmt.Errorf("email: render html: %w", err)
	}
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

// messageID is unique and names the sender's domain, not this host's
// name, which is nobody's business outside.
func messageID(from string) string {
	domain := "vigil.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
			domain = a.Address[at+1:]
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b) + "@" + domain
}

//go:embed message.html
var templates embed.FS

func parseTemplate() (*template.Template, error) {
	return template.ParseFS(templates, "message.html")
}
