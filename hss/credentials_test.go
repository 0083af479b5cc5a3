package hss

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// envVars are the variables ConfigFromEnv reads.
var envVars = []string{EnvAccessKey, EnvSecretKey, EnvSecurityToken, EnvProjectID, EnvAuthToken,
	EnvRegion, EnvIAMEndpoint, EnvDomainName, EnvUserName, EnvPassword}

// TestConfigFromEnv: the first kind of credentials set at all is used; a
// kind set in part names its first missing variable; the values that are
// not secrets are trimmed.
func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		kind    string // "" : an error
		missing string // the variable the error names
	}{
		{"access key", map[string]string{EnvAccessKey: "AK", EnvSecretKey: "sk"}, "access key", ""},
		{"access key with token set too", map[string]string{EnvAccessKey: "AK", EnvSecretKey: "sk", EnvAuthToken: "tok"}, "access key", ""},
		{"token", map[string]string{EnvAuthToken: "tok"}, "token", ""},
		{"password", map[string]string{EnvDomainName: "d", EnvUserName: "u", EnvPassword: "p"}, "password", ""},
		{"no secret key", map[string]string{EnvAccessKey: "AK", EnvAuthToken: "tok"}, "", EnvSecretKey},
		{"no access key id", map[string]string{EnvSecretKey: "sk"}, "", EnvAccessKey},
		{"an access key id of spaces", map[string]string{EnvAccessKey: " ", EnvAuthToken: "tok"}, "token", ""},
		{"a security token alone", map[string]string{EnvSecurityToken: "sts", EnvAuthToken: "tok"}, "", EnvAccessKey},
		{"a domain alone", map[string]string{EnvDomainName: "d"}, "", EnvUserName},
		{"no password", map[string]string{EnvDomainName: "d", EnvUserName: "u"}, "", EnvPassword},
		{"no domain", map[string]string{EnvUserName: "u", EnvPassword: "p"}, "", EnvDomainName},
		{"nothing", map[string]string{EnvRegion: "ap-southeast-1"}, "", "none"},
		{"a secret key read from a file", map[string]string{EnvAccessKey: "AK", EnvSecretKey: testSK + "\n"}, "", EnvSecretKey},
		{"a secret key with spaces", map[string]string{EnvAccessKey: "AK", EnvSecretKey: " " + testSK + " "}, "", EnvSecretKey},
		{"a security token read from a file", map[string]string{EnvAccessKey: "AK", EnvSecretKey: "sk", EnvSecurityToken: testSTS + "\r\n"}, "", EnvSecurityToken},
		{"a token read from a file", map[string]string{EnvAuthToken: testToken + "\n"}, "", EnvAuthToken},
		{"a password read from a file", map[string]string{EnvDomainName: "d", EnvUserName: "u", EnvPassword: testPass + "\n"}, "", EnvPassword},
		{"a password with spaces", map[string]string{EnvDomainName: "d", EnvUserName: "u", EnvPassword: " p "}, "password", ""},
		// What New would refuse, named by the variable it came from.
		{"an access key id with a comma", map[string]string{EnvAccessKey: "AK,1", EnvSecretKey: "sk"}, "", EnvAccessKey},
		{"an access key id with a space inside", map[string]string{EnvAccessKey: "AK 1", EnvSecretKey: "sk"}, "", EnvAccessKey},
		{"a user name with a control character", map[string]string{EnvDomainName: "d", EnvUserName: "ali\x01ce", EnvPassword: "p"}, "", EnvUserName},
		{"a domain name with a tab inside", map[string]string{EnvDomainName: "ac\tme", EnvUserName: "u", EnvPassword: "p"}, "", EnvDomainName},
		{"a token too long", map[string]string{EnvAuthToken: strings.Repeat("t", 32769)}, "", EnvAuthToken},
		{"a project id with a control character", map[string]string{EnvAuthToken: "tok", EnvProjectID: "p\x7fid"}, "", EnvProjectID},
		{"a project id with a slash", map[string]string{EnvAuthToken: "tok", EnvProjectID: "p/id"}, "", EnvProjectID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range envVars {
				t.Setenv(v, tc.env[v])
			}
			cfg, err := ConfigFromEnv()
			var ve *ValidationError
			switch {
			case tc.kind != "":
				if err != nil || cfg.Credentials == nil || cfg.Credentials.kind() != tc.kind {
					t.Errorf("got %v, %v; want %s credentials", cfg, err, tc.kind)
				}
			case tc.missing == "none":
				if !errors.Is(err, ErrNoCredentials) {
					t.Errorf("err = %v, want ErrNoCredentials", err)
				}
			case !errors.As(err, &ve) || ve.Field != tc.missing:
				t.Errorf("err = %v, want a ValidationError naming %s", err, tc.missing)
			}
			for _, v := range []string{EnvSecretKey, EnvSecurityToken, EnvAuthToken, EnvPassword} {
				if secret := tc.env[v]; err != nil && len(secret) > 3 && strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows %s: %v", v, err)
				}
			}
		})
	}
	t.Run("trimmed", func(t *testing.T) {
		for _, v := range envVars {
			t.Setenv(v, "")
		}
		t.Setenv(EnvRegion, " ap-southeast-1\n")
		t.Setenv(EnvProjectID, " 0123 ")
		t.Setenv(EnvAccessKey, "AK ")
		t.Setenv(EnvSecretKey, "sk")
		t.Setenv(EnvSecurityToken, " sts ")
		cfg, err := ConfigFromEnv()
		if err != nil {
			t.Fatal(err)
		}
		k := cfg.Credentials.(AccessKey)
		if cfg.Region != "ap-southeast-1" || cfg.ProjectID != "0123" || k.ID != "AK" || k.Secret != "sk" || k.SecurityToken != " sts " {
			t.Errorf("got region %q, project %q, AK %q, SK and token kept as given: %t", cfg.Region, cfg.ProjectID, k.ID, k.Secret == "sk" && k.SecurityToken == " sts ")
		}
	})
}

