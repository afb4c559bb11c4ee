package source

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
)

func TestIAMPolicyFiles(t *testing.T) {
	tests := []struct {
		file     string
		kind     Kind
		roles    []facts.Role
		policies []facts.Policy
	}{
		{
			file: "iam/github-deploy-trust.json",
			kind: KindIAMPolicy,
			roles: []facts.Role{{
				ID: "iam/github-deploy-trust.json", Name: "github-deploy-trust",
				Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: at("iam/github-deploy-trust.json", 1), Statement: []facts.Statement{{
					Sid: "GitHubActions", Effect: "Allow",
					Principal: map[string][]string{"Federated": {"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
					Action:    strs("sts:AssumeRoleWithWebIdentity"),
					Condition: map[string]map[string][]string{
						"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
						"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:acme/payments:ref:refs/heads/main", "repo:acme/payments:environment:prod"}},
					},
					Location: at("iam/github-deploy-trust.json", 4),
				}}},
				PolicyIDs: []string{}, Source: "iam-json", Location: at("iam/github-deploy-trust.json", 1),
			}},
		},
		{
			file: "iam/prod-reader-policy.json",
			kind: KindIAMPolicy,
			policies: []facts.Policy{{
				ID: "iam/prod-reader-policy.json", Name: "prod-reader-policy", Kind: "standalone", RoleIDs: []string{},
				Document: facts.PolicyDocument{Version: "2012-10-17", Location: at("iam/prod-reader-policy.json", 1), Statement: []facts.Statement{
					{
						Sid: "ReadProdSecrets", Effect: "Allow",
						Action:   strs("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
						Resource: strs("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/*"),
						Location: at("iam/prod-reader-policy.json", 4),
					},
					{
						Effect: "Allow", Action: strs("kms:Decrypt"), Resource: strs("*"),
						Condition: map[string]map[string][]string{
							"StringEquals":    {"kms:viaservice": {"secretsmanager.eu-west-1.amazonaws.com"}},
							"Bool":            {"aws:securetransport": {"true"}},
							"NumericLessThan": {"aws:multifactorauthage": {"3600"}},
						},
						Index: 1, Location: at("iam/prod-reader-policy.json", 10),
					},
				}},
				Source: "iam-json", Location: at("iam/prod-reader-policy.json", 1),
			}},
		},
		{
			// The whole file is URL-encoded, as the IAM API returns it.
			file: "iam/legacy-ec2-trust.json",
			kind: KindIAMPolicy,
			roles: []facts.Role{{
				ID: "iam/legacy-ec2-trust.json", Name: "legacy-ec2-trust",
				Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: at("iam/legacy-ec2-trust.json", 1), Statement: []facts.Statement{{
					Effect: "Allow", Principal: map[string][]string{"Service": {"ec2.amazonaws.com"}}, Action: strs("sts:AssumeRole"),
					Location: at("iam/legacy-ec2-trust.json", 1),
				}}},
				PolicyIDs: []string{}, Source: "iam-json", Location: at("iam/legacy-ec2-trust.json", 1),
			}},
		},
		{
			// A JSON string holding a URL-encoded permission policy.
			file: "iam/api/encoded-string-policy.json",
			kind: KindIAMPolicy,
			policies: []facts.Policy{{
				ID: "iam/api/encoded-string-policy.json", Name: "encoded-string-policy", Kind: "standalone", RoleIDs: []string{},
				Document: facts.PolicyDocument{Version: "2012-10-17", Location: at("iam/api/encoded-string-policy.json", 1), Statement: []facts.Statement{{
					Effect: "Allow", Action: strs("secretsmanager:GetSecretValue"),
					Resource: strs("arn:aws:secretsmanager:*:*:secret:dev/*+legacy*"),
					Location: at("iam/api/encoded-string-policy.json", 1),
				}}},
				Source: "iam-json", Location: at("iam/api/encoded-string-policy.json", 1),
			}},
		},
		{
			// aws iam get-role through the API: the document is encoded.
			file: "iam/api/get-role-prod-batch.json",
			kind: KindIAMAPI,
			roles: []facts.Role{{
				ID: "arn:aws:iam::123456789012:role/service/prod-batch", Name: "prod-batch",
				ARN: "arn:aws:iam::123456789012:role/service/prod-batch", Path: "/service/",
				Tags: map[string]string{"environment": "prod"},
				Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: at("iam/api/get-role-prod-batch.json", 8), Statement: []facts.Statement{{
					Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::210987654321:root"}}, Action: strs("sts:AssumeRole"),
					Condition: map[string]map[string][]string{"Bool": {"aws:multifactorauthpresent": {"true"}}},
					Location:  at("iam/api/get-role-prod-batch.json", 8),
				}}},
				PolicyIDs: []string{}, Source: "iam-json", Location: at("iam/api/get-role-prod-batch.json", 2),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseRepoFile(t, tt.file)
			wantNoProblems(t, r)
			if r.kind != tt.kind {
				t.Errorf("kind = %q, want %q", r.kind, tt.kind)
			}
			if diff := cmp.Diff(tt.roles, r.roles, cmpFacts); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.policies, r.policies, cmpFacts); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthorizationDetails(t *testing.T) {
	const f = "iam/api/authorization-details.json"
	r := parseRepoFile(t, f)
	wantNoProblems(t, r)
	role := "arn:aws:iam::123456789012:role/staging-orders-reader"
	kms := "arn:aws:iam::123456789012:policy/orders-kms"
	if len(r.roles) != 1 {
		t.Fatalf("roles = %+v", r.roles)
	}
	got := r.roles[0]
	if got.ID != role || got.Line != 5 || got.Trust == nil || got.Tags["environment"] != "staging" {
		t.Errorf("role = %+v", got)
	}
	if diff := cmp.Diff(strs(role+"#inline/read-db", kms), got.PolicyIDs); diff != "" {
		t.Errorf("policy ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(strs(kms, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"), got.AttachedARNs); diff != "" {
		t.Errorf("attached (-want +got):\n%s", diff)
	}
	var names []string
	for _, p := range r.policies {
		names = append(names, p.Kind+":"+p.Name)
		if p.ID == kms {
			// The default version (v2), not v1.
			if a := p.Document.Statement[0].Action; !cmp.Equal(a, strs("kms:Decrypt")) {
				t.Errorf("managed policy document is not the default version: %v", a)
			}
			if !cmp.Equal(p.RoleIDs, strs(role)) {
				t.Errorf("managed policy roles = %v", p.RoleIDs)
			}
		}
	}
	if diff := cmp.Diff(strs("managed:orders-kms", "inline:read-db"), names); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
}

func TestIAMAPIShapes(t *testing.T) {
	rolePolicy := `{"RoleName": "r", "PolicyName": "inline-one", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}`
	r := parseFile("get-role-policy.json", []byte(rolePolicy))
	wantNoProblems(t, r)
	if r.kind != KindIAMAPI || len(r.policies) != 1 || r.policies[0].Name != "inline-one" || r.policies[0].Kind != "inline" {
		t.Errorf("get-role-policy: %+v", r)
	}
	version := `{"PolicyVersion": {"Document": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D", "VersionId": "v1", "IsDefaultVersion": true}}`
	r = parseFile("admin.json", []byte(version))
	wantNoProblems(t, r)
	if len(r.policies) != 1 || r.policies[0].Kind != "managed" || r.policies[0].Document.Statement[0].Action[0] != "*" {
		t.Errorf("get-policy-version: %+v", r)
	}
}
