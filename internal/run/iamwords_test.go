package run

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
)

// TestIAMWordsHonourDenyAndConditions runs the offline check over real
// permission policies with Deny statements and conditions
// (testdata/iamreal) and reads the IAM findings' words: an action that an
// unconditional Deny of the same policy removes is never claimed, a
// conditional Deny or one on fewer resources is named as a limit, and the
// conditions that limit an Allow are said (issue 13, item 7).
//
// Sources:
//   - abac-tutorial: the access-same-project-team policy of the AWS IAM
//     tutorial "Define permissions to access AWS resources based on tags"
//     (docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_attribute-based-access-control.html),
//     which the Secrets Manager guide "Control access to secrets using
//     attribute-based access control" points to.
//   - developer-deny: wellcometrust/terraform-modules,
//     iam/prebuilt/assumable_roles/developer/main.tf (Allow * with Deny
//     policies beside it).
//   - access-management: TerraformProject/AWS_Terraform_Project,
//     Old-Repo/Input-Values/Security/IAM/Group-Policies/Security-Group-Policies/Admin-Group-Policy-Versions/FullAccess_AccessManagement_Policy1.0.tf
//     (a Deny of * unless a permissions boundary is set).
//   - poweruser-deny-ssm: INDALARAJESH/nanaji-ops,
//     modules/aws/terraform-developer/iam/iam.tf (NotAction Allow, Deny of
//     ssm:StartSession on ECS tasks only).
func TestIAMWordsHonourDenyAndConditions(t *testing.T) {
	type finding struct {
		rule, resource string
		want, never    []string
	}
	tests := []struct {
		dir  string
		want []finding // every iam finding of the directory
	}{
		{"abac-tutorial", []finding{{
			rule: "iam-secretsmanager-wildcard", resource: "access-same-project-team",
			want: []string{
				"allows secretsmanager:* on *, only secrets tagged access-project, access-team and cost-center equal to the caller's tags of the same name",
				"and only when its condition on aws:RequestTag/access-project, aws:RequestTag/access-team, aws:RequestTag/cost-center, aws:TagKeys holds",
				"reading, overwriting and deleting those secrets and switching off their rotation, but not re-sharing them.",
				"statement 4 (Sid DenyPermissionsManagement) denies secretsmanager:*Policy on *.",
				"Statement 3 (Sid DenyUntagSecretsManagerReservedTags) denies secretsmanager:UntagResource on * when its condition on aws:TagKeys holds",
			},
			never: []string{"re-sharing those secrets"},
		}}},
		{"developer-deny", []finding{
			{
				// The Deny statements are in other policies of the role:
				// this policy alone grants everything.
				rule: "iam-wildcard-action", resource: "developer/developer_go_hog_wild",
				want: []string{"full administrator access"},
			},
			{
				rule: "iam-privilege-escalation", resource: "developer/developer_iam_user_group_deny",
				want:  []string{"iam:PutRolePolicy (through iam:*)", "Statement 1 denies iam:*User*, iam:*Group* on *."},
				never: []string{"PutUserPolicy", "AttachUserPolicy", "PutGroupPolicy", "AttachGroupPolicy", "AddUserToGroup", "LoginProfile"},
			},
		}},
		{"access-management", []finding{{
			rule: "iam-privilege-escalation", resource: "FullAccess_AccessManagement_Policy",
			want: []string{"iam:PutRolePolicy (through iam:*)", "Statement 0 denies * on * when its condition on iam:PermissionsBoundary holds."},
		}}},
		{"poweruser-deny-ssm", []finding{
			{
				rule: "iam-not-action-allow", resource: "terraform-developer",
				want: []string{"Statement 2 denies ssm:StartSession on arn:aws:ecs:*:*:task/*/*."},
			},
			{
				rule: "iam-privilege-escalation", resource: "terraform-developer",
				never: []string{"ssm:StartSession"},
			},
			{
				rule: "iam-secret-read-wildcard-resource", resource: "terraform-developer",
				want:  []string{"it can read the value of every secret in the account, in every environment."},
				never: []string{"ssm:StartSession"},
			},
			{
				rule: "iam-kms-decrypt-unscoped", resource: "terraform-developer",
				never: []string{"ssm:StartSession"},
			},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			done, err := Check(context.Background(), offlinePlan(filepath.Join("testdata", "iamreal", tc.dir), config.Default()))
			if err != nil {
				t.Fatal(err)
			}
			rep := done.Report
			if len(rep.Inputs.Errors) > 0 || rep.Summary.Incomplete {
				t.Fatalf("input errors %+v, incomplete %v; want a complete run", rep.Inputs.Errors, rep.Summary.Incomplete)
			}
			seen := map[string]bool{}
			for _, f := range rep.Findings {
				if f.Check != "iam" {
					continue
				}
				key := f.Rule + " " + f.Resource
				seen[key] = true
				var w *finding
				for i := range tc.want {
					if tc.want[i].rule == f.Rule && tc.want[i].resource == f.Resource {
						w = &tc.want[i]
					}
				}
				if w == nil {
					t.Errorf("unexpected %s: %s", key, f.Message)
					continue
				}
				for _, s := range w.want {
					if !strings.Contains(f.Message, s) {
						t.Errorf("%s: message lacks %q:\n%s", key, s, f.Message)
					}
				}
				for _, s := range w.never {
					if strings.Contains(f.Message, s) {
						t.Errorf("%s: message claims %q:\n%s", key, s, f.Message)
					}
				}
			}
			for _, w := range tc.want {
				if !seen[w.rule+" "+w.resource] {
					t.Errorf("missing %s %s", w.rule, w.resource)
				}
			}
		})
	}
}