// TestNewRefusesSecretsThatCannotBeOnes: a secret key, an IAM name or
// password with a line break (the end of the file it was read from), or a
// secret key with spaces around it, would fail only at the service, as a
// 401 after a round trip: New refuses them, naming the field and never
// showing the secret.
func TestNewRefusesSecretsThatCannotBeOnes(t *testing.T) {
	for _, tc := range []struct {
		field string
		creds Credentials
	}{
		{"credentials.Secret", AccessKey{ID: testAK, Secret: testSK + "\n"}},
		{"credentials.Secret", AccessKey{ID: testAK, Secret: testSK + "\r\n"}},
		{"credentials.Secret", AccessKey{ID: testAK, Secret: testSK + "\t"}},
		{"credentials.Secret", AccessKey{ID: testAK, Secret: " " + testSK}},
		{"credentials.Secret", AccessKey{ID: testAK, Secret: testSK + " "}},
		{"credentials.Password", Password{Domain: "d", User: "u", Password: testPass + "\n"}},
		{"credentials.User", Password{Domain: "d", User: "u\n", Password: testPass}},
		{"credentials.Domain", Password{Domain: "d\x00", User: "u", Password: testPass}},
		{"credentials", Token(testToken + "\t")},
		{"credentials", Token("MII\x7fToken")},
		{"credentials.SecurityToken", AccessKey{ID: testAK, Secret: testSK, SecurityToken: "a\tb"}},
	} {
		_, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: tc.creds})
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a ValidationError of %s", tc.field, err, tc.field)
		}
		if err != nil && (strings.Contains(err.Error(), testSK) || strings.Contains(err.Error(), testPass)) {
			t.Errorf("%s: the error shows the secret: %v", tc.field, err)
		}
	}
	// A carriage return is named as the line break it is.
	var ve *ValidationError
	if _, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: AccessKey{ID: testAK, Secret: testSK + "\r"}}); !errors.As(err, &ve) || !strings.Contains(ve.Reason, "line break") {
		t.Errorf("a secret key ending in \\r: %v, want a line break named", err)
	}
	// A password may hold spaces, around it too.
	if _, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: Password{Domain: "d", User: "u", Password: " pass word "}}); err != nil {
		t.Errorf("a password with spaces: %v", err)
	}
}

