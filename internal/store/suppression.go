package store

import "strings"

// What AlertFilter.Suppressed selects.
const (
	SuppressedSilenced  = "silenced"  // by a silence or a maintenance window
	SuppressedInhibited = "inhibited" // by another alert, through an inhibit rule
)

// heldBySilence matches an alert whose stored suppression (the JSON of
// alert.Suppression, ” when nothing holds it) names silences or a
// maintenance window. The keys are Vigil's own encoding, never input.
const heldBySilence = `suppression LIKE '%"silenced_by"%' OR suppression LIKE '%"maintenance"%'`

// caseless is the operator matching a pattern in any case: SQLite's LIKE
// already ignores ASCII case; Postgres needs ILIKE. Neither lower-cases
// every row first.
func (d dialect) caseless() string {
	if d.name == enginePostgres {
		return "ILIKE"
	}
	return "LIKE"
}

// likeEscaper keeps % and _ typed into a search literal.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
