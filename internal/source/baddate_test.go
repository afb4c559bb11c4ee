package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestSnapshotBadDateKeepsFile: a bad date in a committed inventory
// snapshot is an input error at its file and line (the run is incomplete),
// and every secret and role of the snapshot is still checked, large
// snapshots (decoded in parallel) and small ones alike.
func TestSnapshotBadDateKeepsFile(t *testing.T) {
	for _, pad := range []int{0, 300 << 10} {
		root := t.TempDir()
		src := `{"schema": "secretgate/inventory/v1",
"secrets": [
 {"name": "prod/a/api", "arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/a/api-AbCdEf", "created_date": "31/12/2025"},
 {"name": "prod/b/api", "arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/b/api-AbCdEf", "created_date": "2026-01-01T00:00:00Z"}
],
"roles": [{"name": "deploy", "arn": "arn:aws:iam::123456789012:role/deploy", "inline_policies": [], "attached_policy_arns": []}],
"regions": [` + strings.Repeat(`"eu-west-1",`, pad/12) + `"eu-west-1"]}
`
		if err := os.WriteFile(filepath.Join(root, "inventory.json"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Scan(context.Background(), root, Options{MaxFileBytes: -1})
		if err != nil {
			t.Fatal(err)
		}
		want := []result.InputProblem{{File: "inventory.json", Line: 3, Message: `secrets.created_date must be an RFC 3339 date such as 2026-01-31T12:00:00Z, found "31/12/2025" (column 139)`}}
		if len(res.Errors) != 1 || res.Errors[0].File != want[0].File || res.Errors[0].Line != want[0].Line || !strings.Contains(res.Errors[0].Message, "secrets.created_date") {
			t.Errorf("size %d: errors = %+v, want %+v", len(src), res.Errors, want)
		}
		if len(res.Secrets) != 2 || len(res.Roles) != 1 {
			t.Fatalf("size %d: secrets %d roles %d: the snapshot must still be read", len(src), len(res.Secrets), len(res.Roles))
		}
		if res.Secrets[0].CreatedDate != "" || res.Secrets[1].CreatedDate != "2026-01-01T00:00:00Z" {
			t.Errorf("dates = %q, %q: the bad one unknown, the good one kept", res.Secrets[0].CreatedDate, res.Secrets[1].CreatedDate)
		}
	}
}
