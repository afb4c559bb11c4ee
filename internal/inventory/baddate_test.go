package inventory

import (
	"github.com/secretgate/secretgate/internal/doctree"

	"strings"
	"testing"
)

// TestBadDatesKeepTheRest: a date that is not RFC 3339 is reported with its
// file and line and read as unknown; the rest of the snapshot (the other
// fields of the same secret, the other secrets and roles) is still read.
func TestBadDatesKeepTheRest(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		problems  []string
		secrets   int
		checkRest func(t *testing.T, s *Snapshot)
	}{
		{
			name: "long string",
			src: `{"schema": "secretgate/inventory/v1",
"secrets": [
 {"name": "prod/a/api", "created_date": "yesterday", "last_rotated_date": "2026-01-02T00:00:00Z", "rotation_days": 30},
 {"name": "prod/b/api", "created_date": "2026-01-01T00:00:00Z"}
]}`,
			problems: []string{`s.json:3: secrets.created_date must be an RFC 3339 date such as 2026-01-31T12:00:00Z, found "yesterday"`},
			secrets:  2,
			checkRest: func(t *testing.T, s *Snapshot) {
				a := s.Secrets[0]
				if !a.CreatedDate.IsZero() || a.LastRotatedDate.IsZero() || a.RotationDays != 30 {
					t.Errorf("secret a = %+v: only the bad date must be unknown", a)
				}
				if s.Secrets[1].CreatedDate.IsZero() {
					t.Errorf("secret b lost its date")
				}
			},
		},
		{
			name: "short values and several on one line",
			src: `{"schema": "secretgate/inventory/v1", "generated_at": "",
"roles": [{"name": "r", "create_date": 5, "last_used_date": "2026-13-01T00:00:00Z", "path": "/x/"}],
"secrets": [{"name": "dev/a/api", "next_rotation_date": true, "region": "eu-west-1"}]}`,
			problems: []string{
				`s.json:1: generated_at must be an RFC 3339 date`,
				`s.json:2: roles.create_date must be an RFC 3339 date string, found a number`,
				`s.json:2: roles.last_used_date must be an RFC 3339 date`,
				`s.json:3: secrets.next_rotation_date must be an RFC 3339 date string, found a boolean`,
			},
			secrets: 1,
			checkRest: func(t *testing.T, s *Snapshot) {
				if len(s.Roles) != 1 || s.Roles[0].Path != "/x/" || !s.Roles[0].CreateDate.IsZero() {
					t.Errorf("roles = %+v", s.Roles)
				}
				if s.Secrets[0].Region != "eu-west-1" {
					t.Errorf("secret = %+v", s.Secrets[0])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, problems, err := decodeTreeText(t, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != len(tc.problems) {
				t.Fatalf("problems = %v, want %d", problems, len(tc.problems))
			}
			for i, p := range problems {
				if !strings.HasPrefix(p.Error(), tc.problems[i]) {
					t.Errorf("problem %d = %v\nwant %s…", i, p, tc.problems[i])
				}
			}
			if len(snap.Secrets) != tc.secrets {
				t.Fatalf("secrets = %d, want %d", len(snap.Secrets), tc.secrets)
			}
			tc.checkRest(t, snap)
			f, errs := snap.Facts()
			if len(errs) > 0 || len(f.Secrets) != tc.secrets || f.Secrets[0].Location.Line == 0 {
				t.Errorf("facts = %+v, %v", f.Secrets, errs)
			}
		})
	}
}

func decodeTreeText(t *testing.T, src string) (*Snapshot, []error, error) {
	t.Helper()
	root, err := parseForTest(src)
	if err != nil {
		t.Fatal(err)
	}
	return DecodeTreeLenient("s.json", []byte(src), root)
}

func parseForTest(src string) (*doctree.Node, error) { return doctree.ParseJSON([]byte(src)) }
