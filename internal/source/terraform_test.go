package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

func TestTerraformPlan(t *testing.T) {
	const f = "terraform/plan.json"
	r := parseRepoFile(t, f)
	// aws_iam_role.later's trust policy is unknown until apply: it is
	// reported, never taken for a clean role.
	if len(r.errs) != 1 || r.errs[0].Line != 59 || !strings.Contains(r.errs[0].Message, "aws_iam_role.later: assume_role_policy is not known until apply") {
		t.Fatalf("problems: %+v", r.errs)
	}
	r.errs = nil
	wantNoProblems(t, r)
	if r.kind != KindTerraform {
		t.Fatalf("kind = %q", r.kind)
	}
	deploy, later := f+"#aws_iam_role.deploy", f+"#aws_iam_role.later"
	readers := f + "#aws_iam_policy.readers"
	wantRoles := []facts.Role{
		{
			ID: deploy, Name: "prod-payments-deploy", Path: "/ci/",
			// tags_all (with provider default tags) merged with tags.
			Tags: map[string]string{"environment": "prod", "managed-by": "terraform"},
			// The document is a JSON string in the plan: its statements
			// point at the string's line.
			Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 36), Statement: []facts.Statement{{
				Sid:       "GitHubOIDC",
				Effect:    "Allow",
				Principal: map[string][]string{"Federated": {"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
				Action:    strs("sts:AssumeRoleWithWebIdentity"),
				Condition: map[string]map[string][]string{
					"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
					"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:acme/*"}},
				},
				Location: at(f, 36),
			}}},
			// The attachment's policy_arn is unknown at plan time; the
			// configuration's reference links it.
			PolicyIDs: strs(deploy+"#inline/read-api", readers),
			Source:    "terraform", Location: at(f, 28),
		},
		{
			// assume_role_policy is unknown at plan time: trust unknown.
			ID: later, Name: "prod-payments-later", Path: "/",
			PolicyIDs: strs(f + "#aws_iam_role_policy.extra"),
			Source:    "terraform", Location: at(f, 59),
		},
	}
	wantPolicies := []facts.Policy{
		{
			ID: readers, Name: "payments-readers", Kind: "managed", RoleIDs: strs(deploy),
			Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 23), Statement: []facts.Statement{{
				Effect: "Allow", Action: strs("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"), Resource: strs("*"), Location: at(f, 23),
			}}},
			Source: "terraform", Location: at(f, 12),
		},
		{
			ID: deploy + "#inline/read-api", Name: "read-api", Kind: "inline", RoleIDs: strs(deploy),
			Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 42), Statement: []facts.Statement{{
				Effect: "Allow", Action: strs("secretsmanager:GetSecretValue"),
				Resource: strs("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-*"), Location: at(f, 42),
			}}},
			Source: "terraform", Location: at(f, 40),
		},
		{
			// role is unknown (aws_iam_role.later.id); linked by reference.
			ID: f + "#aws_iam_role_policy.extra", Name: "extra", Kind: "inline", RoleIDs: strs(later),
			Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 86), Statement: []facts.Statement{{
				Effect: "Allow", Action: strs("iam:PassRole"), Resource: strs("*"), Location: at(f, 86),
			}}},
			Source: "terraform", Location: at(f, 77),
		},
	}
	wantSecrets := []facts.Secret{
		{
			// In a child module; rotated by a rotation resource whose
			// secret_id is unknown until apply.
			ID: f + "#module.db.aws_secretsmanager_secret.this", Name: "prod/payments/db",
			Tags:            map[string]string{"environment": "prod", "managed-by": "terraform"},
			KMSKeyID:        "alias/payments",
			RotationEnabled: yes(), RotationSchedule: "rate(30 days)",
			Source: "terraform", Location: at(f, 107),
		},
		{
			// In a nested module instance, with no rotation in the plan.
			ID: f + `#module.db.module.legacy["a"].aws_secretsmanager_secret.legacy[0]`, Name: "dev/payments/legacy-a",
			RotationEnabled: no(),
			Source:          "terraform", Location: at(f, 156),
		},
	}
	// aws_secretsmanager_secret.old is being destroyed: not a fact.
	if diff := cmp.Diff(wantRoles, r.roles, cmpFacts); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantPolicies, r.policies, cmpFacts); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSecrets, r.secrets, cmpFacts); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
}

// A plan without planned_values (or a resource only in resource_changes)
// is read from the changes' "after" values; unknown values are tolerated.
func TestTerraformResourceChangesOnly(t *testing.T) {
	src := `{
  "format_version": "1.1",
  "resource_changes": [
    {
      "address": "aws_secretsmanager_secret.api",
      "type": "aws_secretsmanager_secret", "name": "api", "mode": "managed",
      "change": {"actions": ["create"], "after": {"name": "staging/x/api", "tags": {"team": "x"}}, "after_unknown": {"arn": true, "kms_key_id": true}}
    },
    {
      "address": "aws_secretsmanager_secret_rotation.api",
      "type": "aws_secretsmanager_secret_rotation", "name": "api", "mode": "managed",
      "change": {"actions": ["create"], "after": {"secret_id": "staging/x/api", "rotation_rules": [{"automatically_after_days": 45}]}, "after_unknown": {}}
    },
    {
      "address": "aws_iam_role.r",
      "type": "aws_iam_role", "name": "r", "mode": "managed",
      "change": {"actions": ["delete", "create"], "after": {"name_prefix": "prod-r-", "assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}, "after_unknown": {"name": true}}
    },
    {
      "address": "data.aws_iam_policy_document.d",
      "type": "aws_iam_policy_document", "name": "d", "mode": "data",
      "change": {"actions": ["read"], "after": {"json": "{}"}}
    }
  ]
}`
	r := parseFile("changes.json", []byte(src))
	wantNoProblems(t, r)
	wantSecrets := []facts.Secret{{
		ID: "changes.json#aws_secretsmanager_secret.api", Name: "staging/x/api", Tags: map[string]string{"team": "x"},
		// secret_id known: matched by name.
		RotationEnabled: yes(), RotationDays: 45,
		Source: "terraform", Location: at("changes.json", 4),
	}}
	if diff := cmp.Diff(wantSecrets, r.secrets, cmpFacts); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	// A replaced role (delete then create) is still planned; its name is
	// unknown, so the prefix names it.
	if len(r.roles) != 1 || r.roles[0].Name != "prod-r-" || r.roles[0].Trust == nil || r.roles[0].Line != 14 {
		t.Errorf("roles = %+v", r.roles)
	}
}