// TestNewTakesCredentialsByPointer: a pointer to a kind satisfies
// Credentials too; New takes it as the value (the requests are signed with
// it), prints it redacted, and refuses a nil one.
func TestNewTakesCredentialsByPointer(t *testing.T) {
	ts := newTestServer(t, okExport)
	c := newClient(t, ts.URL, &AccessKey{ID: testAK, Secret: testSK}, nil)
	params, cols := testExport()
	if _, err := c.ExportEvents(context.Background(), params, cols); err != nil {
		t.Fatal(err)
	}
	if got := ts.requests()[0].Header.Get("Authorization"); !strings.Contains(got, "Access="+testAK) {
		t.Errorf("Authorization = %q, want it signed with %s", got, testAK)
	}
	tok := Token(testToken)
	for _, creds := range []Credentials{&tok, &Password{Domain: "d", User: "u", Password: testPass}} {
		cfg := Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: creds}
		if _, err := New(cfg); err != nil {
			t.Errorf("%T: %v", creds, err)
		}
		if s := cfg.String(); containsSecret(s) || !strings.Contains(s, "Credentials: ") {
			t.Errorf("%T: %s", creds, s)
		}
	}
	for _, creds := range []Credentials{(*AccessKey)(nil), (*Token)(nil), (*Password)(nil)} {
		cfg := Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: creds}
		var ve *ValidationError
		if _, err := New(cfg); !errors.As(err, &ve) || ve.Field != "credentials" {
			t.Errorf("%T(nil): %v, want a ValidationError of credentials", creds, err)
		}
		if s := cfg.String(); !strings.Contains(s, "Credentials: nil") {
			t.Errorf("%T(nil) prints %s", creds, s)
		}
	}
}

// TestAccessKeyJSONIsValidForAnyID: an AccessKey marshals to valid JSON
// with its id (as encoding/json writes it) and no secret, even for an id
// New would refuse (a control character, invalid UTF-8): Go's quoting
// (\x00, \a) is not JSON's.
func TestAccessKeyJSONIsValidForAnyID(t *testing.T) {
	for _, id := range []string{testAK, "AK\x00\a", "AK\xff", `AK"\`} {
		b, err := json.Marshal(AccessKey{ID: id, Secret: testSK})
		if err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		var doc struct{ ID, Secret string }
		if err := json.Unmarshal(b, &doc); err != nil || !json.Valid(b) {
			t.Errorf("%q: %s is not valid JSON: %v", id, b, err)
		}
		if strings.Contains(string(b), testSK) || doc.Secret != "[redacted]" {
			t.Errorf("%q: %s", id, b)
		}
		if want := strings.ToValidUTF8(id, "\uFFFD"); doc.ID != want {
			t.Errorf("%q: ID %q, want %q", id, doc.ID, want)
		}
	}
}

// TestConfigFromEnvIAMEndpointWithoutScheme: an IAM endpoint given as a
// bare host, as the official SDK takes it, is https; one with a scheme is
// kept as it is.
func TestConfigFromEnvIAMEndpointWithoutScheme(t *testing.T) {
	for v, want := range map[string]string{
		"iam.example.com":         "https://iam.example.com",
		" iam.example.com:8443 ":  "https://iam.example.com:8443",
		"https://iam.example.com": "https://iam.example.com",
		"http://127.0.0.1:8080":   "http://127.0.0.1:8080",
		"":                        "",
	} {
		for _, name := range envVars {
			t.Setenv(name, "")
		}
		t.Setenv(EnvAuthToken, "tok")
		t.Setenv(EnvIAMEndpoint, v)
		cfg, err := ConfigFromEnv()
		if err != nil || cfg.IAMEndpoint != want {
			t.Errorf("%s=%q: IAMEndpoint %q, %v; want %q", EnvIAMEndpoint, v, cfg.IAMEndpoint, err, want)
		}
	}
}
