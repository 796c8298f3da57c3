package capacity

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the plan for people: per component the steps of the
// arithmetic under their topic, then the outcome, then the notes.
func (r Result) WriteText(w io.Writer) error {
	var b strings.Builder
	title := "Capacity plan"
	if r.Input.Service != "" {
		title += ": " + r.Input.Service
	}
	if r.Input.Release != "" {
		title += " " + r.Input.Release
	}
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len([]rune(title))))
	for _, c := range r.Components {
		fmt.Fprintf(&b, "%s\n", c.Name)
		topic := ""
		for _, s := range c.Steps {
			if s.Topic != topic {
				topic = s.Topic
				fmt.Fprintf(&b, "  %s\n", topic)
			}
			fmt.Fprintf(&b, "    %s\n", s.Text)
		}
		fmt.Fprintf(&b, "  → %s\n\n", outcome(c))
	}
	fmt.Fprintf(&b, "Deployment %s: %d replicas (what its busiest component needs); limits equal requests.\n", r.Deployment, r.Replicas)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func outcome(c Planned) string {
	var parts []string
	if c.Replicas > 0 {
		parts = append(parts, fmt.Sprintf("replicas %d", c.Replicas))
	}
	for _, k := range []string{"memory", "cpu"} {
		if v, ok := c.Requests[k]; ok {
			parts = append(parts, k+" "+v)
		}
	}
	if c.Queue != nil {
		parts = append(parts, fmt.Sprintf("%d at a time, %s a minute", c.Queue.AtOnce, c.Queue.PerMinute))
	}
	if len(parts) == 0 {
		return "nothing to change"
	}
	return strings.Join(parts, ", ")
}
