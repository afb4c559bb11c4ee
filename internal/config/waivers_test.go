package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckWaivers(t *testing.T) {
	c := mustLoad(t, `waivers:
  - rule: a
    reason: x
    owner: y
    expires: 2020-01-01
  - rule: b
    resource: prod/*
    reason: x
    owner: y
  - {rule: c, reason: x, owner: y}
`)
	if err := c.CheckWaivers(false); err != nil {
		t.Errorf("without --require-waiver-expiry: %v", err)
	}
	err := c.CheckWaivers(true)
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want two errors, got %v", err)
	}
	if es[0].Line != 6 || es[0].Column != 5 || es[1].Line != 10 {
		t.Errorf("locations: %+v %+v", es[0], es[1])
	}
	if !strings.HasSuffix(es[0].File, FileName) || !strings.Contains(es[0].Msg, `rule "b" on "prod/*" has no expires date`) {
		t.Errorf("message: %v", es[0])
	}
	// An expired waiver is not an error here: the policies report it.
	if err := Default().CheckWaivers(true); err != nil {
		t.Errorf("no waivers: %v", err)
	}
}

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
