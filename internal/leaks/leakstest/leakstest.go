// Package leakstest makes secret-shaped test data at run time, so that no
// key-shaped literal lives in secretgate's own source.
package leakstest

import (
	"crypto/rand"
	"math"
	"testing"
)

const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// AWSKey returns a realistic AWS access key id that gitleaks' default rules
// report: "AKIA" and 16 random base32 characters (the well-known
// AKIAIOSFODNN7EXAMPLE is allowlisted by gitleaks, so tests cannot use it).
//
// gitleaks' rule wants a Shannon entropy of at least 3 over the key; about
// one random key in 5,000 falls below it and would not be reported, so
// such draws are made again (a test that expects the key found would
// otherwise fail now and then).
func AWSKey(t testing.TB) string {
	t.Helper()
	for {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		for i := range b {
			b[i] = base32Upper[int(b[i])%len(base32Upper)]
		}
		if key := "AKIA" + string(b); entropy(key) >= 3.3 {
			return key
		}
	}
}

// entropy is the Shannon entropy of s in bits per character, as gitleaks
// computes it.
func entropy(s string) float64 {
	counts := map[rune]float64{}
	for _, r := range s {
		counts[r]++
	}
	n, e := float64(len(s)), 0.0
	for _, c := range counts {
		p := c / n
		e -= p * math.Log2(p)
	}
	return e
}
