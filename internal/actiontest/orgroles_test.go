package actiontest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// orgRolesDir is the hub and spoke roles of the organisation workflow, as
// CloudFormation (a stack and a StackSet) and Terraform.
const orgRolesDir = "docs/examples/organization"

var orgRoleFiles = []string{
	".secretgate.yml",
	"cloudformation/hub.yml",
	"cloudformation/spoke-stackset.yml",
	"terraform/hub/main.tf",
	"terraform/spoke/main.tf",
}

// checkOrgRoles runs `secretgate check --offline` over a copy of the
// example with edit applied to one file, and returns the report.
func checkOrgRoles(t *testing.T, file, old, new string) (checkReport, int, string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range orgRoleFiles {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), orgRolesDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == file {
			if !strings.Contains(s, old) {
				t.Fatalf("%s no longer contains the text this case edits:\n%s", name, old)
			}
			s = strings.Replace(s, old, new, 1)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reportFile := filepath.Join(t.TempDir(), "report.json")
	out, code := run(t, dir, []string{"GITHUB_ACTIONS=", "GITHUB_REPOSITORY="}, secretgateBinary(t),
		"check", "--offline", "--path", dir, "--skip", "leaks", "--format", "json", "--output", reportFile, "--fail-on", "low")
	var rep checkReport
	if err := json.Unmarshal([]byte(readOr(t, reportFile, "")), &rep); err != nil {
		t.Fatalf("secretgate printed no JSON report (exit %d): %v\n%s", code, err, out)
	}
	return rep, code, out
}

// TestOrganizationRolesFollowOwnRules: the hub and spoke roles the
// organisation workflow needs, as shipped (CloudFormation and Terraform),
// pass secretgate's own rules with no finding at all at or above low — no
// waiver needed — and the trust and IAM checks read all four roles and
// their policies.
func TestOrganizationRolesFollowOwnRules(t *testing.T) {
	rep, code, out := checkOrgRoles(t, "", "", "")
	if code != 0 {
		t.Errorf("exit code %d, want 0:\n%s", code, out)
	}
	for _, f := range rep.Findings {
		if f.Severity != "info" {
			t.Errorf("finding %s (%s) in %s: %s", f.Rule, f.Severity, f.File, f.Message)
		}
	}
	resources := map[string]int{}
	for _, c := range rep.Checks {
		resources[c.ID] = c.Resources
		if c.Status == "error" || c.Status == "failed" {
			t.Errorf("check %s: %s %s", c.ID, c.Status, c.Reason)
		}
	}
	if resources["trust"] != 4 || resources["iam"] != 4 {
		t.Errorf("trust saw %d roles, iam %d policies; want the 4 roles (hub and spoke, CloudFormation and Terraform) and their policies", resources["trust"], resources["iam"])
	}
}

// TestOrganizationRolesLoosenedFail proves the check above can fail: a
// hub any repository of the organisation (or any branch) can assume, and
// a spoke that grants more than metadata, are reported.
func TestOrganizationRolesLoosenedFail(t *testing.T) {
	cases := []struct{ name, file, old, new string }{
		{"CloudFormation hub open to every repository", "cloudformation/hub.yml",
			"                  - !Sub repo:${GitHubRepository}:ref:refs/heads/main\n",
			"                  - repo:acme/*\n"},
		{"Terraform hub open to every repository", "terraform/hub/main.tf",
			`      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values = [`,
			`      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values = [
        "repo:acme/*",`},
		{"CloudFormation spoke reads every secret value", "cloudformation/spoke-stackset.yml",
			"                Action: secretsmanager:ListSecrets\n",
			"                Action: secretsmanager:*\n"},
		{"Terraform spoke reads every secret value", "terraform/spoke/main.tf",
			`actions   = ["secretsmanager:ListSecrets"]`, `actions   = ["secretsmanager:*"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, code, out := checkOrgRoles(t, tc.file, tc.old, tc.new)
			bad := 0
			for _, f := range rep.Findings {
				if f.Severity != "info" {
					bad++
				}
			}
			if code != 1 || bad == 0 {
				t.Errorf("exit %d, %d findings at or above low; want the loosened role reported:\n%s", code, bad, out)
			}
		})
	}
}

// TestOrganizationRolesAgree: the spoke's permissions are the same in
// CloudFormation and Terraform and are the single-account read-only
// policy's (docs/examples/aws, which the inventory's calls are tested
// against) plus account:ListRegions; the hub's are the same in both.
func TestOrganizationRolesAgree(t *testing.T) {
	actions := func(path string) []string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(repoRoot(t), path))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range regexp.MustCompile(`"?\b((?:secretsmanager|iam|account|organizations|sts):[A-Za-z*]+)"?`).FindAllStringSubmatch(string(b), -1) {
			if m[1] != "sts:ExternalId" {
				out = append(out, m[1])
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	// The spoke's trust admits the hub with sts:AssumeRole.
	readonly := append(actions("docs/examples/aws/secretgate-readonly-policy.json"), "account:ListRegions", "sts:AssumeRole")
	slices.Sort(readonly)
	cfnSpoke, tfSpoke := actions(orgRolesDir+"/cloudformation/spoke-stackset.yml"), actions(orgRolesDir+"/terraform/spoke/main.tf")
	if !slices.Equal(cfnSpoke, readonly) || !slices.Equal(tfSpoke, readonly) {
		t.Errorf("spoke actions:\n CloudFormation %v\n Terraform      %v\n want           %v", cfnSpoke, tfSpoke, readonly)
	}
	cfnHub, tfHub := actions(orgRolesDir+"/cloudformation/hub.yml"), actions(orgRolesDir+"/terraform/hub/main.tf")
	want := []string{"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent",
		"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"}
	if !slices.Equal(cfnHub, want) || !slices.Equal(tfHub, want) {
		t.Errorf("hub actions:\n CloudFormation %v\n Terraform      %v\n want           %v", cfnHub, tfHub, want)
	}
}
