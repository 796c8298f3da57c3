package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// SessionStore keeps sessions; *store.Store is one.
type SessionStore interface {
	CreateSession(ctx context.Context, r store.SessionRow) error
	Session(ctx context.Context, idHash string) (store.SessionRow, error)
	TouchSession(ctx context.Context, idHash string, seen time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
}

// Session is a browser session that is still valid.
type Session struct {
	store.SessionRow
	// CSRF is the synchronizer token every form of this session carries.
	CSRF string
}

// Limits of a session: how long it may sit unused, and how long it may last.
type SessionLimits struct {
	Idle, MaxAge time.Duration
}

// touchEvery is how stale the recorded last use may get before a request
// writes it again: sessions are read on every page, written rarely.
const touchEvery = time.Minute

// NewSession stores a new session for person and returns its id, which goes
// into the cookie and nowhere else. Signing in always makes a new id, so an
// id planted in a browser before sign-in is worth nothing after it.
func NewSession(ctx context.Context, st SessionStore, now time.Time, person string, m Method, groups []string, credential string) (string, Session, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", Session{}, err
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	row := store.SessionRow{IDHash: HashSessionID(id), Person: person, Method: string(m), Groups: groups, Credential: credential,
		CreatedAt: now, SeenAt: now}
	if err := st.CreateSession(ctx, row); err != nil {
		return "", Session{}, errs.Wrap(errs.Internal, err, "starting a session")
	}
	return id, Session{SessionRow: row, CSRF: CSRFToken(id)}, nil
}

// ErrNoSession means the id names no valid session: never issued, ended, or
// expired.
var ErrNoSession = errs.E(errs.Unauthorized, "your session has ended; sign in again")

// ResolveSession finds the valid session of id. An expired session is
// deleted on the way.
func ResolveSession(ctx context.Context, st SessionStore, now time.Time, id string, lim SessionLimits) (Session, error) {
	if id == "" || len(id) > 128 {
		return Session{}, ErrNoSession
	}
	h := HashSessionID(id)
	row, err := st.Session(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, errs.Wrap(errs.Internal, err, "reading the session")
	}
	if now.Sub(row.SeenAt) >= lim.Idle || now.Sub(row.CreatedAt) >= lim.MaxAge {
		if err := st.DeleteSession(ctx, h); err != nil {
			return Session{}, errs.Wrap(errs.Internal, err, "ending an expired session")
		}
		return Session{}, ErrNoSession
	}
	if now.Sub(row.SeenAt) >= touchEvery {
		if err := st.TouchSession(ctx, h, now); err != nil {
			return Session{}, errs.Wrap(errs.Internal, err, "recording the session's use")
		}
		row.SeenAt = now
	}
	return Session{SessionRow: row, CSRF: CSRFToken(id)}, nil
}

// HashSessionID is what the store keeps of a session id.
func HashSessionID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// CSRFToken is the synchronizer token of session id: derived from the id,
// so it needs no storage, and worthless without the cookie it belongs to.
func CSRFToken(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("vigil csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF compares a posted token with the session's in constant time.
func (s Session) CheckCSRF(posted string) bool {
	return posted != "" && hmac.Equal([]byte(posted), []byte(s.CSRF))
}
