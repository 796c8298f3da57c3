// Package manifest reviews Kubernetes manifests the way a careful reviewer
// would (Lint) and reads the parts of a Deployment that a release record
// compares between releases (Summarize).
package manifest

import (
	"fmt"
	"sort"

	"github.com/goccy/go-yaml"

	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// Summary is what a release record keeps of one workload in a manifest, as
// written (keys matched exactly, as Kubernetes matches them).
type Summary struct {
	Kind       string      `json:"kind"`
	APIVersion string      `json:"api_version,omitempty"`
	Name       string      `json:"name"`
	Namespace  string      `json:"namespace,omitempty"`
	Replicas   *int64      `json:"replicas,omitempty"` // nil: not set (Kubernetes runs 1)
	Containers []Container `json:"containers"`
}

// Container is one container of a workload.
type Container struct {
	Name     string            `json:"name"`
	Image    string            `json:"image,omitempty"`
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// Summarize reads every document of a manifest file. Documents that are
// not objects are skipped; syntax errors are Problems.
func Summarize(name string, data []byte) ([]Summary, error) {
	docs, err := yamldoc.ParseAll(name, data)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, d := range docs {
		obj := tree(d)
		if obj == nil {
			continue
		}
		s := Summary{Kind: str(obj, "kind"), APIVersion: str(obj, "apiVersion")}
		meta := object(obj, "metadata")
		s.Name, s.Namespace = str(meta, "name"), str(meta, "namespace")
		spec := object(obj, "spec")
		if n, ok := number(spec["replicas"]); ok {
			s.Replicas = &n
		}
		for _, c := range containers(obj) {
			res := object(c, "resources")
			s.Containers = append(s.Containers, Container{Name: str(c, "name"), Image: str(c, "image"),
				Requests: stringMap(object(res, "requests")), Limits: stringMap(object(res, "limits"))})
		}
		out = append(out, s)
	}
	return out, nil
}

// tree decodes a document into plain maps and lists, or nil if it is not a mapping.
func tree(d *yamldoc.Doc) map[string]any {
	if d.Body == nil {
		return nil
	}
	var v any
	if err := yaml.NodeToValue(d.Body, &v); err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

func object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

func str(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func number(v any) (int64, bool) {
	switch n := v.(type) {
	case uint64:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

func stringMap(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k := range m {
		out[k] = str(m, k)
	}
	return out
}

// containers are the pod template's containers of a workload.
func containers(obj map[string]any) []map[string]any {
	list, _ := object(object(object(obj, "spec"), "template"), "spec")["containers"].([]any)
	var out []map[string]any
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
