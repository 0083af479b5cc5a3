//go:build race

package signer

// raceEnabled: under the race detector, sync.Pool drops some of what it is
// given, at random, so pooled memory is allocated again.
const raceEnabled = true
