package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIncompleteSnapshotIsAnInputError: a snapshot that records parts it
// could not read is judged for what it holds, and the run is incomplete.
func TestIncompleteSnapshotIsAnInputError(t *testing.T) {
	tests := []struct {
		name      string
		extra     string
		wantError bool
	}{
		{name: "complete", extra: ""},
		{name: "incomplete", extra: `, "incomplete": {"iam": "iam:ListRoles: AccessDenied: not authorized"}`, wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			snap := `{"schema": "secretgate/inventory/v1", "generated_at": "2026-11-26T00:00:00Z", "regions": ["us-east-1"],
  "secrets": [{"name": "prod/a/api", "region": "us-east-1"}], "roles": [], "policies": [], "oidc_providers": []` + tc.extra + `}`
			if err := os.WriteFile(filepath.Join(root, "inventory.json"), []byte(snap), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Scan(context.Background(), root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Secrets) != 1 {
				t.Errorf("secrets = %d, want the one the snapshot holds", len(res.Secrets))
			}
			if got := len(res.Errors) > 0; got != tc.wantError {
				t.Fatalf("errors = %v, want error %v", res.Errors, tc.wantError)
			}
			if tc.wantError && !strings.Contains(res.Errors[0].Message, "iam:ListRoles: AccessDenied") {
				t.Errorf("error = %q", res.Errors[0].Message)
			}
		})
	}
}
