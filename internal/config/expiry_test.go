package config

import (
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  bool
	}{
		{in: "2027-03-31", want: "2027-03-31T23:59:59Z"},
		{in: "2027-03-31T10:00:00Z", want: "2027-03-31T10:00:00Z"},
		{in: "2027-03-31T10:00:00-05:00", want: "2027-03-31T15:00:00Z"},
		{in: "2027-03-31T10:00:00.5Z", want: "2027-03-31T10:00:00Z"},
		{in: "2027-02-29", err: true},
		{in: "2027-3-1", err: true},
		{in: "31.03.2027", err: true},
		{in: "2027-03-31 10:00:00", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParseExpiry(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tt.want {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %s", tt.in, got.Format(time.RFC3339), err, tt.want)
		}
	}
}
