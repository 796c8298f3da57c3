package release

import (
	"github.com/vigil-sre/vigil/internal/release/capacity"
)

// Spec is a release as written in a release file or sent to the API.
type Spec struct {
	Service         string              `yaml:"service" json:"service"`
	Name            string              `yaml:"name,omitempty" json:"name,omitempty"` // default: the version
	Version         string              `yaml:"version" json:"version"`
	Status          string              `yaml:"status,omitempty" json:"status,omitempty"` // default planned
	PlannedAt       string              `yaml:"planned_at" json:"planned_at"`             // 2023-05-03, 2023-05-03 22:00 or RFC 3339; UTC unless given
	StartedAt       string              `yaml:"started_at,omitempty" json:"started_at,omitempty"`
	FinishedAt      string              `yaml:"finished_at,omitempty" json:"finished_at,omitempty"`
	Summary         string              `yaml:"summary,omitempty" json:"summary,omitempty"`
	Stakeholders    map[string][]string `yaml:"stakeholders,omitempty" json:"stakeholders,omitempty"` // role -> person/ID, team/ID or a name
	CodeChanges     []Ticket            `yaml:"code_changes,omitempty" json:"code_changes,omitempty"`
	DataChanges     []Change            `yaml:"data_changes,omitempty" json:"data_changes,omitempty"`
	SystemChanges   []Change            `yaml:"system_changes,omitempty" json:"system_changes,omitempty"`
	DesignDecisions []Decision          `yaml:"design_decisions,omitempty" json:"design_decisions,omitempty"`
	Tests           Tests               `yaml:"tests,omitempty" json:"tests,omitzero"`
	DeploymentNotes string              `yaml:"deployment_notes,omitempty" json:"deployment_notes,omitempty"`
	Manifests       []ManifestSpec      `yaml:"manifests,omitempty" json:"manifests,omitempty"`
	Capacity        *capacity.Spec      `yaml:"capacity,omitempty" json:"capacity,omitempty"`
	// CapacityFile names a capacity file to read instead of Capacity; the
	// CLI reads it, relative to the release file. The API takes Capacity.
	CapacityFile string `yaml:"capacity_file,omitempty" json:"-"`
}

// ManifestSpec is a deployment file: its text, or (in a release file read
// by the CLI) the path of a file holding it, relative to the release file.
type ManifestSpec struct {
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	File string `yaml:"file,omitempty" json:"-"`
	YAML string `yaml:"yaml,omitempty" json:"yaml"`
}
