package password

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashAndVerify(t *testing.T) {
	h, err := Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	if !Verify(h, "correct horse") {
		t.Error("the right password is refused")
	}
	for _, wrong := range []string{"correct hors", "Correct horse", "", strings.Repeat("x", MaxLength+1)} {
		if Verify(h, wrong) {
			t.Errorf("%q is accepted", wrong)
		}
	}
	h2, _ := Hash("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestBcryptAccepted(t *testing.T) {
	b, err := bcrypt.GenerateFromPassword([]byte("battery staple"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(string(b)); err != nil {
		t.Fatal(err)
	}
	if !Verify(string(b), "battery staple") || Verify(string(b), "battery stapler") {
		t.Error("bcrypt verification is wrong")
	}
}

func TestCheckRefusesBadHashes(t *testing.T) {
	good, _ := Hash("correct horse")
	cases := map[string]string{
		"plain text":    "hunter22",
		"argon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"old version":   strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":   strings.Replace(good, "m=19456", "m=99999999", 1),
		"no passes":     strings.Replace(good, "t=2", "t=0", 1),
		"unknown param": strings.Replace(good, "p=1", "q=1", 1),
		"short salt":    "$argon2id$v=19$m=19456,t=2,p=1$YWJj$" + strings.Split(good, "$")[5],
		"bad base64":    strings.TrimSuffix(good, strings.Split(good, "$")[5]) + "!!!",
		"truncated":     good[:30],
		"broken bcrypt": "$2b$10$short",
		"empty":         "",
	}
	for name, h := range cases {
		if err := Check(h); err == nil {
			t.Errorf("%s: %q is accepted", name, h)
		}
		if Verify(h, "correct horse") {
			t.Errorf("%s: verifies", name)
		}
	}
}

func TestAcceptable(t *testing.T) {
	if Acceptable("short") == nil {
		t.Error("a 5-character password is accepted")
	}
	if Acceptable("ünïcödé") == nil {
		t.Error("7 characters (more bytes) are accepted")
	}
	if err := Acceptable("eight ch"); err != nil {
		t.Error(err)
	}
}

func TestDummyMatchesNothing(t *testing.T) {
	d := Dummy()
	if err := Check(d); err != nil {
		t.Fatal(err)
	}
	if Verify(d, "") || Verify(d, "correct horse") {
		t.Error("the dummy hash matches a password")
	}
}
