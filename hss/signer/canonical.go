package signer

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
)

// upperHex is the digit set of the signing escape, which writes %XY in upper case.
const upperHex = "0123456789ABCDEF"

// unreservedSet marks the bytes the signing escape keeps: A-Z a-z 0-9 - _ . ~
// (the RFC 3986 unreserved set).
var unreservedSet = func() (set [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~") {
		set[c] = true
	}
	return set
}()

// unreservedBits is unreservedSet as 1 and 0, so that the bits of several
// bytes can be ANDed and tested with one branch.
var unreservedBits = func() (bits [256]uint8) {
	for c, ok := range unreservedSet {
		if ok {
			bits[c] = 1
		}
	}
	return bits
}()

// unreservedRun returns the index of the first byte of s at or after i that
// is not unreserved, or len(s). It tests four bytes a step: most of a query,
// a path segment or a value to escape is unreserved.
func unreservedRun[S string | []byte](s S, i int) int {
	for ; i+4 <= len(s); i += 4 {
		if unreservedBits[s[i]]&unreservedBits[s[i+1]]&unreservedBits[s[i+2]]&unreservedBits[s[i+3]] == 0 {
			break
		}
	}
	for i < len(s) && unreservedSet[s[i]] {
		i++
	}
	return i
}

// unreserved reports whether the signing escape keeps c as it is.
func unreserved(c byte) bool { return unreservedSet[c] }

// plainPath reports whether every byte of path is unreserved or '/': such a
// path is its own escaped form and its own canonical URI (but for the final
// '/').
func plainPath(path string) bool {
	for i := 0; i < len(path); i++ {
		if !unreservedSet[path[i]] && path[i] != '/' {
			return false
		}
	}
	return true
}

// appendEscaped appends s to dst with the signing escape applied: every byte
// outside the unreserved set becomes %XY, so each byte of a multi-byte UTF-8
// character is escaped on its own.
func appendEscaped[S string | []byte](dst []byte, s S) []byte {
	for len(s) > 0 {
		// Copy the run of bytes kept as they are in one append.
		i := unreservedRun(s, 0)
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		c := s[i]
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		s = s[i+1:]
	}
	return dst
}

