// Package hsstest is an in-memory fake of Huawei Cloud HSS (Host Security
// Service) v5 — intrusion event export and alarm handling — together with the
// few IAM calls a client makes, for tests: ours and yours. It plays the part
// net/http/httptest and cloud.google.com/go/pubsub/pstest play for theirs.
//
//	srv := hsstest.NewServer(hsstest.Options{})
//	defer srv.Close()
//	// Point a client at srv.URL for both the HSS and the IAM endpoint, with
//	// hsstest.DefaultAccessKey/DefaultSecretKey or DefaultDomain/DefaultUser/
//	// DefaultPassword, and project srv.ProjectID().
//
// What it checks, as the real service and its API gateway do:
//
//   - Authentication: a valid X-Auth-Token (issued by its IAM, or listed in
//     Options.Tokens) or an SDK-HMAC-SHA256 signature of a known access key,
//     dated within 15 minutes of Options.Now. Otherwise 401 APIGW.0301.
//   - The contract: every HSS request is validated against api/openapi.yaml
//     (the spec embedded in package gen); a violation answers 400 HSS.1001
//     naming the field. The cross-field rules OpenAPI cannot state
//     (hss-api.md decisions 4 and 8) are enforced too.
//   - Its own answers: every HSS response is validated against the spec as
//     well. A violation is a bug in the fake: it answers 500 HSS.FAKE and
//     reports it through Options.Logf.
//
// What it keeps: a set of events (a realistic seeded set unless
// Options.Events says otherwise), export tasks and their CSV files, alarm
// whitelist rules, and every request it received (Server.Requests), with
// secrets redacted.
//
// Error codes it answers with:
//
//	APIGW.0101  404/405  no such API (HSS path or method unknown)
//	APIGW.0301  401      missing or invalid authentication
//	APIGW.0308  429      throttled (the default body of a 429 Fault)
//	HSS.1001    400      the request breaks the spec or a cross-field rule
//	HSS.1001    413      the request body is over 8 MiB (400: it did not arrive whole)
//	HSS.1003    403      the path's project_id is not the fake's project
//	HSS.1004    404      no such export task or file
//	HSS.FAKE    500      the fake broke the spec (a bug in hsstest)
//	HSS.FAULT   any      the default body of an injected Fault's Status
//
// IAM (under /v3/) answers errors in IAM's nested shape,
// {"error":{"code":401,"message":"...","title":"Unauthorized"}}.
//
// Faults (Server.InjectFault) make it answer an error status, answer late,
// never answer, or cut a body midway, so that retries, timeouts and
// truncated downloads can be tested.
package hsstest
