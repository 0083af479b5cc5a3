package hss

import (
	"errors"
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
		})
	}
	t.Run("trimmed", func(t *testing.T) {
		for _, v := range envVars {
			t.Setenv(v, "")
		}
		t.Setenv(EnvRegion, " ap-southeast-1\n")
		t.Setenv(EnvProjectID, " 0123 ")
		t.Setenv(EnvAccessKey, "AK ")
		t.Setenv(EnvSecretKey, " sk ")
		cfg, err := ConfigFromEnv()
		if err != nil {
			t.Fatal(err)
		}
		k := cfg.Credentials.(AccessKey)
		if cfg.Region != "ap-southeast-1" || cfg.ProjectID != "0123" || k.ID != "AK" || k.Secret != " sk " {
			t.Errorf("got region %q, project %q, AK %q, SK kept as given: %t", cfg.Region, cfg.ProjectID, k.ID, k.Secret == " sk ")
		}
	})
}
