package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a timestamp may be from the receiver's clock
// when Verify is given no tolerance: room for clock skew and retries in
// flight, short enough that a captured request is soon useless.
const DefaultTolerance = 5 * time.Minute

// Errors Verify returns. A receiver should answer all of them with 401 and
// no detail.
var (
	ErrNoSignature  = errors.New("webhook: missing signature or timestamp")
	ErrBadTimestamp = errors.New("webhook: timestamp malformed or outside tolerance")
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrNoSecret     = errors.New("webhook: no secret to verify with")
)

const scheme = "sha256="

// Sign returns the X-Vigil-Signature value for body sent at timestamp (Unix
// seconds, as in X-Vigil-Timestamp).
func Sign(secret, timestamp string, body []byte) string {
	return scheme + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a request Vigil signed: timestamp and signature are the
// X-Vigil-Timestamp and X-Vigil-Signature headers, body the raw request body
// (before any JSON decoding), now the receiver's clock. The timestamp must be
// within tolerance of now in either direction (DefaultTolerance when
// tolerance <= 0). The signature header may list several signatures
// separated by commas, so a secret can be rotated; one match is enough. The
// comparison takes constant time.
func Verify(secret, timestamp string, body []byte, signature string, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		// Anyone can compute an HMAC with an empty key.
		return ErrNoSecret
	}
	if timestamp == "" || signature == "" {
		return ErrNoSignature
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if skew := now.Sub(time.Unix(secs, 0)); skew > tolerance || skew < -tolerance {
		return ErrBadTimestamp
	}
	want := mac(secret, timestamp, body)
	for _, sig := range strings.Split(signature, ",") {
		got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(sig), scheme))
		if err == nil && strings.HasPrefix(strings.TrimSpace(sig), scheme) && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrBadSignature
}
