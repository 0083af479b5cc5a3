package hss

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// hssRegions is the list of hss-api.md "Endpoints and regions".
var hssRegions = []string{
	"cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-11", "cn-north-12",
	"cn-east-2", "cn-east-3", "cn-east-4", "cn-east-5", "cn-south-1", "cn-south-2", "cn-south-4",
	"cn-southwest-2", "cn-southwest-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "af-south-1", "sa-brazil-1", "la-south-2", "la-north-2", "na-mexico-1",
	"tr-west-1", "ae-ad-1", "me-east-1", "my-kualalumpur-1", "ru-moscow-1", "eu-west-101",
}

// clearEndpointEnv unsets the endpoint override of every known region (and
// of extra), so that the caller's environment cannot change the results.
func clearEndpointEnv(t *testing.T, extra ...string) {
	t.Helper()
	for _, id := range append(slices.Clone(hssRegions), extra...) {
		t.Setenv(EndpointEnv(id), "")
	}
}

func TestRegionsMatchDocs(t *testing.T) {
	got := Regions()
	ids := make([]string, len(got))
	for i, r := range got {
		ids[i] = r.ID
	}
	if !slices.IsSorted(ids) {
		t.Errorf("Regions() not sorted by ID: %v", ids)
	}
	want := slices.Sorted(slices.Values(hssRegions))
	if !slices.Equal(ids, want) {
		t.Errorf("Regions() ids =\n%v\nwant (hss-api.md)\n%v", ids, want)
	}
	for _, r := range got {
		if r.ID == "ap-southeast-3" && r.Name != "AP-Singapore" {
			t.Errorf("ap-southeast-3 name = %q, want AP-Singapore", r.Name)
		}
	}
}

func TestRegionsReturnsCopy(t *testing.T) {
	a := Regions()
	a[0] = Region{ID: "changed", Name: "changed"}
	if b := Regions(); b[0].ID == "changed" {
		t.Fatal("changing the slice Regions returned changed the table")
	}
}

func TestRegionEndpoint(t *testing.T) {
	clearEndpointEnv(t)
	tests := map[string]string{
		"ap-southeast-1": "https://hss.ap-southeast-1.myhuaweicloud.com",
		"cn-north-4":     "https://hss.cn-north-4.myhuaweicloud.com",
		"af-south-1":     "https://hss.af-south-1.myhuaweicloud.com",
		"cn-north-12":    "https://hss.cn-north-12.myhuaweicloud.com",
		"eu-west-101":    "https://hss.eu-west-101.myhuaweicloud.eu",
	}
	for region, want := range tests {
		got, err := Endpoint(region)
		if err != nil || got != want {
			t.Errorf("Endpoint(%q) = %q, %v; want %q", region, got, err, want)
		}
	}
	for _, region := range hssRegions {
		got, err := Endpoint(region)
		if err != nil {
			t.Errorf("Endpoint(%q): %v", region, err)
			continue
		}
		if _, err := CheckEndpoint(got); err != nil {
			t.Errorf("Endpoint(%q) = %q, which CheckEndpoint refuses: %v", region, got, err)
		}
		if !strings.HasPrefix(got, "https://hss."+region+".myhuaweicloud.") {
			t.Errorf("Endpoint(%q) = %q", region, got)
		}
	}
}

