package runbook

import (
	"bytes"
	"encoding/json"
)

// jsonText is v as JSON for a step's detail, read by people: <, > and &
// stay as written (a placeholder reads <steps.active.stdout>, not
// \u003csteps.active.stdout\u003e). Wherever the detail is shown it is
// escaped for that place.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
