package release

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/release/manifest"
)

// Diff says what changed from the previous release to this one:
// stakeholders who joined or left a role, the mix of tickets, and in the
// manifests replicas, containers, images, requests and limits.
func Diff(prev, cur Release) []string {
	var out []string
	out = append(out, stakeholderDiff(prev.Stakeholders, cur.Stakeholders)...)
	if a, b := kindCounts(prev.CodeChanges), kindCounts(cur.CodeChanges); a != b {
		out = append(out, fmt.Sprintf("Code changes: %s (%s had %s)", b, prev.Name, a))
	}
	out = append(out, workloadDiff(workloads(prev), workloads(cur))...)
	return out
}

func memberKey(m Member) string { return cmpOr(m.Ref, m.Name) }

func stakeholderDiff(prev, cur []Group) []string {
	members := func(gs []Group) map[string][]Member {
		out := map[string][]Member{}
		for _, g := range gs {
			out[g.Role] = g.Members
		}
		return out
	}
	a, b := members(prev), members(cur)
	roles := slices.Sorted(maps.Keys(a))
	for r := range b {
		if _, ok := a[r]; !ok {
			roles = append(roles, r)
		}
	}
	var out []string
	for _, role := range orderRoles(roles) {
		has := func(ms []Member, m Member) bool {
			return slices.ContainsFunc(ms, func(x Member) bool { return memberKey(x) == memberKey(m) })
		}
		var parts []string
		for _, m := range b[role] {
			if !has(a[role], m) {
				parts = append(parts, m.Name+" added")
			}
		}
		for _, m := range a[role] {
			if !has(b[role], m) {
				parts = append(parts, m.Name+" removed")
			}
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("Stakeholders, %s: %s", RoleTitle(role), strings.Join(parts, ", ")))
		}
	}
	return out
}

func orderRoles(roles []string) []string {
	var out []string
	for _, r := range roleOrder {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	rest := slices.DeleteFunc(slices.Clone(roles), func(r string) bool { return slices.Contains(roleOrder, r) })
	slices.Sort(rest)
	return slices.Compact(append(out, rest...))
}

func kindCounts(ts []Ticket) string {
	if len(ts) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range Kinds {
		n := 0
		for _, t := range ts {
			if t.Kind == k {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	return strings.Join(parts, ", ")
}

type workload struct {
	key string // kind/name
	s   manifest.Summary
}

func workloads(r Release) []workload {
	var out []workload
	for _, m := range r.Manifests {
		for _, w := range m.Workloads {
			out = append(out, workload{w.Kind + " " + w.Name, w})
		}
	}
	return out
}

func workloadDiff(prev, cur []workload) []string {
	var out []string
	find := func(ws []workload, key string) *manifest.Summary {
		for i := range ws {
			if ws[i].key == key {
				return &ws[i].s
			}
		}
		return nil
	}
	for _, w := range cur {
		p := find(prev, w.key)
		if p == nil {
			out = append(out, fmt.Sprintf("%s %s added", w.s.Kind, w.s.Name))
			continue
		}
		out = append(out, summaryDiff(w.s.Name, *p, w.s)...)
	}
	for _, w := range prev {
		if find(cur, w.key) == nil {
			out = append(out, fmt.Sprintf("%s %s removed", w.s.Kind, w.s.Name))
		}
	}
	return out
}

func replicasText(n *int64) string {
	if n == nil {
		return "not set (1)"
	}
	return fmt.Sprint(*n)
}

func summaryDiff(name string, a, b manifest.Summary) []string {
	var out []string
	if ra, rb := replicasText(a.Replicas), replicasText(b.Replicas); ra != rb {
		out = append(out, fmt.Sprintf("%s: replicas %s → %s", name, ra, rb))
	}
	find := func(cs []manifest.Container, n string) *manifest.Container {
		for i := range cs {
			if cs[i].Name == n {
				return &cs[i]
			}
		}
		return nil
	}
	for _, c := range b.Containers {
		p := find(a.Containers, c.Name)
		if p == nil {
			out = append(out, fmt.Sprintf("%s: container %s added (%s)", name, c.Name, containerText(c)))
			continue
		}
		if p.Image != c.Image {
			out = append(out, fmt.Sprintf("%s: container %s image %s → %s", name, c.Name, p.Image, c.Image))
		}
		out = append(out, resourceDiff(name, c.Name, "request", p.Requests, c.Requests)...)
		out = append(out, resourceDiff(name, c.Name, "limit", p.Limits, c.Limits)...)
	}
	for _, c := range a.Containers {
		if find(b.Containers, c.Name) == nil {
			out = append(out, fmt.Sprintf("%s: container %s removed", name, c.Name))
		}
	}
	return out
}

func resourceDiff(workload, container, what string, a, b map[string]string) []string {
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range slices.Compact(keys) {
		va, vb := cmpOr(a[k], "none"), cmpOr(b[k], "none")
		if va != vb {
			out = append(out, fmt.Sprintf("%s: container %s %s %s %s → %s", workload, container, k, what, va, vb))
		}
	}
	return out
}

func containerText(c manifest.Container) string {
	parts := []string{cmpOr(c.Image, "no image")}
	if len(c.Requests) > 0 {
		parts = append(parts, "requests "+resourceText(c.Requests))
	}
	if len(c.Limits) > 0 {
		parts = append(parts, "limits "+resourceText(c.Limits))
	}
	return strings.Join(parts, "; ")
}

func resourceText(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+" "+m[k])
	}
	return strings.Join(parts, ", ")
}

// RoleTitle is how the as-built document heads a role.
func RoleTitle(role string) string {
	switch role {
	case "sre", "qa", "dba":
		return strings.ToUpper(role)
	case "":
		return ""
	}
	t := strings.ReplaceAll(role, "_", " ")
	return strings.ToUpper(t[:1]) + t[1:]
}
