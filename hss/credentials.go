package hss

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/openhss/hss-go/hss/signer"
)

// Credentials authenticate the client's requests. There are three kinds:
// AccessKey (AK/SK request signing), Token (a ready IAM token) and Password
// (an IAM user, for which the client obtains and refreshes tokens itself).
//
// New takes each kind by value or by pointer.
//
// No credential prints its secret: fmt, encoding/json and slog show
// "[redacted]" in its place. (fmt cannot call a type's own methods on an
// unexported field of another struct, and prints such a field as it is: a
// struct that keeps credentials there should redact them itself.)
type Credentials interface {
	// kind names the credential kind for logs and errors; it also keeps the
	// set closed to the three kinds of this package.
	kind() string
	check() error
}

// AccessKey signs every request with SDK-HMAC-SHA256. SecurityToken is set for
// temporary credentials, and travels in X-Security-Token.
type AccessKey struct {
	ID            string // the access key id (AK); not secret
	Secret        string // the secret access key (SK)
	SecurityToken string // optional, for temporary credentials
}

func (AccessKey) kind() string { return "access key" }

func (k AccessKey) check() error {
	if k.ID == "" {
		return &ValidationError{Field: "credentials.ID", Reason: "the access key id is empty"}
	}
	if k.Secret == "" {
		return &ValidationError{Field: "credentials.Secret", Reason: "the secret access key is empty"}
	}
	if err := checkSecretKey("credentials.Secret", k.Secret); err != nil {
		return err
	}
	// Sent as X-Security-Token. (The id is checked by signer.NewSigner.)
	return checkSecret("credentials.SecurityToken", k.SecurityToken)
}

// checkSecretKey refuses a secret access key that cannot be one. A secret
// key is letters and digits: a space or a line break around it came with it
// from a file or a copy, and would only show as a 401 "bad signature" after
// a round trip.
func checkSecretKey(field, v string) error {
	if err := checkSecret(field, v); err != nil {
		return err
	}
	if strings.TrimSpace(v) != v {
		return &ValidationError{Field: field, Reason: "begins or ends with a space"}
	}
	return nil
}

// checkSecret refuses a control character in a secret, most often the line
// break at the end of a file it was read from. The reason never shows the
// secret.
func checkSecret(field, v string) error {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < 0x20 || b == 0x7f {
			reason := "contains a control character"
			if b == '\n' || b == '\r' {
				reason = "contains a line break (read from a file with a newline at its end?)"
			}
			return &ValidationError{Field: field, Reason: reason}
		}
	}
	return nil
}

// Format prints the access key id and hides the secret and the token.
func (k AccessKey) Format(f fmt.State, verb rune) {
	st := ""
	if k.SecurityToken != "" {
		st = ", SecurityToken: [redacted]"
	}
	fmt.Fprintf(f, "hss.AccessKey{ID: %q, Secret: [redacted]%s}", k.ID, st)
}

// Token is a ready IAM token, sent as X-Auth-Token. The client cannot renew
// it: when it expires, calls fail with a 401 APIError.
type Token string

func (Token) kind() string { return "token" }

func (t Token) check() error {
	if t == "" {
		return &ValidationError{Field: "credentials", Reason: "the token is empty"}
	}
	if r := lengthReason(string(t), 32768); r != "" {
		return &ValidationError{Field: "credentials", Reason: "the token is " + r}
	}
	return checkSecret("credentials", string(t)) // sent as X-Auth-Token; no token holds a control character
}

// Format hides the token.
func (t Token) Format(f fmt.State, verb rune) { fmt.Fprint(f, "hss.Token([redacted])") }

// Password is an IAM user's name, password and account (domain) name. The
// client exchanges them for a token scoped to the region's project, caches it,
// renews it before it expires, and renews it once more on a 401.
type Password struct {
	Domain   string // the account name the user belongs to
	User     string
	Password string
}

func (Password) kind() string { return "password" }

