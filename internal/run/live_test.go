package run

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/inventory"
)

// snapshotReader returns a snapshot built in memory: the live inventory's
// result without AWS (internal/awsinv and cmd/secretgate test it against
// the emulator).
type snapshotReader struct {
	snap       *inventory.Snapshot
	incomplete map[string]string
	err        error
}

func (r snapshotReader) ReadInventory(context.Context) (*inventory.Snapshot, map[string]string, error) {
	return r.snap, r.incomplete, r.err
}

func TestLiveInventory(t *testing.T) {
	trust := json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)
	snap := &inventory.Snapshot{
		Schema:  inventory.Schema,
		Secrets: []inventory.Secret{{Name: "prod/a/api", ARN: "arn:aws:secretsmanager:us-east-1:1:secret:prod/a/api-x", Region: "us-east-1"}},
		Roles: []inventory.Role{{Name: "a-prod", ARN: "arn:aws:iam::1:role/a-prod", Trust: trust,
			InlinePolicies: []inventory.InlinePolicy{{Name: "bad", Document: json.RawMessage(`{"Statement":"x"}`)}}}},
	}
	tests := []struct {
		name       string
		reader     snapshotReader
		wantErrors map[string]string // family -> substring
		wantFacts  bool
	}{
		{name: "no session", reader: snapshotReader{err: errors.New("live AWS: role refused")},
			wantErrors: map[string]string{"naming": "role refused", "rotation": "role refused", "iam": "role refused", "trust": "role refused"}},
		{name: "partial inventory", reader: snapshotReader{snap: snap, incomplete: map[string]string{"rotation": "ListSecrets: throttled"}},
			wantErrors: map[string]string{"rotation": "throttled", "iam": "could not be read", "trust": "could not be read"}, wantFacts: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &facts.Input{}
			out := (&LiveInventory{Reader: tc.reader}).Gather(context.Background(), in)
			for fam, want := range tc.wantErrors {
				if !strings.Contains(out.Errors[fam], want) {
					t.Errorf("%s error = %q, want %q", fam, out.Errors[fam], want)
				}
			}
			if len(out.Errors) != len(tc.wantErrors) {
				t.Errorf("errors = %v", out.Errors)
			}
			if got := len(in.Secrets) == 1 && len(in.Roles) == 1 && in.Roles[0].Trust != nil; got != tc.wantFacts {
				t.Errorf("facts kept = %v, want %v (secrets %d, roles %d)", got, tc.wantFacts, len(in.Secrets), len(in.Roles))
			}
			if tc.wantFacts && (out.Resources["naming"] != 1 || out.Resources["trust"] != 1) {
				t.Errorf("resources = %v", out.Resources)
			}
		})
	}
}
