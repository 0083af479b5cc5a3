package jsonkeys

import (
	"fmt"
	"strings"
	"testing"
)

func TestWalk(t *testing.T) {
	for _, tc := range []struct {
		doc      string
		keys     string // the keys visited, dup marked with *
		trailing bool
	}{
		{`{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4,"a":5}]},"b":null}`, "a b a c a a a* b*", false},
		{`[{"x":1},{"x":2}]`, "x x", false},
		{`{"k":"v"} `, "k", false},
		{`{"k":"v"} junk`, "k", true},
		{`[1]]`, "", true},
		{`{"k":"v"}{"k":"v"}`, "k", true},
		{`"scalar" 2`, "", true},
		{`7`, "", false},
		{`{"k":`, "k", false}, // a syntax error: left to the decoder
		{``, "", false},
	} {
		var seen []string
		reason, trailing := Walk([]byte(tc.doc), func(key string, dup bool) string {
			if dup {
				key += "*"
			}
			seen = append(seen, key)
			return ""
		})
		if got := strings.Join(seen, " "); got != tc.keys || trailing != tc.trailing || reason != "" {
			t.Errorf("Walk(%s): keys %q, trailing %t, reason %q; want %q and %t", tc.doc, got, trailing, reason, tc.keys, tc.trailing)
		}
	}
	// The first reason stops the walk.
	n := 0
	reason, _ := Walk([]byte(`{"a":1,"B":2,"c":3}`), func(key string, _ bool) string {
		n++
		if strings.ToLower(key) != key {
			return fmt.Sprintf("key %q", key)
		}
		return ""
	})
	if reason != `key "B"` || n != 2 {
		t.Errorf("reason %q after %d keys, want key \"B\" after 2", reason, n)
	}
}