// terraform show -json of a state has values instead of planned_values.
func TestTerraformState(t *testing.T) {
	src := `{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"resources":[
{"address":"aws_secretsmanager_secret.s","mode":"managed","type":"aws_secretsmanager_secret","name":"s","values":{"name":"prod/s/api","arn":"arn:aws:secretsmanager:eu-west-1:1:secret:prod/s/api-Ab12"}},
{"address":"aws_secretsmanager_secret_rotation.s","mode":"managed","type":"aws_secretsmanager_secret_rotation","name":"s","values":{"secret_id":"arn:aws:secretsmanager:eu-west-1:1:secret:prod/s/api-Ab12","rotation_rules":[{"automatically_after_days":30}]}}
]}}}`
	r := parseFile("state.json", []byte(src))
	wantNoProblems(t, r)
	if len(r.secrets) != 1 || !*r.secrets[0].RotationEnabled || r.secrets[0].RotationDays != 30 || r.secrets[0].ARN == "" || r.secrets[0].Line != 2 {
		t.Errorf("secrets = %+v", r.secrets)
	}
}

func TestTerraformErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []result.InputProblem
	}{
		{
			"unsupported format",
			"{\"format_version\": \"2.0\",\n\"planned_values\": {}}",
			[]result.InputProblem{{File: "plan.json", Line: 1, Message: `unsupported plan format version: "2.0.0" does not satisfy ">= 0.1, < 2.0" (column 20)`}},
		},
		{
			"invalid policy string",
			"{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {\"resources\": [\n{\"address\": \"aws_iam_policy.p\", \"mode\": \"managed\", \"type\": \"aws_iam_policy\", \"name\": \"p\",\n\"values\": {\"name\": \"p\",\n\"policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\"}]}\"}}]}}}",
			[]result.InputProblem{{File: "plan.json", Line: 4, Message: "aws_iam_policy.p: policy: Statement[0] has neither Action nor NotAction (column 11)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseFile("plan.json", []byte(tt.src))
			diffProblems(t, "errors", tt.want, r.errs)
		})
	}
}

func TestTerraformCompactPlanLines(t *testing.T) {
	// terraform show -json writes one line: every fact is on line 1.
	src := strings.Join(strings.Fields(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[
{"address":"aws_secretsmanager_secret.s","mode":"managed","type":"aws_secretsmanager_secret","name":"s","values":{"name":"dev/s/x"}}]}}}`), "")
	r := parseFile("plan.json", []byte(src))
	wantNoProblems(t, r)
	if len(r.secrets) != 1 || r.secrets[0].Line != 1 {
		t.Errorf("secrets = %+v", r.secrets)
	}
}

func TestConfigPath(t *testing.T) {
	tests := map[string]string{
		"":                                       "",
		"module.db":                              "db",
		`module.db.module.legacy["a"]`:           "db.legacy",
		`module.a[0].module.b["x.y]z"].module.c`: "a.b.c",
	}
	for in, want := range tests {
		if got := configPath(in); got != want {
			t.Errorf("configPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerraformUnknownPolicyIsNotJudgedAsClean(t *testing.T) {
	root := t.TempDir()
	plan := `{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_iam_role.deploy", "mode": "managed", "type": "aws_iam_role", "name": "deploy",
     "values": {"name": "deploy-prod", "path": "/"}},
    {"address": "aws_iam_role_policy.read", "mode": "managed", "type": "aws_iam_role_policy", "name": "read",
     "values": {"name": "read", "role": "deploy-prod"}}
  ]}},
  "resource_changes": [
    {"address": "aws_iam_role.deploy", "mode": "managed", "type": "aws_iam_role", "name": "deploy",
     "change": {"actions": ["create"], "after": {"name": "deploy-prod", "path": "/"}, "after_unknown": {"assume_role_policy": true, "arn": true}}},
    {"address": "aws_iam_role_policy.read", "mode": "managed", "type": "aws_iam_role_policy", "name": "read",
     "change": {"actions": ["create"], "after": {"name": "read", "role": "deploy-prod"}, "after_unknown": {"policy": true}}}
  ]
}`
	if err := os.WriteFile(filepath.Join(root, "plan.json"), []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range res.Errors {
		msgs = append(msgs, e.Message)
		if e.File != "plan.json" || e.Line == 0 {
			t.Errorf("error location %s:%d", e.File, e.Line)
		}
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"aws_iam_role.deploy: assume_role_policy is not known until apply", "aws_iam_role_policy.read: policy is not known until apply"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors %q lack %q", joined, want)
		}
	}
	if len(res.Roles) != 1 || res.Roles[0].Trust != nil {
		t.Errorf("roles %+v", res.Roles)
	}
}
