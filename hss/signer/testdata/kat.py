#!/usr/bin/env python3
"""Known answers for the SDK-HMAC-SHA256 signer, derived independently of the Go code.

Run: python3 hss/signer/testdata/kat.py
It prints, for each case, the canonical request, the string to sign, the
signature and the Authorization header that kat_test.go pins. The algorithm
follows docs/hss-api.md ("AK/SK request signing") and the decisions in
package signer's documentation:

- escape: keep A-Z a-z 0-9 - _ . ~; every other byte becomes %XY (upper case).
- URI: split the escaped path on '/', percent-decode each segment ('+' stays),
  escape it, join with '/', end with '/'.
- query: split on '&' (skip empty pieces), then on the first '='; form-decode
  key and value ('+' is a space); sort by decoded key, then decoded value
  (bytes); escape both; join key=value with '&'.
- headers: host and x-sdk-date always; content-type, x-project-id,
  x-security-token when sent; "name:trimmed value\n" sorted by name.
- canonical request: METHOD, URI, query, headers, signed headers, body hash,
  joined with '\n' (so an empty line follows the last header line).
- string to sign: SDK-HMAC-SHA256, X-Sdk-Date, hex sha256(canonical request).
- signature: hex hmac-sha256(secret key, string to sign).
"""

import hashlib
import hmac
import json
from urllib.parse import unquote_to_bytes

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

ACCESS_KEY = "HPUAEXAMPLEAK0000001"
SECRET_KEY = "ExampleSecretKey/with+chars=0123456789ab"
DATE = "20240102T030405Z"
PROJECT = "0123456789abcdef0123456789abcdef"

CASES = [
    {
        "name": "export",
        "method": "POST",
        "host": "hss.ap-southeast-1.myhuaweicloud.com",
        "path": "/v5/" + PROJECT + "/event/export",
        "query": "enterprise_project_id=all_granted_eps&limit=200&offset=0&category=host"
        "&severity_list=High&severity_list=Critical&severity_list=Medium&handle_status=unhandled",
        "headers": [("Content-Type", "application/json;charset=UTF-8"), ("X-Project-Id", PROJECT)],
        "body": b'{"export_headers":[["event_type","Event type"]]}',
    },
    {
        "name": "reserved",
        "method": "GET",
        "host": "hss.example.com:8443",
        "path": "/v5/a%20b/c+d/e=f&g/%25/%E4%B8%AD%E6%96%87/%F0%9F%98%80/",
        "query": "q=a%20b%2Fc&q=a+b&plus=%2B&plus=+&eq=%3D%3D&amp=%26&pct=%25"
        "&zh=%E4%B8%AD%E6%96%87&emoji=%F0%9F%98%80&empty=&novalue&b=2&b=10&b=1"
        "&%E4%B8%AD=key&&tilde=~-_.",
        "headers": [],
        "body": b"",
    },
    {
        "name": "token",
        "method": "GET",
        "host": "override.example.com",
        "path": "",
        "query": "",
        "headers": [("X-Security-Token", "gQpzZWN1cml0eS10b2tlbi1leGFtcGxl"), ("X-Project-Id", PROJECT)],
        "body": b"",
    },
    {
        "name": "whitespace",
        "method": "PUT",
        "host": "hss.cn-north-4.myhuaweicloud.com",
        "path": "/v5/p/",
        "query": "k=v",
        "headers": [("Content-Type", "  text/plain; charset=utf-8 \t")],
        "body": "hello 世界".encode(),
    },
    {
        "name": "example",
        "method": "GET",
        "host": "hss.ap-southeast-1.myhuaweicloud.com",
        "path": "/v5/" + PROJECT + "/event/export-task/task-1",
        "query": "enterprise_project_id=0",
        "headers": [("X-Project-Id", PROJECT)],
        "body": b"",
    },
]

SIGNABLE = {"content-type", "x-project-id", "x-security-token"}


def escape(data: bytes) -> str:
    return "".join(chr(b) if b in UNRESERVED else "%%%02X" % b for b in data)


def canonical_uri(path: str) -> str:
    uri = "/".join(escape(unquote_to_bytes(seg)) for seg in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: str) -> str:
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append((unquote_to_bytes(key.replace("+", " ")), unquote_to_bytes(value.replace("+", " "))))
    pairs.sort()
    return "&".join(escape(k) + "=" + escape(v) for k, v in pairs)


def sign(case):
    headers = {"host": case["host"], "x-sdk-date": DATE}
    for name, value in case["headers"]:
        if name.lower() in SIGNABLE:
            headers[name.lower()] = value
    names = sorted(headers)
    canonical_headers = "".join(n + ":" + headers[n].strip(" \t") + "\n" for n in names)
    signed_headers = ";".join(names)
    body_hash = hashlib.sha256(case["body"]).hexdigest()
    canonical_request = "\n".join([
        case["method"],
        canonical_uri(case["path"]),
        canonical_query(case["query"]),
        canonical_headers,
        signed_headers,
        body_hash,
    ])
    string_to_sign = "\n".join([
        "SDK-HMAC-SHA256",
        DATE,
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])
    signature = hmac.new(SECRET_KEY.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        ACCESS_KEY, signed_headers, signature)
    return canonical_request, string_to_sign, signature, authorization


def go_string(s: str) -> str:
    # JSON string syntax is valid Go for these ASCII-only values.
    return json.dumps(s)


def main():
    print("// Generated by testdata/kat.py; do not edit by hand.")
    print("var katWant = map[string]katAnswer{")
    for case in CASES:
        cr, sts, sig, auth = sign(case)
        print("\t%s: {" % go_string(case["name"]))
        print("\t\tcanonicalRequest: %s," % go_string(cr))
        print("\t\tstringToSign:     %s," % go_string(sts))
        print("\t\tsignature:        %s," % go_string(sig))
        print("\t\tauthorization:    %s," % go_string(auth))
        print("\t},")
    print("}")


if __name__ == "__main__":
    main()
