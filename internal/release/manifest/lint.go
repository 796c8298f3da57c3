package manifest

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// hints say what a misspelt key does to what runs.
var hints = map[string]string{
	"spec.Replicas": "as written, Kubernetes runs 1 replica",
}

// Lint reviews every Deployment in a manifest file and returns what is
// wrong, each at file:line:col: keys in the wrong case or unknown, invalid
// quantities, container names that are not RFC 1123 labels, images that are
// untagged or :latest, missing requests or limits, limits below requests,
// and a selector that does not match the pod template's labels. Documents
// of other kinds are not reviewed. A syntax error is the only problem
// reported for a file that does not parse.
func Lint(name string, data []byte) yamldoc.Problems {
	docs, err := yamldoc.ParseAll(name, data)
	if err != nil {
		return err.(yamldoc.Problems)
	}
	var ps yamldoc.Problems
	for _, d := range docs {
		ps = append(ps, lintDoc(d)...)
	}
	return ps
}

func lintDoc(d *yamldoc.Doc) yamldoc.Problems {
	obj := tree(d)
	if obj == nil {
		return yamldoc.Problems{d.Problem("", "a manifest is a mapping with apiVersion, kind, metadata and spec")}
	}
	kind := str(obj, "kind")
	if kind != "Deployment" {
		return nil
	}
	l := &linter{d: d}
	for _, p := range yamldoc.Unknown(d, d.Body, "", reflect.TypeFor[appsv1.Deployment](), "json") {
		if h, ok := hints[p.Field]; ok {
			p.Message += " (" + h + ")"
		}
		l.ps = append(l.ps, p)
	}
	if v := str(obj, "apiVersion"); v != "apps/v1" && !l.reported("apiVersion") && d.Has("apiVersion") {
		l.bad("apiVersion", "a Deployment is apps/v1, not %q", v)
	} else if !d.Has("apiVersion") && !l.misspelt("apiVersion") {
		l.bad("apiVersion", "is required: apps/v1")
	}
	meta := object(obj, "metadata")
	if n := str(meta, "name"); n == "" {
		l.bad("metadata.name", "is required")
	} else if errs := validation.IsDNS1123Subdomain(n); len(errs) > 0 {
		l.bad("metadata.name", "%q is not a valid name (lowercase letters, digits, '-' and '.'); did you mean %q?", n, dnsLabel(n))
	}
	spec := object(obj, "spec")
	l.selector(spec)
	seen := map[string]bool{}
	for i, c := range containers(obj) {
		l.container(yamldoc.Index("spec.template.spec.containers", i), c, seen)
	}
	l.ps.Sort()
	return l.ps
}

type linter struct {
	d  *yamldoc.Doc
	ps yamldoc.Problems
}

func (l *linter) bad(field, format string, args ...any) {
	l.ps = append(l.ps, l.d.Problem(field, format, args...))
}

func (l *linter) reported(field string) bool {
	for _, p := range l.ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// misspelt reports whether a key written in another case stands for field.
func (l *linter) misspelt(field string) bool {
	for _, p := range l.ps {
		if strings.EqualFold(p.Field, field) {
			return true
		}
	}
	return false
}

func (l *linter) selector(spec map[string]any) {
	if spec == nil {
		return
	}
	sel := object(object(spec, "selector"), "matchLabels")
	labels := object(object(object(spec, "template"), "metadata"), "labels")
	if object(spec, "selector") == nil {
		if !l.misspelt("spec.selector") {
			l.bad("spec.selector", "is required in apps/v1: match the pod template's labels")
		}
		return
	}
	for _, k := range sortedKeys(sel) {
		if got, ok := labels[k]; !ok || fmt.Sprint(got) != fmt.Sprint(sel[k]) {
			l.bad("spec.selector.matchLabels."+k, "%s=%v does not match the pod template's labels (%s); Kubernetes refuses the Deployment",
				k, sel[k], labelText(labels))
		}
	}
}

func labelText(m map[string]any) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func (l *linter) container(path string, c map[string]any, seen map[string]bool) {
	name := str(c, "name")
	switch {
	case name == "":
		l.bad(path+".name", "is required")
	case len(validation.IsDNS1123Label(name)) > 0:
		l.bad(path+".name", "%q is not a valid container name (an RFC 1123 label: lowercase letters, digits and '-'); did you mean %q?", name, dnsLabel(name))
	case seen[name]:
		l.bad(path+".name", "%q is already the name of another container", name)
	}
	seen[name] = true
	l.image(path+".image", str(c, "image"))
	res := object(c, "resources")
	requests, limits := l.quantities(path+".resources.requests", object(res, "requests")), l.quantities(path+".resources.limits", object(res, "limits"))
	switch {
	case object(res, "requests") == nil:
		l.bad(path+".resources", "no requests: set cpu and memory so the scheduler places the pod where it fits")
	default:
		for _, r := range []string{"cpu", "memory"} {
			if _, ok := object(res, "requests")[r]; !ok {
				l.bad(path+".resources.requests", "no %s request", r)
			}
		}
	}
	switch {
	case object(res, "limits") == nil:
		l.bad(path+".resources", "no limits: set memory and cpu limits so one container cannot starve the node")
	default:
		for _, r := range []string{"cpu", "memory"} {
			if _, ok := object(res, "limits")[r]; !ok {
				l.bad(path+".resources.limits", "no %s limit", r)
			}
		}
	}
	for r, lim := range limits {
		if req, ok := requests[r]; ok && lim.Cmp(req) < 0 {
			l.bad(path+".resources.limits."+r, "limit %s is below the request %s; Kubernetes refuses it", lim.String(), req.String())
		}
	}
}

func (l *linter) quantities(path string, m map[string]any) map[string]resource.Quantity {
	out := map[string]resource.Quantity{}
	for _, k := range sortedKeys(m) {
		q, err := ParseQuantity(k, str(m, k))
		if err != nil {
			l.bad(path+"."+k, "%v", err)
			continue
		}
		out[k] = q
	}
	return out
}

var digestRef = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

func (l *linter) image(path, image string) {
	if image == "" {
		l.bad(path, "is required")
		return
	}
	if digestRef.MatchString(image) {
		return
	}
	repo, tag := image, ""
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		repo, tag = image[:i], image[i+1:]
	}
	switch tag {
	case "":
		l.bad(path, "%q has no tag, so it runs whatever latest is when the node pulls it; pin a version (%s:1.2.3) or a digest", image, repo)
	case "latest":
		l.bad(path, "%q runs whatever latest is when the node pulls it; pin a version (%s:1.2.3) or a digest", image, repo)
	}
}

var upperRun = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// dnsLabel suggests a valid name: mainApp → main-app, order_processor → order-processor.
func dnsLabel(s string) string {
	s = upperRun.ReplaceAllString(s, "$1-$2")
	s = strings.ToLower(s)
	s = regexp.MustCompile(`[^a-z0-9.-]+`).ReplaceAllString(s, "-")
	return strings.Trim(s, "-.")
}
