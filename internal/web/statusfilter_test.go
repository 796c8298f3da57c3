package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/errs"
)

func TestStatusFilter(t *testing.T) {
	f := StatusFilter{Param: "status", Known: []string{"firing", "acknowledged", "resolved"},
		Aliases: map[string][]string{"open": {"firing", "acknowledged"}, "all": {"firing", "acknowledged", "resolved"}}}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"resolved", []string{"resolved"}},
		{"resolved, firing ,resolved", []string{"resolved", "firing"}},
		{"open", []string{"firing", "acknowledged"}},
		// Every status is no filter at all.
		{"acknowledged,open,all", nil},
		{strings.Repeat("firing,resolved,", 50000), []string{"firing", "resolved"}},
	} {
		got, err := f.Parse(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%.40q: %v %v, want %v", c.in, got, err, c.want)
		}
	}
	for in, want := range map[string]string{
		"firing,fired":              `status: "fired" is not one of firing, acknowledged, resolved, all, open`,
		"FIRING":                    `status: "FIRING" is not one of`,
		strings.Repeat("x", 100):    `status: "` + strings.Repeat("x", 64) + `…" is not one of`,
		"firing,\xff\xfe" + "\xfd…": `is not one of`,
	} {
		_, err := f.Parse(in)
		if errs.CodeOf(err) != errs.Invalid || !strings.HasPrefix(errs.Message(err), want) && !strings.Contains(errs.Message(err), want) {
			t.Errorf("%.40q: %v, want %q", in, err, want)
		}
	}
}
