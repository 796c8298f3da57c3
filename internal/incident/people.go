package incident

import (
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/config"
)

// personProblem says why id is not a configured person ("" when it is):
// a role given to a typo would read as filled while nobody holds it.
func personProblem(cfg *config.Config, field, id string) string {
	if cfg != nil {
		for _, p := range cfg.People {
			if p.ID == id {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s: unknown person %q (not in the config's people)", field, id)
}

// ownerProblem says why owner is not a configured person or team: an owner
// is a person id, a team id, or either written person/ID or team/ID.
func ownerProblem(cfg *config.Config, owner string) string {
	kind, id, ok := strings.Cut(owner, "/")
	if !ok {
		kind, id = "", owner
	}
	if cfg != nil {
		if kind == "" || kind == "person" {
			for _, p := range cfg.People {
				if p.ID == id {
					return ""
				}
			}
		}
		if kind == "" || kind == "team" {
			for _, t := range cfg.Teams {
				if t.ID == id {
					return ""
				}
			}
		}
	}
	return fmt.Sprintf("owner: unknown person or team %q (write a person id, a team id, person/ID or team/ID)", owner)
}
