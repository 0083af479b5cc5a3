// Package jsonkeys walks the keys of a JSON document's objects, for the
// checks encoding/json cannot make when it decodes into a struct: it
// matches keys ignoring case (by Unicode folding) and lets the last of two
// equal keys win. The CLI's --body and the fake service both refuse such
// bodies rather than read them otherwise than they were meant.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"io"
)

// Walk reads the JSON value in b and calls visit with each object key, in
// order; dup says the key came before in the same object. It stops at the
// first reason visit returns that is not empty, and returns it. trailing
// says that something other than white space follows the value. A syntax
// error ends the walk with neither: the decoder that reads b reports it,
// with its place.
func Walk(b []byte, visit func(key string, dup bool) string) (reason string, trailing bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	type level struct {
		object, keyNext bool
		keys            map[string]bool
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // the end, or a syntax error
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if key, ok := tok.(string); ok && top.object && top.keyNext {
				if reason := visit(key, top.keys[key]); reason != "" {
					return reason, false
				}
				top.keys[key] = true
				top.keyNext = false
				continue
			}
			if top.object {
				top.keyNext = true // a value: a key comes next
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{object: true, keyNext: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].keyNext = true
			}
		}
		if len(stack) == 0 { // the value is whole: nothing may follow
			_, err := dec.Token()
			return "", err != io.EOF
		}
	}
}
