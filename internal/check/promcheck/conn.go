package promcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/secret"
)

// maxResponse bounds how much of one answer from Prometheus is read: a query
// that selects far too many series fails instead of filling memory.
const maxResponse = 16 << 20

// Conn queries one Prometheus server's HTTP API with the headers and bearer
// token config gives; the SLI source and the check kind share it.
type Conn struct {
	api  v1.API
	base string // the URL without credentials, for messages
}

// Dial prepares a connection; nothing is sent until the first query.
func Dial(rawURL string, headers map[string]secret.String, token secret.String) (*Conn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(headers)+1)
	for name, v := range headers {
		h.Set(name, v.Reveal())
	}
	if !token.IsZero() {
		h.Set("Authorization", "Bearer "+token.Reveal())
	}
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute,
		TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: time.Minute}
	c, err := api.NewClient(api.Config{Address: rawURL, RoundTripper: &headerTransport{next: tr, header: h}})
	if err != nil {
		return nil, err
	}
	return &Conn{api: v1.NewAPI(c), base: secret.URL(u.String())}, nil
}

// URL is the server's URL with any password hidden.
func (c *Conn) URL() string { return c.base }

// Query evaluates an instant query at t. The error says what Prometheus
// said (bad_data: parse error ...), or that it could not be reached.
func (c *Conn) Query(ctx context.Context, q string, t time.Time) (model.Value, error) {
	v, _, _, err := c.api.Query(ctx, q, t)
	if err != nil {
		return nil, c.explain(err)
	}
	return v, nil
}

// QueryRange evaluates a range query.
func (c *Conn) QueryRange(ctx context.Context, q string, r v1.Range) (model.Value, error) {
	v, _, _, err := c.api.QueryRange(ctx, q, r)
	if err != nil {
		return nil, c.explain(err)
	}
	return v, nil
}

func (c *Conn) explain(err error) error {
	var pe *v1.Error
	if errors.As(err, &pe) {
		msg := pe.Msg
		if msg == "" {
			msg = pe.Detail
		}
		return fmt.Errorf("prometheus %s: %s: %s", c.base, pe.Type, strings.TrimSpace(msg))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is said once, without its password
	}
	return fmt.Errorf("prometheus %s: %v", c.base, err)
}

// Sample is one series of an answer, for conditions: series[0].labels.pod.
type Sample struct {
	Labels map[string]string `expr:"labels" json:"labels"`
	Value  float64           `expr:"value" json:"value"`
}

// Samples flattens an instant answer into samples ordered by their labels,
// so "the first sample" is the same one every time. A range vector answers
// with each series' latest point.
func Samples(v model.Value) ([]Sample, error) {
	var out []Sample
	switch x := v.(type) {
	case model.Vector:
		for _, s := range x {
			out = append(out, Sample{Labels: labelMap(s.Metric), Value: float64(s.Value)})
		}
	case model.Matrix:
		for _, s := range x {
			if n := len(s.Values); n > 0 {
				out = append(out, Sample{Labels: labelMap(s.Metric), Value: float64(s.Values[n-1].Value)})
			}
		}
	case *model.Scalar:
		out = append(out, Sample{Labels: map[string]string{}, Value: float64(x.Value)})
	case nil:
	default:
		return nil, fmt.Errorf("the query answers a %s, not a number or vector", v.Type())
	}
	sort.SliceStable(out, func(i, j int) bool { return labelKey(out[i].Labels) < labelKey(out[j].Labels) })
	return out, nil
}

func labelMap(m model.Metric) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}

func labelKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + l[k] + ",")
	}
	return b.String()
}

// headerTransport adds config's headers to every request and caps answers.
type headerTransport struct {
	next   http.RoundTripper
	header http.Header
}

func (t *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.header {
		r.Header[k] = v
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxResponse}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("answer larger than %d MiB; select fewer series", maxResponse>>20)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
