package scheduled

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/oncall"
	oncalllog "github.com/vigil-sre/vigil/internal/report/oncall"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/store"
)

// Oncall renders the on-call log of each person the report names, and of
// everyone on call on its schedules during the period, one after another.
func Oncall(s *store.Store, dir func() *oncall.Directory) Renderer {
	return func(ctx context.Context, r Request) (Document, error) {
		people := slices.Clone(r.Report.People)
		d := dir()
		for _, sched := range r.Report.OnCall {
			for _, sh := range d.Shifts(sched, r.From, r.To) {
				if !slices.Contains(people, sh.Person) {
					people = append(people, sh.Person)
				}
			}
		}
		var md bytes.Buffer
		var reps []oncalllog.Report
		var lines []string
		for i, p := range people {
			rep, err := oncalllog.Build(ctx, s, oncalllog.Options{Person: p, From: r.From, To: r.To, Loc: r.Loc, Services: r.Report.Services})
			if err != nil {
				return Document{}, err
			}
			if i > 0 {
				md.WriteString("\n---\n\n")
			}
			if err := oncalllog.Markdown(&md, rep, r.Loc); err != nil {
				return Document{}, err
			}
			reps = append(reps, rep)
			lines = append(lines, fmt.Sprintf("%s: %d pages (%d off hours), %d alerts, %s on them.", p, rep.Pages, rep.OffHoursPages,
				len(rep.Alerts), toilplan.Duration(int(rep.TimeSpent.Minutes()))))
		}
		if len(people) == 0 {
			md.WriteString("# On-call log\n\nNobody was on call in this period.\n")
			lines = append(lines, "Nobody was on call in this period.")
		}
		title := fmt.Sprintf("On-call log: %s, %s to %s", orNobody(people), r.From.In(r.Loc).Format("2006-01-02"),
			r.To.Add(-1).In(r.Loc).Format("2006-01-02"))
		return Document{Title: title, Summary: strings.Join(lines, "\n"), Markdown: md.Bytes(), Data: reps}, nil
	}
}

func orNobody(people []string) string {
	if len(people) == 0 {
		return "nobody"
	}
	return strings.Join(people, ", ")
}
