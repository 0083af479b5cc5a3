package interop

import (
	"fmt"
	"net/http"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	hssv5 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5"

	"github.com/openhss/hss-go/hss"
)

// Region is the region both clients are configured for. Neither looks it up:
// the project id is given and the endpoint is the recorder.
const Region = "ap-southeast-1"

// Credentials are the AK/SK credentials and the project both clients get.
type Credentials struct {
	ProjectID     string
	AccessKey     string
	SecretKey     string
	SecurityToken string // optional
}

// String hides the secret key and the token.
func (c Credentials) String() string {
	return fmt.Sprintf("interop.Credentials{ProjectID: %q, AccessKey: %q, SecretKey: [redacted], SecurityToken: %t}",
		c.ProjectID, c.AccessKey, c.SecurityToken != "")
}

// GoString is String, so %#v hides the secrets too.
func (c Credentials) GoString() string { return c.String() }

// NewClient returns this project's client, sending to endpoint (the
// recorder's URL) with creds, without retries.
func NewClient(endpoint string, creds Credentials, hc *http.Client) (*hss.Client, error) {
	return hss.New(hss.Config{
		Region:      Region,
		ProjectID:   creds.ProjectID,
		Endpoint:    endpoint,
		Credentials: hss.AccessKey{ID: creds.AccessKey, Secret: creds.SecretKey, SecurityToken: creds.SecurityToken},
		HTTPClient:  hc,
		MaxAttempts: 1,
	})
}

// SDKUserAgent is the User-Agent product the official SDK is given. Without
// one, the SDK builds its own from the OS and, as a side effect, creates
// ~/.huaweicloud/application_id.
const SDKUserAgent = "hss-go-interop"

// NewSDKClient returns the official SDK's HSS v5 client, sending to endpoint
// (the recorder's URL) with creds.
//
// The SDK is built without a region, so it makes no IAM call (it would list
// the projects when ProjectId is empty) and uses the endpoint as given. It
// has no retries to disable: HttpConfig.Retries is unused by synchronous
// calls, and the only repeat is a failover to the next endpoint after a DNS
// or certificate error, which needs more than one endpoint. transport, when
// not nil, replaces the SDK's own http.Transport.
func NewSDKClient(endpoint string, creds Credentials, transport *http.Transport) (*hssv5.HssClient, error) {
	cb := basic.NewCredentialsBuilder().
		WithAk(creds.AccessKey).
		WithSk(creds.SecretKey).
		WithProjectId(creds.ProjectID)
	if creds.SecurityToken != "" {
		cb = cb.WithSecurityToken(creds.SecurityToken)
	}
	cred, err := cb.SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("official sdk credentials: %w", err)
	}
	hc := config.DefaultHttpConfig().WithUserAgent(SDKUserAgent)
	if transport != nil {
		hc = hc.WithHttpTransport(transport)
	}
	client, err := hssv5.HssClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(cred).
		WithHttpConfig(hc).
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("official sdk client: %w", err)
	}
	return hssv5.NewHssClient(client), nil
}
