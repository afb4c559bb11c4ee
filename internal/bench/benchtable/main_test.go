package main

import (
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		list, want, err string
	}{
		{"", "tree,history,staged,empty,policy,binary", ""},
		{"empty,staged", "staged,empty", ""},
		{" policy ", "policy", ""},
		{"trees", "", `unknown part "trees"`},
	}
	for _, tt := range tests {
		got, err := choose(tt.list)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("choose(%q): err %v, want %q", tt.list, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("choose(%q): %v", tt.list, err)
		}
		var names []string
		for _, p := range got {
			names = append(names, p.name)
		}
		if strings.Join(names, ",") != tt.want {
			t.Errorf("choose(%q) = %v, want %s", tt.list, names, tt.want)
		}
	}
}
