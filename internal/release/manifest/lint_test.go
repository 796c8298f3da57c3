package manifest

import (
	"os"
	"strings"
	"testing"
)

// TestSeedDeploymentFiles: the field notes' two deployment files, reviewed
// exactly as testdata/*.lint says (file:line:col, field, message).
func TestSeedDeploymentFiles(t *testing.T) {
	for _, name := range []string{"seed-release-1", "seed-release-2"} {
		src, err := os.ReadFile("testdata/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile("testdata/" + name + ".lint")
		if err != nil {
			t.Fatal(err)
		}
		got := Lint("testdata/"+name+".yaml", src).Error() + "\n"
		if got != string(want) {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
}

const good = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-deployment
spec:
  replicas: 2
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop, tier: web}
    spec:
      containers:
        - name: main-app
          image: registry.local:5000/shop/app:2.0.0
          resources:
            requests: {cpu: 250m, memory: 320Mi}
            limits: {cpu: 500m, memory: 320Mi}
`

// TestLintRules: each rule fires where it should, and a right manifest has
// no problems.
func TestLintRules(t *testing.T) {
	if ps := Lint("good.yaml", []byte(good)); len(ps) != 0 {
		t.Fatalf("good manifest: %v", ps)
	}
	for _, c := range []struct {
		name, from, to string
		want           string
	}{
		{"limit below request", "limits: {cpu: 500m, memory: 320Mi}", "limits: {cpu: 100m, memory: 320Mi}",
			`m.yaml:18:27: spec.template.spec.containers[0].resources.limits.cpu: limit 100m is below the request 250m; Kubernetes refuses it`},
		{"selector does not match", "matchLabels: {app: shop}", "matchLabels: {app: shop-web}",
			`m.yaml:8:24: spec.selector.matchLabels.app: app=shop-web does not match the pod template's labels (app=shop, tier=web); Kubernetes refuses the Deployment`},
		{"untagged image", "registry.local:5000/shop/app:2.0.0", "registry.local:5000/shop/app",
			`m.yaml:15:18: spec.template.spec.containers[0].image: "registry.local:5000/shop/app" has no tag, so it runs whatever latest is when the node pulls it; pin a version (registry.local:5000/shop/app:1.2.3) or a digest`},
		{"memory in millis", "requests: {cpu: 250m, memory: 320Mi}", "requests: {cpu: 250m, memory: 320m}",
			`m.yaml:17:43: spec.template.spec.containers[0].resources.requests.memory: "320m" is 0.320 bytes (m is milli); did you mean 320Mi?`},
		{"no cpu request", "requests: {cpu: 250m, memory: 320Mi}", "requests: {memory: 320Mi}",
			`m.yaml:17:23: spec.template.spec.containers[0].resources.requests: no cpu request`},
		{"misspelt field", "      containers:", "      contianers:",
			`m.yaml:13:7: spec.template.spec.contianers: unknown field "contianers"; did you mean "containers"?`},
		{"old apiVersion", "apiVersion: apps/v1", "apiVersion: extensions/v1beta1",
			`m.yaml:1:13: apiVersion: a Deployment is apps/v1, not "extensions/v1beta1"`},
		{"syntax", "kind: Deployment", "kind: [Deployment",
			`m.yaml:3:1: YAML: ',' or ']' must be specified`},
	} {
		src := strings.Replace(good, c.from, c.to, 1)
		if src == good {
			t.Fatalf("%s: the case changes nothing", c.name)
		}
		got := Lint("m.yaml", []byte(src)).Error()
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	// Other kinds are not reviewed; each document of a stream is.
	stream := "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n---\n" + strings.Replace(good, "main-app", "Main", 1)
	if ps := Lint("s.yaml", []byte(stream)); len(ps) != 1 || ps[0].Line != 18 || !strings.Contains(ps[0].Message, `did you mean "main"`) {
		t.Errorf("stream: %v", ps)
	}
}

func TestParseQuantity(t *testing.T) {
	for in, want := range map[string]string{
		"256mb": `"256mb" is not a Kubernetes quantity; did you mean 256Mi?`,
		"1GB":   `"1GB" is not a Kubernetes quantity; did you mean 1Gi?`,
		"1.5gb": `"1.5gb" is not a Kubernetes quantity; did you mean 1.5Gi?`,
		"lots":  `"lots" is not a Kubernetes quantity (such as 256Mi, 1Gi, 250m or 0.5)`,
		"-1Gi":  `"-1Gi" is negative`,
		"256Mi": "",
	} {
		_, err := ParseQuantity("memory", in)
		if got := ""; err != nil {
			got = err.Error()
			if got != want {
				t.Errorf("%s: %q, want %q", in, got, want)
			}
		} else if want != "" {
			t.Errorf("%s: no error, want %q", in, want)
		}
	}
}
