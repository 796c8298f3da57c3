package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, "services:\n  - id: shop\n    checks: [{id: db, tcp: {address: '127.0.0.1:5432'}}]\n")
	code, out, _ := runCLI(t, "config", "check", good)
	if code != 0 || out != good+": ok (1 services, 1 checks, 0 runbooks)\n" {
		t.Fatalf("good: %d %q", code, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "services:\n  - id: shop\n    checks:\n      - {id: db, tcp: {address: '127.0.0.1:5432'}, every: soon}\n      - {id: web, http: {url: 'http://x/'}, expect: ['status = 200']}\n")
	code, out, errOut := runCLI(t, "config", "check", bad)
	want := bad + `:4:59: services[0].checks[0].every: invalid duration "soon" (use a number and a unit: ms, s, m, h, d, w, e.g. 30s, 5m, 14d)
` + bad + `:5:62: services[0].checks[1].expect[0]: unexpected token Operator("=")
`
	if code != 1 || out != want || errOut != "2 problem(s) found\n" {
		t.Fatalf("bad: %d\n%s\nwant\n%s\nstderr %q", code, out, want, errOut)
	}
	code, out, _ = runCLI(t, "config", "check")
	if code != 0 || !strings.Contains(out, "built in): ok (1 services, 5 checks") {
		t.Fatalf("built-in example: %d %q", code, out)
	}
	code, _, errOut = runCLI(t, "config", "check", filepath.Join(dir, "missing.yaml"))
	if code != 1 || !strings.Contains(errOut, "no such file or directory") {
		t.Fatalf("missing file: %d %q", code, errOut)
	}
}

func TestConfigSchemaAndDump(t *testing.T) {
	code, out, _ := runCLI(t, "config", "schema")
	var schema map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &schema) != nil || schema["title"] != "Vigil configuration" {
		t.Fatalf("schema: %d %.200s", code, out)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "c.yaml")
	writeFile(t, f, "global: {store: 'postgres://vigil:pg-s3cret@db/vigil'}\ntokens: [{id: t, secret: t0k3n-s3cret, scopes: [read]}]\nservices: [{id: s, checks: [{id: c, tcp: {address: 'h:1'}}]}]\n")
	code, out, _ = runCLI(t, "config", "dump", f)
	if code != 0 || strings.Contains(out, "s3cret") {
		t.Fatalf("dump: %d, leaks a secret:\n%s", code, out)
	}
	mustContain(t, "dump", out, "store: postgres://vigil:xxxxx@db/vigil", "secret: <redacted>", "fail_after: 2", "every: 1m")
}

func TestHelpTeaches(t *testing.T) {
	code, out, _ := runCLI(t, "--help")
	mustContain(t, "root help", out, "vigil serve", "vigil config check", "completion", "Available Commands")
	if code != 0 {
		t.Fatal(code)
	}
	_, out, _ = runCLI(t, "serve", "--help")
	mustContain(t, "serve help", out, "--config", "--listen", "--store", "SIGHUP", "Examples:", "built-in example")
	code, out, _ = runCLI(t, "completion", "bash")
	if code != 0 || !strings.Contains(out, "bash completion") {
		t.Fatalf("completion: %d", code)
	}
	code, out, _ = runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "vigil ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, _, errOut := runCLI(t, "serve", "--bogus")
	if code != 1 || !strings.Contains(errOut, "unknown flag: --bogus") {
		t.Fatalf("bad flag: %d %q", code, errOut)
	}
}

// TestConfigSecretsInDumpAndCheck: a Postgres password given as a DSN
// parameter and a key in a check URL's query stay out of config dump, and
// an unreadable secret file is one problem, not also a missing secret.
func TestConfigSecretsInDumpAndCheck(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.yaml")
	writeFile(t, f, `global: {store: 'postgres://vigil@db/vigil?sslmode=disable&password=pg-s3cret&sslpassword=pg-s3cret'}
services: [{id: s, checks: [{id: c, http: {url: 'https://api.example.com/health?api_key=k3y-s3cret'}}]}]
`)
	code, out, _ := runCLI(t, "config", "dump", f)
	if code != 0 || strings.Contains(out, "s3cret") {
		t.Fatalf("dump: %d, leaks a secret:\n%s", code, out)
	}
	mustContain(t, "dump", out, "store: postgres://vigil@db/vigil?sslmode=disable&password=xxxxx&sslpassword=xxxxx",
		"url: https://api.example.com/health?api_key=xxxxx")

	writeFile(t, f, "tokens: [{id: t, secret_file: missing.token, scopes: [read]}]\n")
	code, out, errOut := runCLI(t, "config", "check", f)
	want := f + ":1:31: tokens[0].secret_file: cannot read secret file: open " + filepath.Join(dir, "missing.token") + ": no such file or directory\n"
	if code != 1 || out != want || errOut != "1 problem(s) found\n" {
		t.Fatalf("check: %d\n%s\nwant\n%s\nstderr %q", code, out, want, errOut)
	}
}

// A word that names no command of a group fails, as at the top level, with
// a suggestion when one is close: a typo in CI must not pass as a no-op.
func TestUnknownSubcommandFails(t *testing.T) {
	for args, want := range map[string]string{
		"config chek x.yaml":    `unknown command "chek" for "vigil config"; did you mean check?`,
		"toil item bogus":       `unknown command "bogus" for "vigil toil item"`,
		"oncall override lst":   `unknown command "lst" for "vigil oncall override"; did you mean list?`,
		"incident declar title": `unknown command "declar" for "vigil incident"; did you mean declare?`,
	} {
		code, out, errOut := runCLI(t, strings.Fields(args)...)
		if code == 0 || !strings.Contains(errOut, want) || out != "" {
			t.Errorf("vigil %s: exit %d, stdout %q, stderr %q; want a failure saying %q", args, code, out, errOut, want)
		}
	}
	if code, out, _ := runCLI(t, "config"); code != 0 || !strings.Contains(out, "Available Commands") {
		t.Errorf("vigil config alone: exit %d, %q; want its help", code, out)
	}
}

// Pointed at a server that is not Vigil, the CLI says so in a line, with
// the start of the answer, rather than pouring out an HTML page.
func TestCLIAgainstAnotherServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprint(w, "<!DOCTYPE html>\n<html><body>\n<h1>Unsupported method</h1>"+strings.Repeat("<p>padding</p>\n", 200)+"</body></html>")
	}))
	defer srv.Close()
	code, _, errOut := runCLI(t, "alert", "list", "--server", srv.URL, "--token", "t")
	if code == 0 || !strings.Contains(errOut, srv.URL+" answered HTTP 501, not as Vigil does") ||
		!strings.Contains(errOut, "is --server or VIGIL_SERVER right?") || len(errOut) > 400 || strings.Count(errOut, "\n") > 1 {
		t.Fatalf("exit %d, stderr (%d bytes):\n%s", code, len(errOut), errOut)
	}
}
