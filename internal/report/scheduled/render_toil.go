package scheduled

import (
	"bytes"
	"context"

	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/toil"
)

// Toil renders the toil reduction plan of the report's services.
func Toil(l *toil.Ledger) Renderer {
	return func(ctx context.Context, r Request) (Document, error) {
		ov, err := l.Overview(ctx, r.From, r.To, r.Report.Services)
		if err != nil {
			return Document{}, err
		}
		var md bytes.Buffer
		if err := toilplan.Markdown(&md, ov, r.Loc); err != nil {
			return Document{}, err
		}
		return Document{Title: toilplan.Title(ov, r.Loc), Summary: toilplan.Summary(ov), Markdown: md.Bytes(), Data: ov}, nil
	}
}
