package signer

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestAppendEscapedEveryByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		c := byte(b)
		want := fmt.Sprintf("%%%02X", c)
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			want = string(rune(c))
		}
		if got := string(appendEscaped(nil, []byte{c})); got != want {
			t.Errorf("escape(%#02x) = %q, want %q", c, got, want)
		}
	}
}

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/v5/p/event/export", "/v5/p/event/export/"},
		{"/v5/p/", "/v5/p/"},
		{"a/b", "a/b/"},
		{"//a//", "//a//"},
		{"/./../a", "/./../a/"}, // dot segments are signed as sent, not resolved
		{"/a%20b", "/a%20b/"},
		{"/a b", "/a%20b/"},
		{"/a+b", "/a%2Bb/"}, // '+' is not a space in a path
		{"/a%2Bb", "/a%2Bb/"},
		{"/a%2Fb/c", "/a%2Fb/c/"}, // an escaped slash stays in its segment
		{"/a%2fb", "/a%2Fb/"},     // lower-case hex in, upper-case out
		{"/%7E%41%2d", "/~A-/"},   // needlessly escaped unreserved bytes are decoded
		{"/100%", "/100%25/"},
		{"/%zz%4", "/%25zz%254/"},
		{"/%%41", "/%25A/"},
		{"/=&;:@!$'()*,", "/%3D%26%3B%3A%40%21%24%27%28%29%2A%2C/"},
		{"/a~b-c_d.e", "/a~b-c_d.e/"},
		{"/中文", "/%E4%B8%AD%E6%96%87/"},
		{"/%E4%B8%AD%E6%96%87", "/%E4%B8%AD%E6%96%87/"},
		{"/%F0%9F%98%80", "/%F0%9F%98%80/"},
		{"/😀", "/%F0%9F%98%80/"},
		{"/%00", "/%00/"},
		{"/?#", "/%3F%23/"},
	}
	for _, tt := range tests {
		if got := CanonicalURI(tt.in); got != tt.want {
			t.Errorf("CanonicalURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a=1", "a=1"},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=10&a=1", "a=1&a=10&a=2"}, // values sort as strings
		{"a=1&a=1", "a=1&a=1"},           // duplicates are kept
		{"a", "a="},
		{"a=", "a="},
		{"=v", "=v"},
		{"=", "="},
		{"&&a=1&", "a=1"},
		{"a=b=c", "a=b%3Dc"},
		{"a=x+y", "a=x%20y"},
		{"a=x%20y", "a=x%20y"},
		{"a=x%2By", "a=x%2By"},
		{"a=x%2by", "a=x%2By"},
		{"a+b=1", "a%20b=1"},
		{"a=%zz", "a=%25zz"},
		{"a=%", "a=%25"},
		{"a=%4", "a=%254"},
		{"a;b=c", "a%3Bb=c"}, // ';' is not a separator
		{"k=中", "k=%E4%B8%AD"},
		{"k=%E4%B8%AD%E6%96%87", "k=%E4%B8%AD%E6%96%87"},
		{"k=%F0%9F%98%80", "k=%F0%9F%98%80"},
		{"%41=%7e", "A=~"},
		{"b=1&B=1", "B=1&b=1"}, // keys are case-sensitive and sort bytewise
		{"a=/&a=%2F", "a=%2F&a=%2F"},
		{"x=%26&x=%3D", "x=%26&x=%3D"},
		// Pairs sort by their decoded bytes: '~' (0x7E) before 0xC3, though
		// the encoded "%C3" would sort before "~".
		{"k=%C3%A9&k=~", "k=~&k=%C3%A9"},
		{"%C3%A9=1&~=2&z=3", "z=3&~=2&%C3%A9=1"},
		// A shorter key sorts first, whatever its value.
		{"ab=1&a=z", "a=z&ab=1"},
	}
	for _, tt := range tests {
		if got := CanonicalQuery(tt.in); got != tt.want {
			t.Errorf("CanonicalQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCanonicalQueryMatchesParseQuery compares CanonicalQuery with a
// reference built on url.ParseQuery, for queries as url.Values.Encode and
// the generated client write them, including ones longer than the stack
// arena and with more pairs than the stack array.
func TestCanonicalQueryMatchesParseQuery(t *testing.T) {
	values := url.Values{
		"enterprise_project_id": {"all_granted_eps"},
		"severity_list":         {"High", "Critical", "Medium", "Low", "Security"},
		"q":                     {"a b", "a+b", "a/b", "a=b&c", "100%", "中文", "😀", ""},
		"空":                     {"v"},
	}
	for i := range 40 {
		values.Add(fmt.Sprintf("k%02d", i%7), strings.Repeat("x", i))
	}
	queries := []string{
		values.Encode(),
		strings.ReplaceAll(values.Encode(), "+", "%20"), // RFC 3986 style spaces
		"a=1",
		"",
	}
	for _, q := range queries {
		if got, want := CanonicalQuery(q), referenceCanonicalQuery(t, q); got != want {
			t.Errorf("CanonicalQuery(%q):\n got %q\nwant %q", q, got, want)
		}
	}
}

// referenceCanonicalQuery is the canonical query by the book: url.ParseQuery,
// sort, then the signing escape. It is slow and refuses malformed queries.
func referenceCanonicalQuery(t *testing.T, raw string) string {
	t.Helper()
	parsed, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", raw, err)
	}
	var pairs [][2]string
	for k, vs := range parsed {
		for _, v := range vs {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var parts []string
	for _, p := range pairs {
		parts = append(parts, signingEscape(p[0])+"="+signingEscape(p[1]))
	}
	return strings.Join(parts, "&")
}

// signingEscape is the signing escape by other means: url.QueryEscape keeps
// exactly the unreserved bytes, escapes a literal '+' as %2B and writes a
// space as '+'.
func signingEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestCanonicalRequestHeaders(t *testing.T) {
	req, err := http.NewRequest("", "https://h.example/p?b=2&a=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header["X-Multi"] = []string{" one ", "two\t"}
	req.Header["Content-Type"] = []string{"application/json"}
	got := CanonicalRequest(req, []string{"content-type", "host", "x-absent", "x-multi"}, EmptyPayloadHash)
	want := "GET\n/p/\na=1&b=2\n" +
		"content-type:application/json\nhost:h.example\nx-absent:\nx-multi:one,two\n\n" +
		"content-type;host;x-absent;x-multi\n" + EmptyPayloadHash
	if got != want {
		t.Errorf("CanonicalRequest:\n got %q\nwant %q", got, want)
	}
}

func TestStringToSignAndSignature(t *testing.T) {
	if got, want := StringToSign("abc", "20240102T030405Z"), "SDK-HMAC-SHA256\n20240102T030405Z\nabc"; got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
	// RFC 4231 test case 2: HMAC-SHA-256 with key "Jefe".
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got := Signature("Jefe", "what do ya want for nothing?"); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

func TestHashPayload(t *testing.T) {
	if got := HashPayload(nil); got != EmptyPayloadHash {
		t.Errorf("HashPayload(nil) = %s, want EmptyPayloadHash", got)
	}
	// sha256("abc") from FIPS 180-2.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashPayload([]byte("abc")); got != want {
		t.Errorf("HashPayload(abc) = %s, want %s", got, want)
	}
}

// TestPlainCanonicalQueryMatchesGeneral compares the fast path for plain
// queries with the general one over random queries of plain bytes and
// separators, sorted or not, with repeated keys, empty pieces and values
// holding '='; the fast path must either decline or agree.
func TestPlainCanonicalQueryMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	const alphabet = "abAB09-_.~=&"
	took := 0
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		q := string(b)
		want := string(appendDecodedCanonicalQuery(nil, q))
		got, ok := appendPlainCanonicalQuery(nil, q)
		if !ok {
			continue
		}
		took++
		if string(got) != want {
			t.Fatalf("query %q: fast path %q, general path %q", q, got, want)
		}
	}
	// Well-formed queries of many pairs: the fast path must take them,
	// sorting by insertion up to maxInsertionSort pairs and by
	// slices.SortFunc beyond.
	for range 2000 {
		var parts []string
		for range 1 + r.IntN(3*maxInsertionSort) {
			parts = append(parts, fmt.Sprintf("k%d=v%d", r.IntN(5), r.IntN(12)))
		}
		q := strings.Join(parts, "&")
		got, ok := appendPlainCanonicalQuery(nil, q)
		if !ok {
			t.Fatalf("query %q: the fast path declined a plain query", q)
		}
		took++
		if want := string(appendDecodedCanonicalQuery(nil, q)); string(got) != want {
			t.Fatalf("query %q: fast path %q, general path %q", q, got, want)
		}
	}
	if took < 3000 {
		t.Errorf("the fast path took only %d queries: the test does not exercise it", took)
	}
}

// TestPlainPathMatchesGeneral checks the canonical request's shortcut for a
// path of unreserved bytes and '/' against CanonicalURI of the escaped
// path, over random paths (plain and not) and raw paths.
func TestPlainPathMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "Z", "0", "-", "_", ".", "~", "/", "/", "//", "v5", "event", " ", "%", "%2F", "+", ":", "@", "é", "*", "?"}
	plain := 0
	for range 20000 {
		var b strings.Builder
		for n := r.IntN(8); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		u, err := url.Parse("https://h" + "/" + strings.TrimPrefix(b.String(), "/"))
		if err != nil || r.IntN(4) == 0 {
			u = &url.URL{Scheme: "https", Host: "h", Path: b.String()}
		}
		if plainPath(u.Path) && u.RawPath == "" {
			plain++
		}
		req := &http.Request{Method: "GET", URL: u, Header: http.Header{}}
		cr := CanonicalRequest(req, []string{"host"}, EmptyPayloadHash)
		got := strings.Split(cr, "\n")[1]
		if want := CanonicalURI(u.EscapedPath()); got != want {
			t.Fatalf("path %q (raw %q): canonical URI %q, want %q", u.Path, u.RawPath, got, want)
		}
	}
	if plain < 2000 {
		t.Errorf("only %d of the paths took the shortcut", plain)
	}
}

// TestUnreservedRun compares the four-bytes-a-step scan with a byte loop
// at every start of random strings, unreserved bytes mostly.
func TestUnreservedRun(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	const alphabet = "aZ09-_.~=&%+/ \x80\xff"
	for range 5000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			if r.IntN(6) == 0 {
				b[i] = alphabet[8+r.IntN(len(alphabet)-8)]
			} else {
				b[i] = alphabet[r.IntN(8)]
			}
		}
		s := string(b)
		for start := 0; start <= len(s); start++ {
			want := start
			for want < len(s) && unreserved(s[want]) {
				want++
			}
			if got := unreservedRun(s, start); got != want {
				t.Fatalf("unreservedRun(%q, %d) = %d, want %d", s, start, got, want)
			}
			if got := unreservedRun(b, start); got != want {
				t.Fatalf("unreservedRun([]byte(%q), %d) = %d, want %d", s, start, got, want)
			}
		}
	}
}

// TestPlainSortedQueryAllocatesNothing checks that a sorted plain query,
// longer than the table of pieces on the stack, is copied without an
// allocation, and that an unsorted one of the same length is still sorted.
func TestPlainSortedQueryAllocatesNothing(t *testing.T) {
	var parts []string
	for i := range 3 * maxInsertionSort {
		parts = append(parts, fmt.Sprintf("event_id_list=id%03d", i))
	}
	q := strings.Join(parts, "&")
	dst := make([]byte, 0, 2*len(q))
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := appendPlainCanonicalQuery(dst[:0], q); !ok {
			t.Fatal("the fast path declined a plain query")
		}
	})
	if allocs != 0 {
		t.Errorf("a sorted query of %d pairs: %v allocations, want 0", len(parts), allocs)
	}
	slices.Reverse(parts)
	rev := strings.Join(parts, "&")
	got, ok := appendPlainCanonicalQuery(nil, rev)
	if !ok || string(got) != q {
		t.Errorf("the reversed query sorts to %q (ok %v), want %q", got, ok, q)
	}
}
