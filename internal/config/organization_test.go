package config

import (
	"strings"
	"testing"
)

// TestSessionTagSyntax: STS session tag keys are 1 to 128 characters and
// values up to 256, counted in characters (not bytes), of letters, digits,
// spaces and _.:/=+@-.
func TestSessionTagSyntax(t *testing.T) {
	tests := []struct {
		name       string
		s          string
		key, value bool
	}{
		{"empty", "", false, true},
		{"word", "team", true, true},
		{"punctuation", "a_b.c:d/e=f+g@h-i", true, true},
		{"space", "cost centre", true, true},
		{"letters of other scripts", "équipe-日本", true, true},
		{"128 characters", strings.Repeat("k", 128), true, true},
		{"129 characters", strings.Repeat("k", 129), false, true},
		{"128 two-byte characters", strings.Repeat("é", 128), true, true},
		{"256 characters", strings.Repeat("v", 256), false, true},
		{"257 characters", strings.Repeat("v", 257), false, false},
		{"star", "bad*key", false, false},
		{"newline", "a\nb", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sessionTagKey(tt.s); got != tt.key {
				t.Errorf("sessionTagKey = %v, want %v", got, tt.key)
			}
			if got := sessionTagValue(tt.s); got != tt.value {
				t.Errorf("sessionTagValue = %v, want %v", got, tt.value)
			}
		})
	}
}
