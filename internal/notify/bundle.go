package notify

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bundle merges messages for one destination into one: a person paged about
// forty alerts in one minute gets one message listing them, not forty.
func Bundle(msgs []Message) Message {
	if len(msgs) == 1 {
		return msgs[0]
	}
	out := Message{Kind: msgs[0].Kind, URL: msgs[0].URL, At: msgs[len(msgs)-1].At, Service: msgs[0].Service}
	seen := map[string]bool{}
	var titles, texts []string
	for _, m := range msgs {
		out.Kind = moreUrgent(out.Kind, m.Kind)
		out.Step = max(out.Step, m.Step)
		if m.Service != out.Service {
			out.Service = ""
		}
		if m.Handoff != nil && out.Handoff == nil {
			out.Handoff = m.Handoff
		}
		for _, a := range m.Alerts {
			key := fmt.Sprint(a.ID, a.Status)
			if !seen[key] {
				seen[key] = true
				out.Alerts = append(out.Alerts, a)
			}
		}
		titles = append(titles, m.Title)
		texts = append(texts, m.Title+"\n"+m.Text)
	}
	out.Title = fmt.Sprintf("%d notifications: %s", len(msgs), strings.Join(titles, "; "))
	if len(out.Title) > 300 {
		cut := 297
		for cut > 0 && !utf8.RuneStart(out.Title[cut]) {
			cut-- // never split a character
		}
		out.Title = out.Title[:cut] + "..."
	}
	out.Text = strings.Join(texts, "\n\n")
	return out
}

// moreUrgent orders kinds by how much they ask of the reader.
func moreUrgent(a, b Kind) Kind {
	rank := map[Kind]int{KindEscalation: 6, KindFiring: 5, KindReminder: 4, KindHandoff: 3, KindIncident: 3, KindRunbook: 3, KindResolved: 2, KindTest: 1}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
