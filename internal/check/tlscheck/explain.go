package tlscheck

import (
	"crypto/x509"
	"errors"
	"strings"
	"time"
)

// Explain rewrites a certificate verification failure as the sentence an
// on-call engineer needs on the status page ("TLS certificate expired at ...").
// The original error stays wrapped for errors.As; any other error is returned
// unchanged. The http check uses it too, so both kinds word failures alike.
func Explain(err error, now time.Time) error {
	var (
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		msg     string
	)
	switch {
	case errors.As(err, &unknown):
		msg = "TLS certificate is signed by an unknown authority"
		if c := unknown.Cert; c != nil {
			if c.Issuer.String() == c.Subject.String() {
				msg = "TLS certificate is self-signed and not trusted (" + c.Subject.String() + ")"
			} else {
				msg += " (issuer " + c.Issuer.String() + ")"
			}
		}
	case errors.As(err, &host):
		// x509 words names and IP addresses differently: "certificate is
		// valid for ..., not ..." and "cannot validate certificate for ...".
		if m := host.Error(); strings.HasPrefix(m, "x509: certificate ") {
			msg = "TLS certificate " + strings.TrimPrefix(m, "x509: certificate ")
		} else {
			msg = "TLS certificate does not match: " + strings.TrimPrefix(m, "x509: ")
		}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil:
		if c := invalid.Cert; now.After(c.NotAfter) {
			msg = "TLS certificate expired at " + c.NotAfter.UTC().Format(time.RFC3339)
		} else {
			msg = "TLS certificate is not valid until " + c.NotBefore.UTC().Format(time.RFC3339)
		}
	case errors.As(err, &invalid):
		msg = "TLS certificate is invalid: " + strings.TrimPrefix(invalid.Error(), "x509: ")
	default:
		return err
	}
	return &explained{msg: msg, err: err}
}

type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }
