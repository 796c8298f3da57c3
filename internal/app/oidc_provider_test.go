package app

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// provider is a real OpenID provider on loopback, built with zitadel's
// op package and its example storage and login form: discovery, keys,
// authorization code with PKCE, tokens and userinfo, as a real one serves
// them. People sign in to it through its own HTML form.
type provider struct {
	t       *testing.T
	issuer  string
	clients map[string]*storage.Client
}

// opUser is a person known to the provider.
type opUser struct {
	ID, Username, Password, Email string
	Groups                        []string
}

// startProvider starts the provider with users; register a client before
// signing in.
func startProvider(t *testing.T, users ...opUser) *provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, issuer: "http://" + ln.Addr().String(), clients: map[string]*storage.Client{}}
	us := userStore{byID: map[string]*storage.User{}, groups: map[string][]string{}}
	for _, u := range users {
		us.byID[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, Email: u.Email, EmailVerified: true,
			FirstName: u.Username}
		us.groups[u.ID] = u.Groups
	}
	st := &groupStorage{Storage: storage.NewStorageWithClients(us, p.clients), groups: us.groups}
	srv := &http.Server{Handler: exampleop.SetupServer(p.issuer, st, nil, false), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return p
}

// register adds a confidential web client with one redirect URI.
func (p *provider) register(id, secret, redirectURI string) {
	p.clients[id] = storage.WebClient(id, secret, redirectURI)
}

// oidcConfig is Vigil's auth.oidc for this provider, with client vigil.
func (p *provider) oidcConfig(extra string) string {
	return "  oidc: {issuer: " + p.issuer + ", client_id: vigil, client_secret: vigil-s3cret, name: Test SSO" + extra + "}\n"
}

type userStore struct {
	byID   map[string]*storage.User
	groups map[string][]string
}

func (u userStore) GetUserByID(id string) *storage.User { return u.byID[id] }

func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u.byID {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (userStore) ExampleClientID() string { return "service" }

// groupStorage is the example storage plus a groups claim, in the ID token
// and from the userinfo endpoint, as providers such as Keycloak, Okta and
// Dex send one.
type groupStorage struct {
	*storage.Storage
	groups map[string][]string
}

func (s *groupStorage) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	if err := s.Storage.SetUserinfoFromScopes(ctx, ui, userID, clientID, scopes); err != nil {
		return err
	}
	s.addGroups(ui, userID)
	return nil
}

func (s *groupStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.addGroups(ui, subject)
	return nil
}

func (s *groupStorage) addGroups(ui *oidc.UserInfo, userID string) {
	if g := s.groups[userID]; len(g) > 0 {
		ui.AppendClaims("groups", g)
	}
}
