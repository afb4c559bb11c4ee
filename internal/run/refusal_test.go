package run

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
)

func TestExplainRefusal(t *testing.T) {
	eng, err := policy.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	trust := &facts.PolicyDocument{Statement: []facts.Statement{{
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string][]string{"StringEquals": {
			"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
			"token.actions.githubusercontent.com:sub": {"repo:acme/payments:environment:prod"},
		}},
		Location: facts.Location{File: "inventory.json", Line: 7},
	}}}
	roles := []facts.Role{{Name: "deploy", ARN: "arn:aws:iam::123456789012:role/deploy", Trust: trust, Source: "inventory"}}
	claims := map[string]any{"sub": "repo:acme/payments:pull_request", "aud": "sts.amazonaws.com", "repository": "acme/payments"}
	tests := []struct {
		role string
		want string
	}{
		{"arn:aws:iam::123456789012:role/deploy", `Refused by statement 0 (line 7 of inventory.json): condition StringEquals token.actions.githubusercontent.com:sub requires "repo:acme/payments:environment:prod"; the token says "repo:acme/payments:pull_request".`},
		{"arn:aws:iam::123456789012:role/other", `trust policy unknown: no role "other" in the repository`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := ExplainRefusal(context.Background(), &out, eng, tt.role, claims, roles); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("ExplainRefusal(%s):\n%s\nwant it to contain %q", tt.role, out.String(), tt.want)
		}
	}
}