func (p Password) check() error {
	switch {
	case p.Domain == "":
		return &ValidationError{Field: "credentials.Domain", Reason: "the account (domain) name is empty"}
	case p.User == "":
		return &ValidationError{Field: "credentials.User", Reason: "the user name is empty"}
	case p.Password == "":
		return &ValidationError{Field: "credentials.Password", Reason: "the password is empty"}
	}
	// No IAM name or password holds a control character; a line break at
	// the end came from a file, and would only show as a 401 from IAM.
	if err := checkSecret("credentials.Domain", p.Domain); err != nil {
		return err
	}
	if err := checkSecret("credentials.User", p.User); err != nil {
		return err
	}
	return checkSecret("credentials.Password", p.Password)
}

// credentialValue returns c as one of the three kinds by value: a pointer
// to a kind satisfies Credentials too, and is dereferenced; a nil one is
// refused.
func credentialValue(c Credentials) (Credentials, error) {
	isNil := false
	switch p := c.(type) {
	case *AccessKey:
		if isNil = p == nil; !isNil {
			return *p, nil
		}
	case *Token:
		if isNil = p == nil; !isNil {
			return *p, nil
		}
	case *Password:
		if isNil = p == nil; !isNil {
			return *p, nil
		}
	}
	if isNil {
		return nil, &ValidationError{Field: "credentials", Reason: fmt.Sprintf("a nil %T", c)}
	}
	return c, nil
}

// Format prints the domain and user and hides the password.
func (p Password) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "hss.Password{Domain: %q, User: %q, Password: [redacted]}", p.Domain, p.User)
}

// Environment variables read by ConfigFromEnv. EnvAccessKey, EnvSecretKey,
// EnvSecurityToken, EnvProjectID and EnvIAMEndpoint are the official SDKs'
// names; the others follow their pattern.
const (
	EnvAccessKey     = "HUAWEICLOUD_SDK_AK"
	EnvSecretKey     = "HUAWEICLOUD_SDK_SK"
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"
	EnvAuthToken     = "HUAWEICLOUD_SDK_AUTH_TOKEN"
	EnvRegion        = "HUAWEICLOUD_SDK_REGION"
	EnvIAMEndpoint   = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
	EnvDomainName    = "HUAWEICLOUD_SDK_DOMAIN_NAME"
	EnvUserName      = "HUAWEICLOUD_SDK_USERNAME"
	EnvPassword      = "HUAWEICLOUD_SDK_PASSWORD"
)

// ErrNoCredentials is returned by ConfigFromEnv when the environment holds no
// complete credentials.
var ErrNoCredentials = errors.New("hss: no credentials in the environment: set " +
	EnvAccessKey + " and " + EnvSecretKey + ", or " + EnvAuthToken + ", or " +
	EnvDomainName + ", " + EnvUserName + " and " + EnvPassword)

// ConfigFromEnv reads a Config from the environment: the region from
// HUAWEICLOUD_SDK_REGION, the project from HUAWEICLOUD_SDK_PROJECT_ID, the IAM
// endpoint from HUAWEICLOUD_SDK_IAM_ENDPOINT, and the credentials of the
// first of these kinds that is set at all: HUAWEICLOUD_SDK_AK and _SK (with
// _SECURITY_TOKEN when set), HUAWEICLOUD_SDK_AUTH_TOKEN, or
// HUAWEICLOUD_SDK_DOMAIN_NAME, _USERNAME and _PASSWORD. A kind set in part
// is a *ValidationError naming the first variable missing, not a reason to
// try the next kind. Spaces around the values that are not secrets (region,
// project, endpoint, access key id, domain and user names) are trimmed; the
// secrets are taken as they are, and one holding a control character (a
// line break at the end of the file it was read from), or a secret key with
// spaces around it, is a *ValidationError naming its variable; so is
// anything else New would refuse in the credentials or the project id (an
// access key id with a comma, a user name with a control character). Set
// or change any field before passing it to New.
func ConfigFromEnv() (Config, error) {
	plain := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	cfg := Config{
		Region:      plain(EnvRegion),
		ProjectID:   plain(EnvProjectID),
		IAMEndpoint: withScheme(plain(EnvIAMEndpoint)), // https:// before a bare host, as the SDK does
	}
	type envVar struct{ name, value string }
	// missing names the first of vars whose value is empty, or "".
	missing := func(vars ...envVar) string {
		for _, v := range vars {
			if v.value == "" {
				return v.name
			}
		}
		return ""
	}
	ak, sk, st := plain(EnvAccessKey), os.Getenv(EnvSecretKey), os.Getenv(EnvSecurityToken)
	domain, user, pw := plain(EnvDomainName), plain(EnvUserName), os.Getenv(EnvPassword)
	switch {
	case ak != "" || sk != "" || st != "":
		if m := missing(envVar{EnvAccessKey, ak}, envVar{EnvSecretKey, sk}); m != "" {
			return cfg, &ValidationError{Field: m, Reason: "the access key id and secret key must be set together (with the security token, when there is one)"}
		}
		cfg.Credentials = AccessKey{ID: ak, Secret: sk, SecurityToken: st}
	case os.Getenv(EnvAuthToken) != "":
		cfg.Credentials = Token(os.Getenv(EnvAuthToken))
	case domain != "" || user != "" || pw != "":
		if m := missing(envVar{EnvDomainName, domain}, envVar{EnvUserName, user}, envVar{EnvPassword, pw}); m != "" {
			return cfg, &ValidationError{Field: m, Reason: "an IAM user needs the domain name, user name and password together"}
		}
		cfg.Credentials = Password{Domain: domain, User: user, Password: pw}
	default:
		return cfg, ErrNoCredentials
	}
	return cfg, checkFromEnv(cfg)
}

