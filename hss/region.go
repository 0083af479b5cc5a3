package hss

import (
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Region is a Huawei Cloud region that serves HSS.
type Region struct {
	// ID is the region id used in endpoints and project names, such as
	// "ap-southeast-3".
	ID string
	// Name is the region's English display name, such as "AP-Singapore";
	// empty where no public name was found.
	Name string
}

// regionInfo is one row of the region table.
type regionInfo struct {
	Region
	// regionalIAM says whether IAM has an endpoint in the region; the others
	// use the global one. From the IAM region lists of the official SDKs.
	regionalIAM bool
}

// regionTable lists the regions that serve HSS, sorted by ID (hss-api.md
// "Endpoints and regions").
var regionTable = [...]regionInfo{
	{Region{"ae-ad-1", ""}, true},
	{Region{"af-south-1", "AF-Johannesburg"}, true},
	{Region{"ap-southeast-1", "CN-Hong Kong"}, true},
	{Region{"ap-southeast-2", "AP-Bangkok"}, true},
	{Region{"ap-southeast-3", "AP-Singapore"}, true},
	{Region{"ap-southeast-4", "AP-Jakarta"}, true},
	{Region{"cn-east-2", "CN East-Shanghai2"}, true},
	{Region{"cn-east-3", "CN East-Shanghai1"}, true},
	{Region{"cn-east-4", "CN East2"}, true},
	{Region{"cn-east-5", "CN East-Qingdao"}, true},
	{Region{"cn-north-1", "CN North-Beijing1"}, true},
	{Region{"cn-north-11", ""}, false},
	{Region{"cn-north-12", ""}, true}, // in the SDK's IAM list since its 0.1.169 (2025-09)
	{Region{"cn-north-2", "CN North-Beijing2"}, true},
	{Region{"cn-north-4", "CN North-Beijing4"}, true},
	{Region{"cn-north-9", "CN North-Ulanqab1"}, true},
	{Region{"cn-south-1", "CN South-Guangzhou"}, true},
	{Region{"cn-south-2", "CN South-Shenzhen"}, true},
	{Region{"cn-south-4", "CN South-Guangzhou-InvitationOnly"}, false},
	{Region{"cn-southwest-2", "CN Southwest-Guiyang1"}, true},
	{Region{"cn-southwest-3", ""}, false},
	{Region{"eu-west-101", "EU-Dublin"}, true},
	{Region{"la-north-2", "LA-Mexico City2"}, true},
	{Region{"la-south-2", "LA-Santiago"}, true},
	{Region{"me-east-1", "ME-Riyadh"}, true},
	{Region{"my-kualalumpur-1", ""}, true},
	{Region{"na-mexico-1", "LA-Mexico City1"}, true},
	{Region{"ru-moscow-1", ""}, true},
	{Region{"sa-brazil-1", "LA-Sao Paulo1"}, true},
	{Region{"tr-west-1", "TR-Istanbul"}, true},
}

// envEndpointPrefix starts the name of the environment variable that
// replaces a region's HSS endpoint, as in the official SDKs.
const envEndpointPrefix = "HUAWEICLOUD_SDK_REGION_HSS_"

// globalIAMEndpoint is the IAM endpoint of the global region, which answers
// for every region.
const globalIAMEndpoint = "https://iam.myhuaweicloud.com"

// Regions returns the regions that serve HSS, sorted by ID. The slice is a
// copy: changing it changes nothing else.
func Regions() []Region {
	out := make([]Region, len(regionTable))
	for i, r := range regionTable {
		out[i] = r.Region
	}
	return out
}

// lookupRegion returns the table row of id.
func lookupRegion(id string) (regionInfo, bool) {
	i, ok := slices.BinarySearchFunc(regionTable[:], id, func(r regionInfo, id string) int {
		return strings.Compare(r.ID, id)
	})
	if !ok {
		return regionInfo{}, false
	}
	return regionTable[i], true
}

// domainOf is the DNS suffix of a region's endpoints: eu-west-101 lives
// under .eu, every other region under .com.
func domainOf(region string) string {
	if region == "eu-west-101" {
		return "myhuaweicloud.eu"
	}
	return "myhuaweicloud.com"
}

// EndpointEnv returns the name of the environment variable that replaces
// the HSS endpoint of region, as in the official SDKs: the region id
// upper-cased, with '-' turned to '_', after HUAWEICLOUD_SDK_REGION_HSS_
// (HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1 for ap-southeast-1).
func EndpointEnv(region string) string {
	return envEndpointPrefix + strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}

// UnknownRegionError is returned by Endpoint for a region that is not known
// to serve HSS. Set Config.Endpoint, or the variable EndpointEnv(Region)
// names, to reach a region this package does not list yet.
type UnknownRegionError struct {
	// Region is the region id asked for.
	Region string
	// Known lists the region ids that serve HSS, sorted.
	Known []string
}

// Error reads `hss: unknown region "xx-1" (known: ae-ad-1, ...; or set the
// endpoint explicitly, or HUAWEICLOUD_SDK_REGION_HSS_XX_1)`.
func (e *UnknownRegionError) Error() string {
	return "hss: unknown region " + strconv.Quote(e.Region) + " (known: " + strings.Join(e.Known, ", ") +
		"; or set the endpoint explicitly, or " + EndpointEnv(e.Region) + ")"
}

// withScheme puts https:// before an endpoint read from the environment
// that has no scheme ("hss.example.com"), as the official SDK does with the
// same variables, so that one environment serves both.
func withScheme(v string) string {
	if v != "" && !strings.Contains(v, "://") {
		return "https://" + v
	}
	return v
}

// Endpoint returns the HSS endpoint of region, without a trailing slash:
// the environment variable EndpointEnv(region) when it is set (checked like
// an explicit endpoint, see CheckEndpoint, with https:// put before a host
// given without a scheme, as the official SDK does; of a comma-separated
// list the first is used: the official SDK takes such a list as endpoints
// to fail over between, which this client does not do), else
// https://hss.{region}.myhuaweicloud.com, or .eu for eu-west-101.
//
// An empty region is a *ValidationError; a region not in Regions is an
// *UnknownRegionError.
func Endpoint(region string) (string, error) {
	if region == "" {
		return "", &ValidationError{Field: "region", Reason: "required"}
	}
	env := EndpointEnv(region)
	if v := os.Getenv(env); v != "" {
		first, _, _ := strings.Cut(v, ",")
		u, err := CheckEndpoint(withScheme(strings.TrimSpace(first)))
		if err != nil {
			reason := err.Error()
			if ve, ok := err.(*ValidationError); ok {
				reason = ve.Reason
			}
			return "", &ValidationError{Field: env, Reason: reason}
		}
		return u.String(), nil
	}
	if _, ok := lookupRegion(region); !ok {
		known := make([]string, len(regionTable))
		for i, r := range regionTable {
			known[i] = r.ID
		}
		return "", &UnknownRegionError{Region: region, Known: known}
	}
	return "https://hss." + region + "." + domainOf(region), nil
}

// IAMEndpoint returns the IAM endpoint for region, without a trailing
// slash: https://iam.{region}.myhuaweicloud.com (.eu for eu-west-101) where
// IAM has a regional endpoint, else the global https://iam.myhuaweicloud.com,
// which answers for every region.
func IAMEndpoint(region string) string {
	if r, ok := lookupRegion(region); ok && r.regionalIAM {
		return "https://iam." + region + "." + domainOf(region)
	}
	return globalIAMEndpoint
}

// CheckEndpoint parses an explicit endpoint, such as
// "https://hss.example.internal" or "http://127.0.0.1:8080", and returns it
// without a trailing slash. It must be an absolute https URL, or http on a
// loopback host (127.0.0.0/8, ::1, localhost), with no user info, path
// (other than "/"), query or fragment. Errors are *ValidationError on field
// "endpoint"; they never repeat the URL, which might hold a password.
func CheckEndpoint(raw string) (*url.URL, error) {
	refuse := func(reason string) (*url.URL, error) {
		return nil, &ValidationError{Field: "endpoint", Reason: reason}
	}
	if raw == "" {
		return refuse("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return refuse("not a valid URL")
	}
	if u.User != nil {
		return refuse("must not contain user info")
	}
	if u.Opaque != "" || u.Host == "" {
		return refuse("must be an absolute URL with a host, such as https://hss.example.com")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return refuse("must use https (http is allowed only for loopback hosts)")
		}
	default:
		return refuse("must use https")
	}
	if u.Hostname() == "" {
		return refuse("has no host name")
	}
	for i := 0; i < len(u.Host); i++ {
		// The request's host is the endpoint's text as written: a host
		// that URL escaping would change (non-ASCII, an IPv6 zone) would
		// be dialled, and signed, in its escaped form.
		if c := u.Host[i]; c >= 0x80 || c == '%' {
			return refuse("host must be ASCII, without an IPv6 zone (give an internationalized name in its xn-- form)")
		}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return refuse("port must be 1 to 65535")
		}
	}
	if u.Path != "" && u.Path != "/" {
		return refuse("must not have a path")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return refuse("must not have a query")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return refuse("must not have a fragment")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// isLoopback reports whether host (without port or brackets) is a loopback
// name or address: localhost, 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
