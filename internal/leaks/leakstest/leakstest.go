// Package leakstest makes secret-shaped test data at run time, so that no
// key-shaped literal lives in secretgate's own source.
package leakstest

import (
	"crypto/rand"
	"testing"
)

const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// AWSKey returns a realistic AWS access key id that gitleaks' default rules
// report: "AKIA" and 16 random base32 characters (the well-known
// AKIAIOSFODNN7EXAMPLE is allowlisted by gitleaks, so tests cannot use it).
func AWSKey(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = base32Upper[int(b[i])%len(base32Upper)]
	}
	return "AKIA" + string(b)
}
