package capacity

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// checkSpec checks what the arithmetic does not: names, images and ports,
// which end up in the manifest.
func (p *planner) checkSpec(s Spec) {
	if s.Deployment.Name == "" {
		p.bad("deployment.name", "is required")
	} else if len(validation.IsDNS1123Subdomain(s.Deployment.Name)) > 0 {
		p.bad("deployment.name", "%q is not a valid Kubernetes name (lowercase letters, digits, '-' and '.')", s.Deployment.Name)
	}
	for k, v := range s.Deployment.Labels {
		if len(validation.IsQualifiedName(k)) > 0 || len(validation.IsValidLabelValue(v)) > 0 {
			p.bad("deployment.labels."+k, "%s=%s is not a valid Kubernetes label", k, v)
		}
	}
	if len(s.Components) == 0 {
		p.bad("components", "list at least one component")
	}
	if len(s.Components) > maxComponents {
		p.bad("components", "has %d; at most %d", len(s.Components), maxComponents)
	}
	seen := map[string]bool{}
	for i, c := range s.Components {
		path := yamldoc.Index("components", i)
		switch {
		case c.Name == "":
			p.bad(path+".name", "is required")
		case len(validation.IsDNS1123Label(c.Name)) > 0:
			p.bad(path+".name", "%q is not a valid container name (an RFC 1123 label: lowercase letters, digits and '-')", c.Name)
		case seen[c.Name]:
			p.bad(path+".name", "%q is listed twice", c.Name)
		}
		seen[c.Name] = true
		if c.Image != "" {
			if msg := unpinned(c.Image); msg != "" {
				p.bad(path+".image", "%s", msg)
			}
		}
		if len(c.Ports) > 100 {
			p.bad(path+".ports", "has %d; at most 100", len(c.Ports))
		}
		for j, port := range c.Ports {
			if port < 1 || port > 65535 {
				p.bad(yamldoc.Index(path+".ports", j), "%d is not a port from 1 to 65535", port)
			}
		}
	}
}

// unpinned says why an image would not run the same code every time.
func unpinned(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	tag := ""
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		tag = image[i+1:]
	}
	switch tag {
	case "":
		return "pin a version tag or a digest: an untagged image runs whatever latest is when it is pulled"
	case "latest":
		return "pin a version tag or a digest: :latest runs whatever latest is when it is pulled"
	}
	return ""
}
