package app

import (
	"bytes"
	"testing"
)

// What the CLI prints keeps its text, tabs and newlines and loses the
// controls a terminal would act on.
func TestTermSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain\tline\n":                           "plain\tline\n",
		"ANSI \x1b]0;PWNED\x07\x1b[2Jdone\n":      "ANSI ]0;PWNED[2Jdone\n",
		"over\rwrite\x7f and \u009b31m C1, ü é\n": "overwrite and 31m C1, ü é\n",
		"": "",
	} {
		var b bytes.Buffer
		n, err := termSafe{&b}.Write([]byte(in))
		if err != nil || n != len(in) || b.String() != want {
			t.Errorf("Write(%q) = %d, %v, wrote %q; want %q", in, n, err, b.String(), want)
		}
	}
}