// envFieldVars names the variable a field that New checks comes from in
// ConfigFromEnv.
var envFieldVars = map[string]string{
	"credentials.ID":            EnvAccessKey,
	"credentials.Secret":        EnvSecretKey,
	"credentials.SecurityToken": EnvSecurityToken,
	"credentials":               EnvAuthToken, // a Token's field
	"credentials.Domain":        EnvDomainName,
	"credentials.User":          EnvUserName,
	"credentials.Password":      EnvPassword,
	"project_id":                EnvProjectID,
}

// checkFromEnv makes New's checks of the credentials and the project id
// that ConfigFromEnv read, and names the variable a value came from. (The
// region and the IAM endpoint are checked with the endpoints, which the
// caller may still set.)
func checkFromEnv(cfg Config) error {
	err := cfg.Credentials.check()
	if ak, ok := cfg.Credentials.(AccessKey); ok && err == nil {
		if _, serr := signer.NewSigner(signer.Key{AccessKey: ak.ID, SecretKey: ak.Secret}); serr != nil {
			err = &ValidationError{Field: "credentials.ID", Reason: strings.TrimPrefix(serr.Error(), "signer: ")}
		}
	}
	if err == nil && cfg.ProjectID != "" {
		if err = checkProjectID(cfg.ProjectID); err == nil {
			err = checkHeaderValue("project_id", cfg.ProjectID)
		}
	}
	var invalid *ValidationError
	if errors.As(err, &invalid) {
		if name, ok := envFieldVars[invalid.Field]; ok {
			invalid.Field = name
		}
	}
	return err
}

// redactedJSON is what credentials marshal to: encoding/json and slog's JSON
// handler do not use Format, so the kinds say it again for them.
func redactedJSON(kind string) ([]byte, error) {
	return []byte(`{"kind":"` + kind + `","secret":"[redacted]"}`), nil
}

// MarshalJSON hides the secret from encoding/json.
func (k AccessKey) MarshalJSON() ([]byte, error) {
	// json.Marshal, not strconv.Quote: Go's quoting is not JSON's for a
	// control character or invalid UTF-8 in an id New has not checked yet.
	id, err := json.Marshal(k.ID)
	if err != nil {
		return nil, err
	}
	return []byte(`{"ID":` + string(id) + `,"Secret":"[redacted]"}`), nil
}

// MarshalJSON hides the token from encoding/json.
func (t Token) MarshalJSON() ([]byte, error) { return redactedJSON(t.kind()) }

// MarshalJSON hides the password from encoding/json.
func (p Password) MarshalJSON() ([]byte, error) { return redactedJSON(p.kind()) }

// LogValue hides the secret from log/slog.
func (k AccessKey) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(k)) }

// LogValue hides the token from log/slog.
func (t Token) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(t)) }

// LogValue hides the password from log/slog.
func (p Password) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(p)) }

// LogValue describes the configuration to log/slog without its secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
