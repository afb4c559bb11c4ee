package leaks

import (
	"sync/atomic"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// TestOnMatch: the scanner calls OnMatch when it finds a match, in every
// scope, and never on a clean scan.
func TestOnMatch(t *testing.T) {
	clean := newRepo(t)
	clean.write("main.go", "package main\n")
	clean.commit("clean", "Dev")
	leaky := newRepo(t)
	leaky.write("main.go", "package main\n")
	leaky.commit("clean", "Dev")
	leaky.write("deploy/prod.env", "aws_access_key_id="+leakstest.AWSKey(t)+"\n")
	leaky.commit("leak", "Leaker")
	tests := []struct {
		name  string
		dir   string
		scope Scope
		want  bool
	}{
		{"clean tree", clean.dir, Scope{}, false},
		{"clean history", clean.dir, Scope{Kind: History}, false},
		{"leak in the tree", leaky.dir, Scope{}, true},
		{"leak in the history", leaky.dir, Scope{Kind: History}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			if _, err := scanErr(t, tt.dir, tt.scope, func(s *Scanner) { s.OnMatch = func() { calls.Add(1) } }); err != nil {
				t.Fatal(err)
			}
			if got := calls.Load() > 0; got != tt.want {
				t.Errorf("OnMatch called %d times, want a call: %v", calls.Load(), tt.want)
			}
		})
	}
}
