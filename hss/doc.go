// Package hss is a client for Huawei Cloud Host Security Service (HSS) API
// v5, for the two jobs of security operations: exporting the intrusion
// alarms HSS raised (ExportEvents, ShowExportTask, DownloadExportedFile, and
// ExportTo and ExportToFile, which do all three; an export that stops after
// it was accepted is an *ExportError, which ResumeExportTo and
// ResumeExportToFile finish) and handling them (HandleEvents: mark handled,
// ignore, whitelist, isolate and kill, and their undos, built by
// MarkAsHandledRequest and the other builders, and merged into one call by
// BatchRequests).
//
// A Client is made by New from a Config: a region (which gives the HSS and
// IAM endpoints, or set them), and credentials of one of three kinds:
// AccessKey (every request signed with SDK-HMAC-SHA256, with an optional
// security token), Token (a ready IAM token) or Password (an IAM user, whose
// token the client obtains, caches and renews). ConfigFromEnv reads the
// environment variables of the official SDKs. A Client is safe for
// concurrent use.
//
// Every call checks its input before sending anything and returns a
// *ValidationError naming the field when a check fails; CheckExport and
// CheckHandle run the same checks without a client. A service failure is an
// *APIError with the HTTP status, error code, message and request id; an
// answer the client cannot use although its status was no error (a body
// that does not decode, an export without a task id, an IAM token without
// X-Subject-Token) is an *AnswerError.
// Throttled calls, and GETs that meet a server or gateway error, are
// retried within the context's deadline.
//
// The types of the requests and answers are those of package gen, generated
// from api/openapi.yaml, under shorter names. Package hsstest is an
// in-memory fake of the service for tests; package signer is the request
// signer.
package hss
