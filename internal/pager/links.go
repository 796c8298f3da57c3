package pager

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
)

// Links signs and checks the ack and resolve links sent with notifications.
// A link names the alert, the action, who it was sent to and when it
// expires, with an HMAC over the four, so it works without logging in, says
// who acted, and cannot be altered or reused for another alert.
type Links struct {
	key []byte
	ttl time.Duration
}

// NewLinks makes a signer with key, for links valid ttl.
func NewLinks(key []byte, ttl time.Duration) *Links { return &Links{key: key, ttl: ttl} }

// URL is the link for action on alert id sent to who, made at now, under
// base (Vigil's external URL).
func (l *Links) URL(base string, id int64, action alert.Action, who string, now time.Time) string {
	exp := now.Add(l.ttl).Unix()
	return base + "/a/" + strconv.FormatInt(id, 10) + "/" + verb(action) + "?" + url.Values{
		"exp": {strconv.FormatInt(exp, 10)}, "who": {who}, "sig": {l.sign(id, action, who, exp)},
	}.Encode()
}

// Errors Verify returns.
var (
	ErrLinkExpired = errors.New("this link has expired; open the alert in Vigil instead")
	ErrLinkInvalid = errors.New("this link is not valid")
)

// Verify checks a link's expiry and signature at now.
func (l *Links) Verify(id int64, action alert.Action, who string, exp int64, sig string, now time.Time) error {
	if !hmac.Equal([]byte(l.sign(id, action, who, exp)), []byte(sig)) {
		return ErrLinkInvalid
	}
	if now.Unix() > exp {
		return ErrLinkExpired
	}
	return nil
}

func (l *Links) sign(id int64, action alert.Action, who string, exp int64) string {
	h := hmac.New(sha256.New, l.key)
	h.Write([]byte(strconv.FormatInt(id, 10) + "\x00" + string(action) + "\x00" + who + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// verb is how an action appears in a link.
func verb(a alert.Action) string {
	if a == alert.Acknowledge {
		return "ack"
	}
	return "resolve"
}

// ActionOf reads a link's verb.
func ActionOf(verb string) (alert.Action, bool) {
	switch verb {
	case "ack":
		return alert.Acknowledge, true
	case "resolve":
		return alert.Resolve, true
	}
	return "", false
}

// RunURL is a signed link that approves wait number wait of a runbook run
// as who (a person/ID or team/ID the run asked), valid until exp.
func (l *Links) RunURL(base, runID string, wait int, who string, exp time.Time) string {
	e := exp.Unix()
	return base + "/r/" + url.PathEscape(runID) + "/approve?" + url.Values{
		"wait": {strconv.Itoa(wait)}, "exp": {strconv.FormatInt(e, 10)}, "who": {who}, "sig": {l.signRun(runID, wait, who, e)},
	}.Encode()
}

// VerifyRun checks a run approval link.
func (l *Links) VerifyRun(runID string, wait int, who string, exp int64, sig string, now time.Time) error {
	if !hmac.Equal([]byte(l.signRun(runID, wait, who, exp)), []byte(sig)) {
		return ErrLinkInvalid
	}
	if now.Unix() > exp {
		return ErrLinkExpired
	}
	return nil
}

// signRun signs in a domain of its own, so an alert link's signature can
// never pass for a run's.
func (l *Links) signRun(runID string, wait int, who string, exp int64) string {
	h := hmac.New(sha256.New, l.key)
	h.Write([]byte("run-approve\x00" + runID + "\x00" + strconv.Itoa(wait) + "\x00" + who + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
