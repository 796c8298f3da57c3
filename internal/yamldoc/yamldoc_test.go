package yamldoc

import (
	"strings"
	"testing"
)

type inner struct {
	Port int    `yaml:"port"`
	Host string `yaml:"host"`
}

type outer struct {
	Name  string           `yaml:"name"`
	Items []inner          `yaml:"items"`
	ByKey map[string]inner `yaml:"by_key"`
}

// TestDecodeReportsEveryUnknownField: unknown keys anywhere (lists, maps)
// come back together, located, with the field meant when it is close.
func TestDecodeReportsEveryUnknownField(t *testing.T) {
	src := "Name: x\nitems:\n  - {port: 1, hots: a}\nby_key:\n  a: {prot: 2}\nextra: true\n"
	d, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var v outer
	err = d.Decode(&v)
	want := strings.Join([]string{
		`f.yaml:1:1: Name: unknown field "Name"; did you mean "name"?`,
		`f.yaml:3:15: items[0].hots: unknown field "hots"; did you mean "host"?`,
		`f.yaml:5:7: by_key.a.prot: unknown field "prot"; did you mean "port"?`,
		`f.yaml:6:1: extra: unknown field "extra"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}

// TestDecodeLocatesTypeErrors and problems found later by field path.
func TestDecodeLocatesTypeErrors(t *testing.T) {
	d, err := Parse("f.yaml", []byte("name: x\nitems:\n  - port: many\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v outer
	err = d.Decode(&v)
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:3:11: items[0].port: ") {
		t.Fatalf("type error: %v", err)
	}
	located := d.Locate(Problems{{Field: "items[0].port", Message: "bad"}, {Field: "items[3].host", Message: "missing"}, {Field: "name", Message: "x"}})
	if got := located.Error(); got != "f.yaml:1:7: name: x\nf.yaml:2:1: items[3].host: missing\nf.yaml:3:11: items[0].port: bad" {
		t.Fatalf("located:\n%s", got)
	}
}

func TestParseRefusesSeveralDocuments(t *testing.T) {
	if _, err := Parse("f.yaml", []byte("a: 1\n---\nb: 2\n")); err == nil || !strings.Contains(err.Error(), "f.yaml:3:1: only one YAML document") {
		t.Fatalf("%v", err)
	}
	if docs, err := ParseAll("f.yaml", []byte("a: 1\n---\nb: 2\n")); err != nil || len(docs) != 2 {
		t.Fatalf("ParseAll: %d, %v", len(docs), err)
	}
}
