package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/auth/password"
	"github.com/vigil-sre/vigil/internal/config"
)

// TestUserPasswd: the printed hash verifies the password, the snippet is
// config Vigil accepts, and the password itself is never printed.
func TestUserPasswd(t *testing.T) {
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetIn(strings.NewReader("correct horse battery\nignored second line\n"))
	root.SetArgs([]string{"user", "passwd", "glen", "--stdin"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), "correct horse") {
		t.Fatal("the password was printed")
	}
	hash := strings.SplitN(out.String(), "\n", 2)[0]
	if !password.Verify(hash, "correct horse battery") {
		t.Fatalf("the hash %q does not verify the password", hash)
	}
	snippet := out.String()[strings.Index(out.String(), "  - id: glen"):]
	cfg, err := config.Parse("snippet.yaml", []byte("people:\n"+snippet), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatalf("the snippet is not valid config: %v\n%s", err, snippet)
	}
	if cfg.People[0].ID != "glen" || !password.Verify(cfg.People[0].PasswordHash.Reveal(), "correct horse battery") {
		t.Fatalf("the snippet's person: %+v", cfg.People[0])
	}

	// Too short, and no terminal without --stdin.
	for _, c := range []struct {
		args  []string
		in    string
		wants string
	}{
		{[]string{"user", "passwd", "--stdin"}, "short\n", "at least 8 characters"},
		{[]string{"user", "passwd"}, "", "not a terminal; pass --stdin"},
	} {
		var o, e bytes.Buffer
		root := newRoot(&o, &e)
		root.SetIn(strings.NewReader(c.in))
		root.SetArgs(c.args)
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}
