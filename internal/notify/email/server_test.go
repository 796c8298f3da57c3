package email

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// server is a real SMTP server in this process (emersion/go-smtp), on
// 127.0.0.1 with a self-signed certificate, recording what it receives.
type server struct {
	addr string
	port int
	pool *x509.CertPool // trusts the server's certificate

	mu   sync.Mutex
	got  []delivery
	auth []string // usernames that authenticated
	cmds []string // MAIL, RCPT, DATA as they arrived
}

// delivery is one mail as the server received it.
type delivery struct {
	from string
	to   []string
	data []byte
	tls  bool
}

// serverConfig shapes the server for a test.
type serverConfig struct {
	startTLS    bool              // offer STARTTLS
	implicitTLS bool              // TLS from the first byte
	users       map[string]string // AUTH PLAIN accounts; nil offers no AUTH
	authReply   *smtp.SMTPError   // answer AUTH with this instead
	mailReply   *smtp.SMTPError   // answer MAIL FROM with this
	rcptReply   *smtp.SMTPError   // answer RCPT TO with this
	dataReply   *smtp.SMTPError   // answer the end of DATA with this
	stallData   bool              // never answer the end of DATA
}

func startServer(t *testing.T, cfg serverConfig) *server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &server{pool: pool}
	stop := make(chan struct{})
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, cfg: cfg, conn: c, stop: stop}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = quietLog{}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if cfg.startTLS {
		srv.TLSConfig = tlsCfg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.implicitTLS {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s.addr = ln.Addr().String()
	s.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() {
		close(stop)
		srv.Close()
	})
	return s
}

func (s *server) deliveries() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.got...)
}

func (s *server) authenticated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

type session struct {
	s    *server
	cfg  serverConfig
	conn *smtp.Conn
	stop chan struct{}
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.cfg.users == nil && ss.cfg.authReply == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if ss.cfg.authReply != nil {
			return ss.cfg.authReply
		}
		if want, ok := ss.cfg.users[username]; !ok || want != password {
			return smtp.ErrAuthFailed
		}
		ss.s.mu.Lock()
		ss.s.auth = append(ss.s.auth, username)
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.cfg.mailReply != nil {
		return ss.cfg.mailReply
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.cfg.rcptReply != nil {
		return ss.cfg.rcptReply
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.cfg.stallData {
		<-ss.stop
		return errors.New("stopped")
	}
	if ss.cfg.dataReply != nil {
		return ss.cfg.dataReply
	}
	_, tlsOn := ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, delivery{from: ss.from, to: ss.to, data: b, tls: tlsOn})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "vigil test smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
