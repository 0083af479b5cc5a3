package hsstest

import (
	"encoding/json"
	"net/http"
	"slices"
)

// iamTimeLayout is how IAM writes times: RFC 3339, UTC, microseconds.
const iamTimeLayout = "2006-01-02T15:04:05.000000Z"

// domainID derives a stable, IAM-shaped domain id from a domain name.
func domainID(name string) string {
	return hexID("domain:" + name)
}

// serveIAM answers the IAM calls a client makes: get a token, validate a
// token, list projects by name.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request, body []byte) {
	switch {
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodPost:
		s.createToken(w, body)
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodGet:
		s.validateToken(w, r, body)
	case r.URL.Path == "/v3/projects" && r.Method == http.MethodGet:
		s.listProjects(w, r, body)
	case r.URL.Path == "/v3/auth/tokens" || r.URL.Path == "/v3/projects":
		iamError(w, http.StatusMethodNotAllowed, "the method is not allowed for this API")
	default:
		iamError(w, http.StatusNotFound, "the API does not exist")
	}
}

// iamError answers in IAM's nested error shape, with a numeric code as IAM
// (Keystone) sends it.
func iamError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, iamErrorDoc(status, status, msg))
}

// iamErrorDoc is IAM's nested error document.
func iamErrorDoc(code any, status int, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "title": http.StatusText(status)}}
}

// tokenRequest is the body of POST /v3/auth/tokens.
type tokenRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// createToken issues a project-scoped token for a user's password.
func (s *Server) createToken(w http.ResponseWriter, body []byte) {
	var req tokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		iamError(w, http.StatusBadRequest, "the request body is not a JSON token request")
		return
	}
	id := &req.Auth.Identity
	if !slices.Contains(id.Methods, "password") {
		iamError(w, http.StatusBadRequest, "auth.identity.methods: only password is supported")
		return
	}
	u := id.Password.User
	var user *User
	for i := range s.users {
		c := &s.users[i]
		// The account by its name, or by its id (as IAM takes either).
		inDomain := c.Domain == u.Domain.Name || (u.Domain.Name == "" && u.Domain.ID != "" && u.Domain.ID == domainID(c.Domain))
		if c.Name == u.Name && inDomain && c.Password == u.Password {
			user = c
			break
		}
	}
	if user == nil {
		iamError(w, http.StatusUnauthorized, "the username, password or domain name is wrong")
		return
	}
	// By id when one is given, as Keystone reads a scope; else by name.
	p := req.Auth.Scope.Project
	if (p.ID != "" && p.ID != s.projectID) || (p.ID == "" && p.Name != s.region) {
		iamError(w, http.StatusBadRequest, "auth.scope.project: no such project (the project name is the region id, "+s.region+")")
		return
	}
	tok := randomToken()
	now := s.now()
	info := tokenInfo{user: User{Domain: user.Domain, Name: user.Name}, issuedAt: now, expiresAt: now.Add(s.tokenTTL)}
	s.mu.Lock()
	s.addToken(tok, info, now)
	s.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, s.tokenDocument(info))
}

// validateToken answers the document of the token in X-Subject-Token to a
// caller authenticated by X-Auth-Token or a signature.
func (s *Server) validateToken(w http.ResponseWriter, r *http.Request, body []byte) {
	if _, err := s.authenticate(r, body); err != nil {
		iamError(w, http.StatusUnauthorized, err.Error())
		return
	}
	subject := r.Header.Get("X-Subject-Token")
	if subject == "" {
		iamError(w, http.StatusBadRequest, "X-Subject-Token: required")
		return
	}
	info, err := s.tokenInfo(subject)
	if err != nil {
		iamError(w, http.StatusNotFound, "X-Subject-Token: the token is invalid or has expired")
		return
	}
	w.Header().Set("X-Subject-Token", subject)
	writeJSON(w, http.StatusOK, s.tokenDocument(info))
}

// tokenDocument is IAM's description of a token. A token of Options.Tokens
// never expires; it is said to expire TokenTTL from now.
func (s *Server) tokenDocument(info tokenInfo) any {
	expires := info.expiresAt
	if expires.IsZero() {
		expires = s.now().Add(s.tokenTTL)
	}
	domain := map[string]string{"id": domainID(info.user.Domain), "name": info.user.Domain}
	return map[string]any{"token": map[string]any{
		"methods":    []string{"password"},
		"expires_at": expires.UTC().Format(iamTimeLayout),
		"issued_at":  info.issuedAt.UTC().Format(iamTimeLayout),
		"project":    map[string]any{"id": s.projectID, "name": s.region, "domain": domain},
		"user": map[string]any{
			"id":     hexID("user:" + info.user.Domain + "/" + info.user.Name),
			"name":   info.user.Name,
			"domain": domain,
		},
	}}
}

// listProjects answers the projects named by the name query parameter: the
// fake's one project when the name is its region (or absent), none
// otherwise.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, body []byte) {
	if _, err := s.authenticate(r, body); err != nil {
		iamError(w, http.StatusUnauthorized, err.Error())
		return
	}
	projects := []any{}
	if name, ok := r.URL.Query()["name"]; !ok || slices.Contains(name, s.region) {
		owner := s.tokenOwner()
		projects = append(projects, map[string]any{
			"id":          s.projectID,
			"name":        s.region,
			"description": "",
			"domain_id":   domainID(owner.Domain),
			"parent_id":   domainID(owner.Domain),
			"enabled":     true,
			"is_domain":   false,
			"links":       map[string]string{"self": "/v3/projects/" + s.projectID},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"projects": projects,
		"links":    map[string]any{"self": "/v3/projects", "previous": nil, "next": nil},
	})
}
