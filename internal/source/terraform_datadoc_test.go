package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
)

// trustSummary is what a test needs of a role's trust policy: each
// statement's effect, federated principals and sub condition.
func trustSummary(r facts.Role) []string {
	if r.Trust == nil {
		return nil
	}
	var out []string
	for _, st := range r.Trust.Statement {
		var sub []string
		for _, byKey := range st.Condition {
			for k, v := range byKey {
				if strings.HasSuffix(k, ":sub") {
					sub = append(sub, v...)
				}
			}
		}
		out = append(out, st.Effect+" "+strings.Join(st.Principal["Federated"], ",")+strings.Join(st.Principal["Service"], ",")+" sub="+strings.Join(sub, ","))
	}
	return out
}

// Checkov's plan fixture for its GitHub OIDC check: every role's
// assume_role_policy is data.aws_iam_policy_document.x[each.key].json,
// read only during apply. Each role is judged from its own instance of
// the data source; r3's principal is the ARN of the plan's OIDC provider,
// from its url.
func TestTerraformPlanDataDocuments(t *testing.T) {
	plan, err := os.ReadFile(filepath.Join("testdata", "checkov-github-oidc", "tfplan.json"))
	if err != nil {
		t.Fatal(err)
	}
	github := strings.NewReplacer(
		"accounts.google.com", "token.actions.githubusercontent.com",
		"system:serviceaccount:p1:default", "repo:acme/*",
		"system:serviceaccount:p2:default", "repo:acme/payments:ref:refs/heads/main",
	).Replace(string(plan))
	const r5 = "the account in the ARN of module.poc.aws_iam_openid_connect_provider.r5 (the OIDC provider for %s) is known only after apply"
	tests := []struct {
		name    string
		plan    string
		want    map[string][]string // role name → trustSummary
		assumed map[string][]string
	}{
		{
			name: "as Checkov ships it",
			plan: string(plan),
			want: map[string][]string{
				"r8": {"Allow cognito-identity.amazonaws.com sub=system:serviceaccount:p1:default"},
				"r9": {"Allow cognito-identity.amazonaws.com sub=system:serviceaccount:p2:default"},
				"r7": {"Allow arn:aws:iam::(known after apply):oidc-provider/accounts.google.com sub=system:serviceaccount:p1:default"},
				"r2": {"Allow arn:aws:iam::(known after apply):oidc-provider/accounts.google.com sub=system:serviceaccount:p2:default"},
			},
			assumed: map[string][]string{"r7": {strings.Replace(r5, "%s", "accounts.google.com", 1)}, "r2": {strings.Replace(r5, "%s", "accounts.google.com", 1)}},
		},
		{
			name: "with GitHub's issuer",
			plan: github,
			want: map[string][]string{
				"r8": {"Allow cognito-identity.amazonaws.com sub=repo:acme/*"},
				"r9": {"Allow cognito-identity.amazonaws.com sub=repo:acme/payments:ref:refs/heads/main"},
				"r7": {"Allow arn:aws:iam::(known after apply):oidc-provider/token.actions.githubusercontent.com sub=repo:acme/*"},
				"r2": {"Allow arn:aws:iam::(known after apply):oidc-provider/token.actions.githubusercontent.com sub=repo:acme/payments:ref:refs/heads/main"},
			},
			assumed: map[string][]string{"r7": {strings.Replace(r5, "%s", "token.actions.githubusercontent.com", 1)}, "r2": {strings.Replace(r5, "%s", "token.actions.githubusercontent.com", 1)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseFile("tfplan.json", []byte(tt.plan))
			wantNoProblems(t, r)
			got, assumed := map[string][]string{}, map[string][]string{}
			for _, role := range r.roles {
				got[role.Name] = trustSummary(role)
				if len(role.Assumptions) > 0 {
					assumed[role.Name] = role.Assumptions
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("trust (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.assumed, assumed); diff != "" {
				t.Errorf("assumptions (-want +got):\n%s", diff)
			}
		})
	}
}

// dataDocPlan: deploy's trust is data.aws_iam_policy_document.trust.json
// (no instance key), whose source document's statement of the same sid it
// replaces; other's comes from a data source whose sub values are unknown.
const dataDocPlan = `{"format_version": "1.2",
"planned_values": {"root_module": {"resources": [
 {"address": "aws_iam_role.deploy", "mode": "managed", "type": "aws_iam_role", "name": "deploy", "values": {"name": "prod-deploy", "path": "/"}},
 {"address": "aws_iam_role.other", "mode": "managed", "type": "aws_iam_role", "name": "other", "values": {"name": "prod-other", "path": "/"}},
 {"address": "aws_iam_role.known", "mode": "managed", "type": "aws_iam_role", "name": "known", "values": {"name": "prod-known", "path": "/"}},
 {"address": "data.aws_iam_policy_document.trust", "mode": "data", "type": "aws_iam_policy_document", "name": "trust", "values": {
  "source_policy_documents": ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"GitHub\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Principal\":\"*\"},{\"Sid\":\"EC2\",\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"}}]}"],
  "statement": [{"sid": "GitHub", "effect": null, "actions": ["sts:AssumeRoleWithWebIdentity"],
   "principals": [{"type": "Federated", "identifiers": ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]}],
   "condition": [{"test": "StringLike", "variable": "token.actions.githubusercontent.com:sub", "values": ["repo:acme/*"]}]}]}},
 {"address": "data.aws_iam_policy_document.unknown", "mode": "data", "type": "aws_iam_policy_document", "name": "unknown", "values": {
  "statement": [{"actions": ["sts:AssumeRoleWithWebIdentity"],
   "condition": [{"test": "StringLike", "variable": "token.actions.githubusercontent.com:sub", "values": [null]}]}]}},
 {"address": "data.aws_iam_policy_document.rendered", "mode": "data", "type": "aws_iam_policy_document", "name": "rendered", "values": {
  "json": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}"}},
 {"address": "aws_iam_role_policy.read", "mode": "managed", "type": "aws_iam_role_policy", "name": "read", "values": {"name": "read"}},
 {"address": "aws_iam_role_policy.write", "mode": "managed", "type": "aws_iam_role_policy", "name": "write", "values": {"name": "write"}},
 {"address": "aws_secretsmanager_secret.api", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "api", "values": {"name": "prod/payments/api"}}
]}},
"resource_changes": [
 {"address": "aws_iam_role.deploy", "mode": "managed", "type": "aws_iam_role", "name": "deploy", "change": {"actions": ["create"], "after_unknown": {"assume_role_policy": true}}},
 {"address": "aws_iam_role.other", "mode": "managed", "type": "aws_iam_role", "name": "other", "change": {"actions": ["create"], "after_unknown": {"assume_role_policy": true}}},
 {"address": "aws_iam_role.known", "mode": "managed", "type": "aws_iam_role", "name": "known", "change": {"actions": ["create"], "after_unknown": {"assume_role_policy": true}}},
 {"address": "data.aws_iam_policy_document.trust", "mode": "data", "type": "aws_iam_policy_document", "name": "trust", "change": {"actions": ["read"], "after_unknown": {"json": true}}},
 {"address": "data.aws_iam_policy_document.unknown", "mode": "data", "type": "aws_iam_policy_document", "name": "unknown", "change": {"actions": ["read"], "after_unknown": {"json": true, "statement": [{"condition": [{"values": [true]}]}]}}},
 {"address": "aws_iam_role_policy.read", "mode": "managed", "type": "aws_iam_role_policy", "name": "read", "change": {"actions": ["create"], "after_unknown": {"policy": true, "role": true}}},
 {"address": "aws_iam_role_policy.write", "mode": "managed", "type": "aws_iam_role_policy", "name": "write", "change": {"actions": ["create"], "after_unknown": {"policy": true, "role": true}}},
 {"address": "data.aws_iam_policy_document.write", "mode": "data", "type": "aws_iam_policy_document", "name": "write", "change": {"actions": ["read"],
  "after": {"statement": [{"actions": ["secretsmanager:PutSecretValue"], "resources": [null, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/other-AbCdEf"]}]},
  "after_unknown": {"json": true, "statement": [{"resources": [true, false]}]}}},
 {"address": "data.aws_iam_policy_document.read[0]", "mode": "data", "type": "aws_iam_policy_document", "name": "read", "index": 0, "change": {"actions": ["read"],
  "after": {"statement": [{"actions": ["secretsmanager:GetSecretValue"], "resources": [null]}]},
  "after_unknown": {"json": true, "statement": [{"resources": [true]}]}}}
],
"configuration": {"root_module": {"resources": [
 {"address": "aws_iam_role.deploy", "expressions": {"assume_role_policy": {"references": ["data.aws_iam_policy_document.trust.json", "data.aws_iam_policy_document.trust"]}}},
 {"address": "aws_iam_role.other", "expressions": {"assume_role_policy": {"references": ["data.aws_iam_policy_document.unknown.json", "data.aws_iam_policy_document.unknown"]}}},
 {"address": "aws_iam_role.known", "expressions": {"assume_role_policy": {"references": ["data.aws_iam_policy_document.rendered.json", "data.aws_iam_policy_document.rendered"]}}},
 {"address": "data.aws_iam_policy_document.unknown", "expressions": {"statement": [{"condition": [{"values": {"references": ["var.sub"]}}]}]}},
 {"address": "aws_iam_role_policy.read", "expressions": {"role": {"references": ["aws_iam_role.known.id", "aws_iam_role.known"]}, "policy": {"references": ["data.aws_iam_policy_document.read[0].json", "data.aws_iam_policy_document.read[0]", "data.aws_iam_policy_document.read"]}}},
 {"address": "data.aws_iam_policy_document.read", "expressions": {"statement": [{"resources": {"references": ["aws_secretsmanager_secret.missing.arn", "aws_secretsmanager_secret.missing"]}}]}},
 {"address": "aws_iam_role_policy.write", "expressions": {"role": {"references": ["aws_iam_role.known.id", "aws_iam_role.known"]}, "policy": {"references": ["data.aws_iam_policy_document.write.json", "data.aws_iam_policy_document.write"]}}},
 {"address": "data.aws_iam_policy_document.write", "expressions": {"statement": [{"resources": {"references": ["aws_secretsmanager_secret.api.arn", "aws_secretsmanager_secret.api"]}}]}}
]}}}`

func TestTerraformPlanDataDocumentCases(t *testing.T) {
	r := parseFile("plan.json", []byte(dataDocPlan))
	got := map[string][]string{}
	for _, role := range r.roles {
		got[role.Name] = trustSummary(role)
	}
	want := map[string][]string{
		// The source document's GitHub statement is replaced by the own
		// statement of that sid (effect defaults to Allow); EC2 stays.
		"prod-deploy": {"Allow arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com sub=repo:acme/*", "Allow ec2.amazonaws.com sub="},
		// Unknown sub values: not judged, said below.
		"prod-other": nil,
		// The data source's json is known: taken as it is.
		"prod-known": {"Allow lambda.amazonaws.com sub="},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trust (-want +got):\n%s", diff)
	}
	// A role policy from a data source that appears in resource_changes
	// only, by its index, with a resource unknown until apply that the
	// plan does not hold: not judged, and said so.
	if len(r.errs) != 2 ||
		!strings.Contains(r.errs[0].Message, "aws_iam_role.other: assume_role_policy is not known until apply, so it could not be judged: it comes from data.aws_iam_policy_document.unknown, whose statement[0].condition[0].values[0] is not known until apply") ||
		!strings.Contains(r.errs[1].Message, "aws_iam_role_policy.read: policy is not known until apply, so it could not be judged: it comes from data.aws_iam_policy_document.read[0], whose statement[0].resources[0] is not known until apply") {
		t.Errorf("problems = %+v, want the unknown condition values and the unknown resource named", r.errs)
	}
}

// A resource ARN unknown until apply that is a secret of the plan is that
// secret's ARN, the parts AWS assigns marked; the policy says so.
func TestTerraformPlanDataDocumentSecretARN(t *testing.T) {
	r := parseFile("plan.json", []byte(dataDocPlan))
	var write *facts.Policy
	for i := range r.policies {
		if r.policies[i].Name == "write" {
			write = &r.policies[i]
		}
	}
	if write == nil {
		t.Fatalf("policies = %+v, want write judged", r.policies)
	}
	want := strs("arn:aws:secretsmanager:(known after apply):(known after apply):secret:prod/payments/api-??????", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/other-AbCdEf")
	if diff := cmp.Diff(want, write.Document.Statement[0].Resource); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(strs("the region and account in the ARN of aws_secretsmanager_secret.api (secret prod/payments/api) are known only after apply"), write.Assumptions); diff != "" {
		t.Errorf("assumptions (-want +got):\n%s", diff)
	}
	if len(write.RoleIDs) != 1 || !strings.HasSuffix(write.RoleIDs[0], "aws_iam_role.known") {
		t.Errorf("write applies to %v, want aws_iam_role.known", write.RoleIDs)
	}
}