func appendEscapedByte(dst []byte, c byte) []byte {
	if unreservedSet[c] {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// unhex returns the value of the hex digit c, and false if c is not one.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeAt decodes the byte of s at i: a %XY escape, a '+' (a space when
// plusIsSpace), or a literal byte. A '%' that does not start a valid escape is
// taken literally, so no input is an error. It returns the byte and the
// number of input bytes it used.
func decodeAt(s string, i int, plusIsSpace bool) (byte, int) {
	c := s[i]
	switch {
	case c == '%' && i+2 < len(s):
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if ok1 && ok2 {
			return hi<<4 | lo, 3
		}
	case c == '+' && plusIsSpace:
		return ' ', 1
	}
	return c, 1
}

// appendUnescaped appends the decoded form of s to dst (see decodeAt). The
// result is never longer than s.
func appendUnescaped(dst []byte, s string, plusIsSpace bool) []byte {
	if strings.IndexByte(s, '%') < 0 && (!plusIsSpace || strings.IndexByte(s, '+') < 0) {
		return append(dst, s...) // the common case: nothing to decode
	}
	for len(s) > 0 {
		// Copy the run of bytes that decode to themselves in one append.
		i := 0
		for i < len(s) && s[i] != '%' && (s[i] != '+' || !plusIsSpace) {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		c, n := decodeAt(s, i, plusIsSpace)
		dst = append(dst, c)
		s = s[i+n:]
	}
	return dst
}

// appendRecodedSegment decodes a path segment and re-encodes it with the
// signing escape in one pass; both steps work byte by byte, so no
// intermediate buffer is needed.
func appendRecodedSegment(dst []byte, segment string) []byte {
	// The unreserved bytes at the start (often the whole segment) decode
	// and encode to themselves: copy them in one append.
	i := unreservedRun(segment, 0)
	dst = append(dst, segment[:i]...)
	for i < len(segment) {
		c, n := decodeAt(segment, i, false)
		dst = appendEscapedByte(dst, c)
		i += n
	}
	return dst
}

// CanonicalURI returns the canonical URI of an escaped request path (the
// path as sent on the wire, url.URL.EscapedPath). The path is split on '/';
// each segment is unescaped ('+' stays '+': it is not a space in a path) and
// re-encoded with the signing escape; the result always ends with '/'.
//
// Splitting happens before unescaping, so an escaped slash (%2F) stays inside
// its segment and is signed as %2F. A '%' that does not start a valid escape
// is taken literally and signed as %25. An empty path is "/".
func CanonicalURI(escapedPath string) string {
	return string(appendCanonicalURI(make([]byte, 0, len(escapedPath)+8), escapedPath))
}

func appendCanonicalURI(dst []byte, escapedPath string) []byte {
	for rest := escapedPath; ; {
		segment, tail, more := strings.Cut(rest, "/")
		dst = appendRecodedSegment(dst, segment)
		if !more {
			break
		}
		dst = append(dst, '/')
		rest = tail
	}
	if len(dst) == 0 || dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	return dst
}

// queryPair is one decoded query parameter: its key and value as offsets
// into the arena appendCanonicalQuery decodes into. Offsets rather than
// slices keep the arena and the pairs on the stack.
type queryPair struct{ keyStart, keyEnd, valueEnd int }

// CanonicalQuery returns the canonical query string of a raw query (the
// query as sent on the wire, url.URL.RawQuery, without the '?').
//
// The query is read the way url.ParseQuery and the API gateway read it: split
// on '&' (empty pieces are skipped; ';' is an ordinary character), then on the
// first '='; a piece without '=' is a key with an empty value. Keys and values
// are form-decoded: %XY is a byte and '+' is a space, so "a+b" and "a%20b"
// sign the same ("a%20b"); a literal plus must be sent as %2B, as
// url.QueryEscape does. A '%' that does not start a valid escape is taken
// literally. The pairs are sorted by decoded key, then by decoded value
// (bytewise), re-encoded with the signing escape and joined as key=value with
// '&'.
func CanonicalQuery(rawQuery string) string {
	return string(appendCanonicalQuery(make([]byte, 0, len(rawQuery)+16), rawQuery))
}

func appendCanonicalQuery(dst []byte, rawQuery string) []byte {
	if rawQuery == "" {
		return dst
	}
	if out, ok := appendPlainCanonicalQuery(dst, rawQuery); ok {
		return out
	}
	return appendDecodedCanonicalQuery(dst, rawQuery)
}

// appendDecodedCanonicalQuery is appendCanonicalQuery for any query: each
// key and value decoded into an arena, sorted and re-encoded.
func appendDecodedCanonicalQuery(dst []byte, rawQuery string) []byte {
	// Decoding never lengthens its input, so an arena as long as the raw
	// query holds every decoded key and value.
	var arenaBuf [512]byte
	arena := arenaBuf[:0]
	if len(rawQuery) > len(arenaBuf) {
		arena = make([]byte, 0, len(rawQuery))
	}
	var pairsBuf [16]queryPair
	pairs := pairsBuf[:0]
	for rest := rawQuery; rest != ""; {
		var piece string
		piece, rest, _ = strings.Cut(rest, "&")
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		p := queryPair{keyStart: len(arena)}
		arena = appendUnescaped(arena, k, true)
		p.keyEnd = len(arena)
		arena = appendUnescaped(arena, v, true)
		p.valueEnd = len(arena)
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := bytes.Compare(arena[a.keyStart:a.keyEnd], arena[b.keyStart:b.keyEnd]); c != 0 {
			return c
		}
		return bytes.Compare(arena[a.keyEnd:a.valueEnd], arena[b.keyEnd:b.valueEnd])
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendEscaped(dst, arena[p.keyStart:p.keyEnd])
		dst = append(dst, '=')
		dst = appendEscaped(dst, arena[p.keyEnd:p.valueEnd])
	}
	return dst
}

// plainPair is a key=value piece of a plain query: offsets into the query.
type plainPair struct{ start, eq, end int }

// maxInsertionSort is the number of pairs up to which an unsorted plain
// query is sorted by insertion, in a table on the stack: a query is usually
// sorted but for the values of one list, which insertion puts in place in a
// few moves.
const maxInsertionSort = 32

// appendPlainCanonicalQuery is appendCanonicalQuery for the queries this
// module sends: every byte unreserved or a separator, every piece one
// key=value. Such a query decodes to itself, so its canonical form is its
// pieces sorted, with no decoding, escaping or arena; when they are already
// sorted, it is the query itself. ok is false, and dst is unchanged, for
// any other query, which takes the general path.
//
// One pass over the bytes checks them, splits the pieces and notes whether
// each is in order after the one before; it keeps the first
// maxInsertionSort pieces in a table on the stack, so that a sorted query,
// however long, costs no allocation.
func appendPlainCanonicalQuery(dst []byte, q string) ([]byte, bool) {
	var pairsBuf [maxInsertionSort]plainPair
	pairs := pairsBuf[:0]
	n := 0 // pieces seen; more than len(pairs) when the table is full
	var prev plainPair
	sorted := true
	start, eq := 0, -1
	for i := 0; ; i++ {
		// Skip the run of unreserved bytes, then look at what ends it.
		i = unreservedRun(q, i)
		if i < len(q) {
			switch q[i] {
			case '=':
				if eq >= 0 {
					return dst, false // "k=a=b" signs as "k=a%3Db"
				}
				eq = i
				continue
			case '&':
			default:
				return dst, false
			}
		}
		// The end of a piece, at '&' or at the end of the query.
		if eq < 0 {
			// "k" signs as "k="; an empty piece (a leading, doubled or
			// trailing '&') is skipped by the general path.
			return dst, false
		}
		p := plainPair{start: start, eq: eq, end: i}
		if n > 0 && sorted && comparePlain(q, prev, p) > 0 {
			sorted = false
		}
		if len(pairs) < cap(pairs) {
			pairs = append(pairs, p)
		}
		prev = p
		n++
		if i == len(q) {
			break
		}
		start, eq = i+1, -1
	}
	if sorted {
		return append(dst, q...), true // the common case: nothing to sort
	}
	if n <= maxInsertionSort {
		for i := 1; i < len(pairs); i++ {
			p, j := pairs[i], i
			for ; j > 0 && comparePlain(q, pairs[j-1], p) > 0; j-- {
				pairs[j] = pairs[j-1]
			}
			pairs[j] = p
		}
	} else {
		// A long unsorted query: split it again into a table of its own.
		pairs = make([]plainPair, 0, n)
		for start := 0; start <= len(q); {
			end := strings.IndexByte(q[start:], '&')
			if end < 0 {
				end = len(q)
			} else {
				end += start
			}
			pairs = append(pairs, plainPair{start: start, eq: start + strings.IndexByte(q[start:end], '='), end: end})
			start = end + 1
		}
		slices.SortFunc(pairs, func(a, b plainPair) int { return comparePlain(q, a, b) })
	}
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, q[p.start:p.end]...)
	}
	return dst, true
}

// comparePlain orders two pieces of a plain query by key, then by value.
func comparePlain(q string, a, b plainPair) int {
	if c := strings.Compare(q[a.start:a.eq], q[b.start:b.eq]); c != 0 {
		return c
	}
	return strings.Compare(q[a.eq+1:a.end], q[b.eq+1:b.end])
}

// requestMethod is req's method as net/http sends it: GET when empty.
func requestMethod(req *http.Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return req.Method
}

// requestHost is the host the request is sent to, as net/http's client
// chooses it: req.Host if set, else req.URL.Host. On a server, req.Host is
// the received Host header.
func requestHost(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	if req.URL != nil {
		return req.URL.Host
	}
	return ""
}

// headerKey maps a lower-case header name to its key in http.Header without
// allocating for the names the signer signs by itself.
func headerKey(lower string) string {
	switch lower {
	case "content-type":
		return "Content-Type"
	case "x-sdk-date":
		return HeaderDate
	case "x-project-id":
		return HeaderProjectID
	case "x-security-token":
		return HeaderSecurityToken
	}
	return http.CanonicalHeaderKey(lower)
}

// appendCanonicalHeaders appends one line "name:value\n" per signed header,
// in the order given. The value is trimmed of white space; a header sent with
// several values has them trimmed and joined with ',' in the order sent (as
// RFC 9110 combines field lines); an absent header has an empty value. "host"
// is requestHost. A non-nil sdkDate is the value of x-sdk-date: Sign sets
// that header only after signing, with the date and the signature in one
// allocation. A non-nil values holds, for each signed header, its values as
// the caller already looked them up (Sign does, to choose the headers), so
// that the header map is read once per header.
func appendCanonicalHeaders(dst []byte, req *http.Request, signedHeaders []string, values [][]string, sdkDate []byte) []byte {
	for i, name := range signedHeaders {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch {
		case name == "host":
			dst = append(dst, strings.TrimSpace(requestHost(req))...)
		case name == "x-sdk-date" && sdkDate != nil:
			dst = append(dst, sdkDate...)
		default:
			for j, v := range signedValues(req, values, i, name) {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, strings.TrimSpace(v)...)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// signedValues returns the values of signedHeaders[i], name: values[i], or,
// when values is nil, req's.
func signedValues(req *http.Request, values [][]string, i int, name string) []string {
	if values != nil {
		return values[i]
	}
	return req.Header[headerKey(name)]
}

func appendSignedHeaders(dst []byte, signedHeaders []string) []byte {
	for i, name := range signedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, name...)
	}
	return dst
}

// CanonicalRequest returns the canonical request of req:
//
//	METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n payloadHash
//
// CanonicalHeaders has one "name:value\n" line per signed header, so an empty
// line follows the last one. signedHeaders are lower-case names in the order
// to sign them (sorted, as Sign and Verify require). An empty method is GET,
// as net/http reads it. The path and query are taken as sent on the wire:
// req.URL.EscapedPath() and req.URL.RawQuery.
func CanonicalRequest(req *http.Request, signedHeaders []string, payloadHash string) string {
	return string(appendCanonicalRequest(make([]byte, 0, 512), req, signedHeaders, nil, payloadHash, nil))
}

// appendCanonicalRequest appends the canonical request; values, when not
// nil, are the signed headers' values, and sdkDate, when not nil, stands for
// the X-Sdk-Date header (see appendCanonicalHeaders).
func appendCanonicalRequest(dst []byte, req *http.Request, signedHeaders []string, values [][]string, payloadHash string, sdkDate []byte) []byte {
	return appendCanonicalTail(appendCanonicalHead(dst, req), req, signedHeaders, values, 0, payloadHash, sdkDate)
}

// appendCanonicalTail appends the canonical request from the canonical
// header signedHeaders[k] on: those headers, then appendCanonicalRest.
// Room for all of it is made first: a security token among them, in a
// buffer that grew after it was written, would be left in the array the
// buffer left, where clearing the buffer does not reach it. (A Signer
// starts the tail at x-sdk-date, which the token sorts after.)
func appendCanonicalTail(dst []byte, req *http.Request, signedHeaders []string, values [][]string, k int, payloadHash string, sdkDate []byte) []byte {
	dst = slices.Grow(dst, tailLen(req, signedHeaders, values, k, payloadHash, sdkDate))
	var rest [][]string // nil: read from req.Header
	if values != nil {
		rest = values[k:]
	}
	dst = appendCanonicalHeaders(dst, req, signedHeaders[k:], rest, sdkDate)
	return appendCanonicalRest(dst, signedHeaders, payloadHash)
}

// tailLen is at least the length of what appendCanonicalTail appends: the
// values are counted untrimmed, so never shorter than written.
func tailLen(req *http.Request, signedHeaders []string, values [][]string, k int, payloadHash string, sdkDate []byte) int {
	n := 2 + len(payloadHash) + len(sdkDate) + len(requestHost(req))
	for i, name := range signedHeaders {
		n += len(name) + 1 // in the signed headers' line
		if i >= k {
			n += len(name) + 2 // "name:" and '\n'
			for _, v := range signedValues(req, values, i, name) {
				n += len(v) + 1
			}
		}
	}
	return n
}

// appendCanonicalRest appends the end of a canonical request, after its
// canonical headers: \n SignedHeaders \n payloadHash. A Signer writes the
// headers before x-sdk-date with the head (appendCanonicalHead), keeps
// their text (crPrefix), and writes the rest of the headers and this part
// per call.
func appendCanonicalRest(dst []byte, signedHeaders []string, payloadHash string) []byte {
	dst = append(dst, '\n')
	dst = appendSignedHeaders(dst, signedHeaders)
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// appendCanonicalHead appends the first three lines of req's canonical
// request: METHOD \n CanonicalURI \n CanonicalQuery \n.
func appendCanonicalHead(dst []byte, req *http.Request) []byte {
	method := requestMethod(req)
	dst = append(dst, method...)
	dst = append(dst, '\n')
	var path, query string
	plain := true // "" is plain
	if req.URL != nil {
		path, query = req.URL.Path, req.URL.RawQuery
		if plain = req.URL.RawPath == "" && plainPath(path); !plain {
			path = req.URL.EscapedPath()
			plain = plainPath(path)
		}
	}
	if plain {
		// Nothing to decode or encode (the usual API path): as
		// appendCanonicalURI would write it, without its work per byte.
		dst = append(dst, path...)
		if path == "" || path[len(path)-1] != '/' {
			dst = append(dst, '/')
		}
	} else {
		dst = appendCanonicalURI(dst, path)
	}
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, query)
	return append(dst, '\n')
}
