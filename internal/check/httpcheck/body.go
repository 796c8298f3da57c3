package httpcheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// readBody reads the whole body, but never more than maxBody bytes: a larger
// or endless body fails the probe. The bytes are kept only when a condition
// reads body or json; otherwise they go to io.Discard, which allocates nothing.
func (p *prober) readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength > p.maxBody && resp.Body != http.NoBody {
		return nil, p.tooLarge()
	}
	limited := &io.LimitedReader{R: resp.Body, N: p.maxBody + 1}
	var buf bytes.Buffer
	var err error
	if p.keepBody || p.json != jsonSkip {
		if n := resp.ContentLength; n > 0 {
			buf.Grow(int(n) + bytes.MinRead) // room to read EOF without growing again
		}
		_, err = buf.ReadFrom(limited)
	} else {
		_, err = io.Copy(io.Discard, limited)
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, errors.New("reading response body: the server closed the connection before the body was complete")
	case err != nil:
		return nil, fmt.Errorf("reading response body: %w", err)
	case limited.N == 0:
		return nil, p.tooLarge()
	}
	return buf.Bytes(), nil
}

func (p *prober) tooLarge() error {
	return fmt.Errorf("response body exceeds %s limit (max_body)", formatSize(p.maxBody))
}

// formatSize prints a byte count as people choose limits: 1 MiB, 512 KiB, 1000 bytes.
func formatSize(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	switch {
	case n >= mib && n%mib == 0:
		return strconv.FormatInt(n/mib, 10) + " MiB"
	case n >= mib:
		return strconv.FormatFloat(float64(n)/mib, 'f', 1, 64) + " MiB"
	case n >= kib && n%kib == 0:
		return strconv.FormatInt(n/kib, 10) + " KiB"
	case n >= kib:
		return strconv.FormatFloat(float64(n)/kib, 'f', 1, 64) + " KiB"
	case n == 1:
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
