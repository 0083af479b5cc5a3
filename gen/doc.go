// Package gen holds the models, client, server interface and embedded spec that
// oapi-codegen generates from api/openapi.yaml. Nothing here is written by hand:
// change the spec or config.yaml and run `go generate ./gen` (or `make generate`).
//
// Most users import github.com/openhss/hss-go/hss instead, which re-exports the
// types they need and adds authentication, endpoints, errors, retries and checks.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config config.yaml ../api/openapi.yaml
