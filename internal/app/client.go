package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
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
		s = "http://127.0.0.1:8080"
	}
	return strings.TrimSuffix(s, "/") + path
}

// do sends a request and decodes a JSON answer into out. A non-2xx answer
// becomes an error carrying the server's message.
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path), rd)
	if err != nil {
		return err
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
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach Vigil at %s: %w", c.url(""), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
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
