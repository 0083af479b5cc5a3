// Package api holds the contract of this module, openapi.yaml, and the tests
// that hold it to the two seed pages and to the decisions of hss-api.md: the
// spec and all its examples validate, the seed tables' parameters are in it
// with the right location, type and bounds, the generated client's requests
// pass its validation, and requests that break its rules fail it.
//
// The package has no code of its own; gen embeds the spec for everything else.
package api
