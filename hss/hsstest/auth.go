package hsstest

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/openhss/hss-go/hss/signer"
)

// The kinds of authentication a request presents (Request.Auth).
const (
	// AuthAKSK: an SDK-HMAC-SHA256 Authorization header.
	AuthAKSK = "aksk"
	// AuthToken: an X-Auth-Token header.
	AuthToken = "token"
	// AuthNone: neither.
	AuthNone = "none"
)

// authKind says which authentication r presents, valid or not. A token
// wins over a signature, as at the gateway.
func authKind(r *http.Request) string {
	switch {
	case r.Header.Get("X-Auth-Token") != "":
		return AuthToken
	case r.Header.Get(signer.HeaderAuthorization) != "":
		return AuthAKSK
	}
	return AuthNone
}

// authenticate checks the token or the signature of r, whose body is body,
// as the API gateway would, and returns the kind used. Its errors say why
// in words a user can act on, never with a secret.
func (s *Server) authenticate(r *http.Request, body []byte) (string, error) {
	// A credential header sent twice is refused: judged by its first value,
	// as Header.Get reads it, a second one would pass unseen.
	for _, h := range []string{"X-Auth-Token", signer.HeaderSecurityToken, signer.HeaderProjectID} {
		if len(r.Header.Values(h)) > 1 {
			return authKind(r), errors.New("repeated " + h + ": one value only")
		}
	}
	switch kind := authKind(r); kind {
	case AuthToken:
		return kind, s.checkToken(r.Header.Get("X-Auth-Token"))
	case AuthAKSK:
		ak, err := signer.Verify(r, signer.HashPayload(body), s.secretKey, s.now(), MaxSkew)
		switch {
		case err == nil:
			return kind, s.checkSignedExtras(r, ak)
		case errors.Is(err, signer.ErrUnknownAccessKey):
			return kind, errors.New("unknown access key: the AK in the Authorization header is not known")
		case errors.Is(err, signer.ErrStaleDate):
			return kind, errors.New("stale request: X-Sdk-Date is more than 15 minutes from the server's clock")
		case errors.Is(err, signer.ErrSignatureMismatch):
			return kind, errors.New("bad signature: the signature does not match the request (check the secret key, the signed headers and the body)")
		case errors.Is(err, signer.ErrMissingSignature):
			return kind, errors.New("missing authentication: send X-Auth-Token or an SDK-HMAC-SHA256 Authorization header")
		default:
			return kind, errors.New("malformed SDK-HMAC-SHA256 Authorization or X-Sdk-Date header")
		}
	default:
		return kind, errors.New("missing authentication: send X-Auth-Token or an SDK-HMAC-SHA256 Authorization header")
	}
}

// checkSignedExtras checks, of a request whose signature verified, what the
// gateway checks beside the signature: the headers that bind the request to
// a project and to temporary credentials are signed when they are sent, and
// a temporary access key comes with its own security token. (Content-Type
// need not be signed: the official SDK does not sign it.)
func (s *Server) checkSignedExtras(r *http.Request, ak string) error {
	signed := signedHeaderNames(r.Header.Get(signer.HeaderAuthorization))
	for _, h := range []string{signer.HeaderProjectID, signer.HeaderSecurityToken} {
		if r.Header.Get(h) != "" && !slices.Contains(signed, strings.ToLower(h)) {
			return errors.New("unsigned " + h + ": a request that sends it must sign it")
		}
	}
	want, temporary := s.securityTokens[ak]
	got := r.Header.Get(signer.HeaderSecurityToken)
	switch {
	case temporary && got == "":
		return errors.New("missing security token: a temporary access key needs its X-Security-Token")
	case temporary && subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
		return errors.New("invalid security token: X-Security-Token does not belong to the access key")
	case !temporary && got != "":
		return errors.New("unexpected security token: X-Security-Token sent with a permanent access key")
	}
	return nil
}

// signedHeaderNames returns the SignedHeaders of an Authorization header
// that signer.Verify accepted.
func signedHeaderNames(authz string) []string {
	_, rest, _ := strings.Cut(authz, "SignedHeaders=")
	list, _, _ := strings.Cut(rest, ",")
	return strings.Split(strings.TrimSpace(list), ";")
}

// secretKey looks an access key up for signer.Verify.
func (s *Server) secretKey(ak string) (string, bool) {
	sk, ok := s.accessKeys[ak] // never written after NewUnstarted
	return sk, ok
}

// checkToken checks a token: one the fake issued and not expired, or one of
// Options.Tokens.
func (s *Server) checkToken(tok string) error {
	_, err := s.tokenInfo(tok)
	return err
}

// tokenInfo returns what the fake knows of an accepted token.
func (s *Server) tokenInfo(tok string) (tokenInfo, error) {
	s.mu.Lock()
	info, ok := s.tokens[tok]
	s.mu.Unlock()
	switch {
	case !ok:
		return tokenInfo{}, errors.New("invalid token: X-Auth-Token is not a token this service issued")
	case !info.expiresAt.IsZero() && !s.now().Before(info.expiresAt):
		return tokenInfo{}, errors.New("expired token: X-Auth-Token has expired, get a new one from IAM")
	}
	return info, nil
}

// describeRequestError turns a spec violation into a message that names the
// field: the parameter, or the body path as "operate_event_list[0].event_id".
// It quotes no value from the request body.
func describeRequestError(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return "invalid request: " + err.Error()
	}
	var se *openapi3.SchemaError
	hasSchema := errors.As(re.Err, &se)
	switch {
	case re.Parameter != nil:
		reason := re.Reason
		if hasSchema {
			reason = schemaReason(se)
		} else if re.Err != nil {
			reason = re.Err.Error()
		}
		return "invalid " + re.Parameter.In + " parameter " + re.Parameter.Name + ": " + reason
	case re.RequestBody != nil && hasSchema:
		return "invalid " + bodyField(se.JSONPointer()) + ": " + schemaReason(se)
	case re.RequestBody != nil:
		reason := re.Reason
		if re.Err != nil {
			reason = re.Err.Error()
		}
		return "invalid body: " + reason
	}
	return "invalid request: " + re.Error()
}

// schemaReason says why a value breaks its schema, without the value.
func schemaReason(se *openapi3.SchemaError) string {
	if se.SchemaField == "required" {
		return "required"
	}
	return se.Reason
}

// bodyField writes a JSON pointer (as segments) the way the client names
// fields: "operate_event_list[0].operate_detail_list[1].keyword"; a pointer
// that starts with an index starts with "body".
func bodyField(pointer []string) string {
	var b strings.Builder
	for i, seg := range pointer {
		switch {
		case isIndex(seg):
			if i == 0 {
				b.WriteString("body")
			}
			b.WriteString("[" + seg + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
