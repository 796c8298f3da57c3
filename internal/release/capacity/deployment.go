package capacity

import (
	"encoding/json"
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// KubeDeployment builds the apps/v1 Deployment that carries the plan: one
// container per component with the planned requests as requests and limits,
// and the labels as the selector. It needs every component's image.
func (r Result) KubeDeployment() (*appsv1.Deployment, error) {
	d := r.Input.Deployment
	labels := d.Labels
	if len(labels) == 0 {
		labels = map[string]string{"app": d.Name}
	}
	replicas := int32(r.Replicas)
	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: d.Namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}},
		},
	}
	for i, c := range r.Input.Components {
		if c.Image == "" {
			return nil, fmt.Errorf("components[%d].image: is needed for the manifest", i)
		}
		pl := r.Components[i]
		ct := corev1.Container{Name: c.Name, Image: c.Image}
		for _, p := range c.Ports {
			ct.Ports = append(ct.Ports, corev1.ContainerPort{ContainerPort: p})
		}
		ct.Resources = corev1.ResourceRequirements{Requests: resources(pl.Requests), Limits: resources(pl.Limits)}
		dep.Spec.Template.Spec.Containers = append(dep.Spec.Template.Spec.Containers, ct)
	}
	return dep, nil
}

func resources(m map[string]string) corev1.ResourceList {
	if len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := corev1.ResourceList{}
	for _, k := range names {
		q, err := resource.ParseQuantity(m[k])
		if err != nil {
			return nil
		}
		out[corev1.ResourceName(k)] = q
	}
	return out
}

// Manifest is the Deployment as YAML, written by the Kubernetes libraries.
func (r Result) Manifest() ([]byte, error) {
	dep, err := r.KubeDeployment()
	if err != nil {
		return nil, err
	}
	// Go through JSON to drop what a new object has no use for: an empty
	// status, null creation times and an empty strategy.
	j, err := json.Marshal(dep)
	if err != nil {
		return nil, fmt.Errorf("writing the manifest: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("writing the manifest: %w", err)
	}
	delete(m, "status")
	spec, _ := m["spec"].(map[string]any)
	for _, meta := range []any{m["metadata"], spec["template"].(map[string]any)["metadata"]} {
		delete(meta.(map[string]any), "creationTimestamp")
	}
	if s, ok := spec["strategy"].(map[string]any); ok && len(s) == 0 {
		delete(spec, "strategy")
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("writing the manifest: %w", err)
	}
	return b, nil
}
