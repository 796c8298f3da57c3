package scheduled

import (
	"bytes"
	"context"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/report/weekly"
)

// Weekly renders the weekly status report of the report's services, its
// times in the schedule's zone.
func Weekly(d weekly.Deps, cfg func() *config.Config, clk clock.Clock, base func() string) Renderer {
	return func(ctx context.Context, r Request) (Document, error) {
		c := cfg()
		rep, err := weekly.Build(ctx, d, weekly.Options{Config: c, From: r.From, To: r.To, Services: r.Report.Services, Now: clk.Now(), Loc: r.Loc})
		if err != nil {
			return Document{}, err
		}
		var md bytes.Buffer
		if err := weekly.Markdown(&md, rep, weekly.Render{Loc: r.Loc, Base: base(), Config: c}); err != nil {
			return Document{}, err
		}
		return Document{Title: weekly.Title(rep, r.Loc), Summary: weekly.Summary(rep), Markdown: md.Bytes(), Data: rep}, nil
	}
}
