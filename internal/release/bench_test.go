package release

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/store"
)

// BenchmarkDoc measures the as-built document (gathered and rendered as
// Markdown) of the newest release of a service with 1,000 releases, each
// with the Release 2 example's deployment file and a deploy, against the
// same document for a service with one release, in the same run:
//
//	go test ./internal/release -run '^$' -bench Doc -count 5
func BenchmarkDoc(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg, err := config.Parse("bench.yaml", []byte("services:\n  - {id: shop}\n  - {id: solo}\npeople:\n  - {id: thach, name: Thach Duong}\n"), config.Options{})
	if err != nil {
		b.Fatal(err)
	}
	fc := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	svc := New(st, fc)
	svc.Apply(cfg)
	dep, err := os.ReadFile("../../examples/releases/release-2-deployment.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec := func(service string, i int) Spec {
		return Spec{Service: service, Name: fmt.Sprintf("Release %d", i), Version: fmt.Sprintf("%d.0.0", i),
			PlannedAt:    time.Date(2023, 1, 1, 22, 0, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour).Format(time.RFC3339),
			Stakeholders: map[string][]string{"developers": {"John Doe", "Jane Peters"}, "sre": {"person/thach"}},
			CodeChanges:  []Ticket{{ID: fmt.Sprintf("Tk-%d", i), Title: "Added a thing", Kind: "feature"}},
			Manifests:    []ManifestSpec{{Name: "deployment.yaml", YAML: strings.Replace(string(dep), "replicas: 6", fmt.Sprintf("replicas: %d", 1+i%9), 1)}}}
	}
	var last, solo Release
	for i := 1; i <= 1000; i++ {
		if last, err = svc.Create(ctx, spec("shop", i), "bench"); err != nil {
			b.Fatal(err)
		}
		if _, err := st.RecordDeploy(ctx, store.DeployRow{Service: "shop", Version: last.Version, Environment: "production", At: last.PlannedAt}); err != nil {
			b.Fatal(err)
		}
	}
	if solo, err = svc.Create(ctx, spec("solo", 1), "bench"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		id   int64
	}{{"1000-releases", last.ID}, {"1-release", solo.ID}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				d, err := svc.Doc(ctx, c.id, 0, nil)
				if err != nil {
					b.Fatal(err)
				}
				if md := Markdown(d); !strings.Contains(md, "## Deployment File") {
					b.Fatal("no document")
				}
			}
		})
	}
}
