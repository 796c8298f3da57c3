package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestDeployPolicy: a service verifies its deploys with the checks its
// deploy block lists, else with its acceptance checks; verify_within
// defaults to 5m; on_failure names the runbook; freeze may name time
// intervals and maintenance windows alike.
func TestDeployPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(`
time_intervals: [{id: weekend, weekdays: [saturday, sunday]}]
maintenance: [{id: db-move, match: {service: shop}, start: "2026-11-27T22:00:00", duration: 2h}]
runbooks: [{id: rollback, steps: [{id: back, run: ["true"]}]}]
services:
  - id: shop
    checks:
      - {id: home, tcp: {address: "h:1"}, acceptance: true}
      - {id: api, tcp: {address: "h:2"}}
      - {id: cart, tcp: {address: "h:3"}, acceptance: true}
  - id: api
    checks: [{id: up, tcp: {address: "h:4"}, acceptance: true}, {id: deep, tcp: {address: "h:5"}}]
    deploy: {verify: [deep], verify_within: 2m, on_failure: runbook/rollback, promote_from: [staging], freeze: [weekend, db-move]}
  - id: docs
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, noEnv())
	if err != nil {
		t.Fatal(err)
	}
	shop, api, docs := &cfg.Services[0], &cfg.Services[1], &cfg.Services[2]
	if got := shop.VerifyChecks(); !slices.Equal(got, []string{"home", "cart"}) {
		t.Errorf("shop verifies with %v, want its acceptance checks", got)
	}
	if got := api.VerifyChecks(); !slices.Equal(got, []string{"deep"}) {
		t.Errorf("api verifies with %v, want deploy.verify", got)
	}
	if got := docs.VerifyChecks(); len(got) != 0 {
		t.Errorf("docs verifies with %v, want none", got)
	}
	if shop.VerifyWithinOrDefault() != 5*time.Minute || api.VerifyWithinOrDefault() != 2*time.Minute {
		t.Errorf("verify_within: shop %v api %v", shop.VerifyWithinOrDefault(), api.VerifyWithinOrDefault())
	}
	if shop.RollbackRunbook() != "" || api.RollbackRunbook() != "rollback" {
		t.Errorf("rollback runbook: shop %q api %q", shop.RollbackRunbook(), api.RollbackRunbook())
	}
}
