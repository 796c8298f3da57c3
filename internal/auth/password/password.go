// Package password hashes and verifies the passwords of local accounts.
// New hashes are argon2id in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash, RFC 9106 with OWASP's
// parameters); bcrypt hashes ($2a$, $2b$, $2y$) are accepted too, so a team
// can bring hashes from htpasswd.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Parameters of new hashes: OWASP's argon2id minimum (19 MiB, 2 passes, 1
// lane) keeps a login near 30 ms on a small machine.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// Limits on what a stored hash may ask for, so a typo in config cannot make
// every login allocate gigabytes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxPasses    = 10
	maxLanes     = 16
)

// MinLength and MaxLength bound new passwords.
const (
	MinLength = 8
	MaxLength = 1024
)

// Hash returns the argon2id PHC string of pw.
func Hash(pw string) (string, error) {
	if err := Acceptable(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return encode(params{memoryKiB, passes, lanes}, salt, argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)), nil
}

// Acceptable says whether pw may become a password.
func Acceptable(pw string) error {
	switch n := len([]rune(pw)); {
	case n < MinLength:
		return fmt.Errorf("a password needs at least %d characters", MinLength)
	case len(pw) > MaxLength:
		return fmt.Errorf("a password may have at most %d bytes", MaxLength)
	}
	return nil
}

type params struct{ m, t, p uint32 }

func encode(ps params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, ps.m, ps.t, ps.p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// hash is a parsed stored hash.
type hash struct {
	bcrypt []byte // set for bcrypt hashes
	ps     params
	salt   []byte
	key    []byte
}

// Check reports what is wrong with a stored hash, for config validation.
func Check(stored string) error {
	_, err := parse(stored)
	return err
}

var errFormat = errors.New(`is not an argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) or a bcrypt hash; make one with "vigil user passwd"`)

func parse(s string) (hash, error) {
	if strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$") {
		if _, err := bcrypt.Cost([]byte(s)); err != nil {
			return hash{}, fmt.Errorf("is not a valid bcrypt hash: %v", err)
		}
		return hash{bcrypt: []byte(s)}, nil
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return hash{}, errFormat
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return hash{}, fmt.Errorf("has argon2 version %q; only v=%d is supported", parts[2], argon2.Version)
	}
	var h hash
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return hash{}, errFormat
		}
		switch k {
		case "m":
			h.ps.m = uint32(n)
		case "t":
			h.ps.t = uint32(n)
		case "p":
			h.ps.p = uint32(n)
		default:
			return hash{}, errFormat
		}
	}
	switch {
	case h.ps.m < 8*h.ps.p || h.ps.t < 1 || h.ps.p < 1:
		return hash{}, errFormat
	case h.ps.m > maxMemoryKiB || h.ps.t > maxPasses || h.ps.p > maxLanes:
		return hash{}, fmt.Errorf("asks for more than m=%d,t=%d,p=%d", maxMemoryKiB, maxPasses, maxLanes)
	}
	b64 := base64.RawStdEncoding
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return hash{}, errFormat
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return hash{}, errFormat
	}
	return h, nil
}

// Verify reports whether pw matches the stored hash. A hash that does not
// parse matches nothing.
func Verify(stored, pw string) bool {
	h, err := parse(stored)
	if err != nil || len(pw) > MaxLength {
		return false
	}
	if h.bcrypt != nil {
		return bcrypt.CompareHashAndPassword(h.bcrypt, []byte(pw)) == nil
	}
	got := argon2.IDKey([]byte(pw), h.salt, h.ps.t, h.ps.m, uint8(h.ps.p), uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// Dummy returns a hash that no password matches, with the parameters of
// new hashes. Checking a login of an unknown person against it takes as long as
// checking a real one, so timing does not tell who exists.
func Dummy() string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	return encode(params{memoryKiB, passes, lanes}, salt, make([]byte, keyLen))
}