func TestRegionEndpointEnvOverride(t *testing.T) {
	clearEndpointEnv(t, "xx-test-9")
	if got := EndpointEnv("ap-southeast-1"); got != "HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1" {
		t.Fatalf("EndpointEnv(ap-southeast-1) = %q", got)
	}

	t.Setenv("HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1", "https://hss.example.internal/")
	if got, err := Endpoint("ap-southeast-1"); err != nil || got != "https://hss.example.internal" {
		t.Errorf("with override: Endpoint = %q, %v; want https://hss.example.internal", got, err)
	}
	// Another region is not affected.
	if got, _ := Endpoint("ap-southeast-3"); got != "https://hss.ap-southeast-3.myhuaweicloud.com" {
		t.Errorf("ap-southeast-3 = %q, changed by another region's override", got)
	}

	// The official SDKs accept a comma-separated list; the first is used.
	t.Setenv("HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1", "http://127.0.0.1:8080, https://b.example")
	if got, err := Endpoint("ap-southeast-1"); err != nil || got != "http://127.0.0.1:8080" {
		t.Errorf("with a list: Endpoint = %q, %v; want http://127.0.0.1:8080", got, err)
	}

	// A host without a scheme is taken as https, as the official SDK takes
	// it (and a first entry without one, in a list).
	t.Setenv("HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1", "hss.example.internal:8443,b.example")
	if got, err := Endpoint("ap-southeast-1"); err != nil || got != "https://hss.example.internal:8443" {
		t.Errorf("without a scheme: Endpoint = %q, %v; want https://hss.example.internal:8443", got, err)
	}

	// An override also reaches a region this package does not list.
	t.Setenv("HUAWEICLOUD_SDK_REGION_HSS_XX_TEST_9", "https://hss.xx-test-9.example")
	if got, err := Endpoint("xx-test-9"); err != nil || got != "https://hss.xx-test-9.example" {
		t.Errorf("unknown region with override: Endpoint = %q, %v", got, err)
	}

	// An override is checked like an explicit endpoint, and the error names
	// the variable.
	t.Setenv("HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1", "http://hss.example.com")
	_, err := Endpoint("ap-southeast-1")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1" {
		t.Fatalf("bad override: err = %v, want *ValidationError naming the variable", err)
	}
	if !strings.Contains(ve.Reason, "https") {
		t.Errorf("reason %q does not say why", ve.Reason)
	}
}

func TestRegionUnknown(t *testing.T) {
	clearEndpointEnv(t, "mars-north-1")
	_, err := Endpoint("mars-north-1")
	var ue *UnknownRegionError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T), want *UnknownRegionError", err, err)
	}
	if ue.Region != "mars-north-1" {
		t.Errorf("Region = %q", ue.Region)
	}
	if want := slices.Sorted(slices.Values(hssRegions)); !slices.Equal(ue.Known, want) {
		t.Errorf("Known = %v, want %v", ue.Known, want)
	}
	msg := err.Error()
	for _, s := range []string{`"mars-north-1"`, "ap-southeast-1", "eu-west-101", "HUAWEICLOUD_SDK_REGION_HSS_MARS_NORTH_1"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
}

func TestRegionEmpty(t *testing.T) {
	_, err := Endpoint("")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "region" {
		t.Fatalf("Endpoint(\"\") err = %v, want *ValidationError on region", err)
	}
}

