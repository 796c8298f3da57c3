// Package examples carries the bundled example configs; vigil.yaml is what
// `vigil serve` runs when no --config is given.
package examples

import _ "embed"

// Default is examples/vigil.yaml.
//
//go:embed vigil.yaml
var Default []byte
