package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/errs"
)

// client talks to a running Vigil over its API, as every CLI command but
// serve, config and bench does.
type client struct {
	server string
	token  string
	http   *http.Client
}

// clientFlags adds --server and --token to a command group.
func clientFlags(cmd *cobra.Command, c *client) {
	cmd.PersistentFlags().StringVar(&c.server, "server", "", "Vigil's URL (env VIGIL_SERVER, default http://127.0.0.1:8080)")
	cmd.PersistentFlags().StringVar(&c.token, "token", "", "API token (env VIGIL_TOKEN)")
}

func (c *client) url(path string) string {
	s := c.server
	if s == "" {
		s = os.Getenv("VIGIL_SERVER")
	}
	if s == "" {
		s = defaultServer
	}
	return strings.TrimSuffix(s, "/") + path
}

// defaultServer is where the CLI finds Vigil unless told: where vigil serve
// listens by default.
const defaultServer = "http://127.0.0.1:8080"

// do sends body as JSON and decodes a JSON answer into out (when not nil).
// A non-2xx answer becomes an error carrying the server's message.
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	resp, err := c.send(ctx, method, path, rd, 30*time.Second)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeAnswer(resp, out)
}

// send makes a request with the token and, when the answer is not 2xx,
// returns an error carrying the server's message. timeout 0 means none
// (streams). The caller closes the body.
func (c *client) send(ctx context.Context, method, path string, body io.Reader, timeout time.Duration) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.url(path), body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	tok := c.token
	if tok == "" {
		tok = os.Getenv("VIGIL_TOKEN")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	hc := c.http
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Vigil at %s: %w", c.url(""), err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error    string         `json:"error"`
		Problems []errs.Problem `json:"problems"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		if resp.StatusCode == http.StatusUnauthorized && tok == "" {
			return nil, fmt.Errorf("%s (HTTP %d); pass --token or set VIGIL_TOKEN", e.Error, resp.StatusCode)
		}
		return nil, &apiError{msg: fmt.Sprintf("%s (HTTP %d)", e.Error, resp.StatusCode), problems: e.Problems, status: resp.StatusCode, body: b}
	}
	return nil, fmt.Errorf("%s answered HTTP %d, not as Vigil does: %s (is --server or VIGIL_SERVER right?)",
		c.url(""), resp.StatusCode, shortAnswer(b))
}

// shortAnswer is the start of an answer that is not Vigil's, on one line:
// a whole HTML error page would bury the message.
func shortAnswer(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	if s == "" {
		return "an empty body"
	}
	return strconv.Quote(s)
}

// apiError is an error answer from the server; problems, when the server
// sent them, name each field that is wrong.
type apiError struct {
	msg      string
	problems []errs.Problem
	status   int    // the HTTP status
	body     []byte // the answer, for commands that read more of it
}

func (e *apiError) Error() string { return e.msg }

// decodeAnswer reads a JSON answer into out (when not nil).
func decodeAnswer(resp *http.Response, out any) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// text GETs a path and returns the answer as text (a report, a postmortem).
func (c *client) text(ctx context.Context, path string) (string, error) {
	resp, err := c.send(ctx, "GET", path, nil, 60*time.Second)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return string(b), err
}

// ago prints how long ago t was, for tables.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