func TestRegionIAMEndpoint(t *testing.T) {
	tests := map[string]string{
		"cn-north-4":       "https://iam.cn-north-4.myhuaweicloud.com",
		"ap-southeast-1":   "https://iam.ap-southeast-1.myhuaweicloud.com",
		"tr-west-1":        "https://iam.tr-west-1.myhuaweicloud.com",
		"my-kualalumpur-1": "https://iam.my-kualalumpur-1.myhuaweicloud.com",
		"eu-west-101":      "https://iam.eu-west-101.myhuaweicloud.eu",
		// In the SDK's IAM list since its 0.1.169 (2025-09).
		"cn-north-12": "https://iam.cn-north-12.myhuaweicloud.com",
		// No regional IAM endpoint in the official SDK's IAM list.
		"cn-north-11":    "https://iam.myhuaweicloud.com",
		"cn-south-4":     "https://iam.myhuaweicloud.com",
		"cn-southwest-3": "https://iam.myhuaweicloud.com",
		// Unknown or empty: the global endpoint answers for every region.
		"mars-north-1": "https://iam.myhuaweicloud.com",
		"":             "https://iam.myhuaweicloud.com",
	}
	for region, want := range tests {
		if got := IAMEndpoint(region); got != want {
			t.Errorf("IAMEndpoint(%q) = %q, want %q", region, got, want)
		}
	}
	for _, region := range hssRegions {
		if _, err := CheckEndpoint(IAMEndpoint(region)); err != nil {
			t.Errorf("IAMEndpoint(%q) = %q, refused by CheckEndpoint: %v", region, IAMEndpoint(region), err)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	ok := map[string]string{
		"https://x":                                "https://x",
		"https://hss.example.com/":                 "https://hss.example.com",
		"https://hss.example.com:8443":             "https://hss.example.com:8443",
		"HTTPS://hss.example.com":                  "https://hss.example.com",
		"http://127.0.0.1":                         "http://127.0.0.1",
		"http://127.0.0.5:80":                      "http://127.0.0.5:80",
		"http://localhost:1":                       "http://localhost:1",
		"http://LOCALHOST:1/":                      "http://LOCALHOST:1",
		"http://[::1]:9":                           "http://[::1]:9",
		"https://[2001:db8::1]:443":                "https://[2001:db8::1]:443",
		"https://10.0.0.1":                         "https://10.0.0.1",
		"https://hss.eu-west-101.myhuaweicloud.eu": "https://hss.eu-west-101.myhuaweicloud.eu",
		"https://xn--h-bga.example.com":            "https://xn--h-bga.example.com",
	}
	for raw, want := range ok {
		u, err := CheckEndpoint(raw)
		if err != nil {
			t.Errorf("CheckEndpoint(%q): %v", raw, err)
			continue
		}
		if got := u.String(); got != want {
			t.Errorf("CheckEndpoint(%q) = %q, want %q", raw, got, want)
		}
	}

	refused := map[string]string{ // raw -> a word the reason must hold
		"":                              "required",
		"http://10.0.0.1":               "https",
		"http://example.com":            "https",
		"http://localhost.example.com":  "https",
		"http://128.0.0.1":              "https",
		"http://[::2]:9":                "https",
		"ftp://127.0.0.1":               "https",
		"ftp://x":                       "https",
		"hss.example.com":               "absolute",
		"//hss.example.com":             "https",
		"https:hss.example.com":         "absolute",
		"https://":                      "absolute",
		"https://hss.example.com/v5":    "path",
		"https://hss.example.com//":     "path",
		"https://hss.example.com?a=b":   "query",
		"https://hss.example.com/?":     "query",
		"https://hss.example.com#frag":  "fragment",
		"https://hss.example.com#":      "fragment",
		"https://user@hss.example.com":  "user info",
		"https://u:pw@hss.example.com":  "user info",
		"https://hss.example.com:0":     "port",
		"https://hss.example.com:70000": "port",
		"https://hss.example.com:abc":   "URL",
		"https://hss example.com":       "URL",
		"https://:443":                  "host",
		// What URL escaping would change: dialled and signed escaped.
		"https://hé.example.com":       "ASCII",
		"https://[fe80::1%25en0]:8443": "zone",
		"https://h%C3%A9.example.com":  "ASCII",
	}
	for raw, word := range refused {
		u, err := CheckEndpoint(raw)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("CheckEndpoint(%q) = %v, %v; want *ValidationError", raw, u, err)
			continue
		}
		if ve.Field != "endpoint" || !strings.Contains(ve.Reason, word) {
			t.Errorf("CheckEndpoint(%q): field %q reason %q; want field endpoint, reason with %q", raw, ve.Field, ve.Reason, word)
		}
	}
}

func TestCheckEndpointHidesPassword(t *testing.T) {
	for _, raw := range []string{"https://u:s3cret@hss.example.com", "https://u:s3cret@hss example.com", "http://u:s3cret@10.0.0.1/x"} {
		_, err := CheckEndpoint(raw)
		if err == nil {
			t.Fatalf("CheckEndpoint(%q) accepted", raw)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error %q repeats the password", err)
		}
	}
}
