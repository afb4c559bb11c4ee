package main

import (
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// oidcRoleTF is a GitHub OIDC role whose subject is a variable without a
// default: unknown offline unless a variable file gives it.
const oidcRoleTF = `variable "subject" {
  type = string
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = var.subject }
      }
    }]
  })
}
`

// TestTerraformVarFiles: terraform_var_files in the configuration gives
// variables their values (without it the subject is unknown and judged
// as "*"); in a pull request the files are part of the judge, read from
// the base, and --var-file may not name a file the change controls.
func TestTerraformVarFiles(t *testing.T) {
	dir := leakRepo(t)
	writeIn(t, dir, "infra/main.tf", oidcRoleTF)
	writeIn(t, dir, "vars/prod.tfvars", "subject = \"repo:acme/app:ref:refs/heads/main\"\n")
	writeIn(t, dir, ".secretgate.yml", judgeBaseConfig)
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "role")

	r := secretgate(t, nil, "check", "--offline", "--only", "trust", "--path", dir, "--now", now, "--format", "json")
	if f, ok := findingOf(jsonReport(t, r), "trust-oidc-any-org"); !ok || !strings.Contains(f.Message, "var.subject has no value") {
		t.Fatalf("without values: want trust-oidc-any-org saying var.subject has no value; exit %d, %+v\n%s", r.code, f, r.stderr)
	}

	writeIn(t, dir, ".secretgate.yml", judgeBaseConfig+"terraform_var_files: [vars/prod.tfvars]\n")
	gitIn(t, dir, "commit", "-q", "-am", "values")
	base := gitIn(t, dir, "rev-parse", "HEAD")
	r = secretgate(t, nil, "check", "--offline", "--only", "trust", "--path", dir, "--now", now, "--format", "json")
	if r.code != result.ExitOK {
		t.Fatalf("with the var file: exit %d, want 0 (the subject is pinned)\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// The pull request widens the subject in the variable file: judged
	// with the base's values, and the change to the judge is reported.
	writeIn(t, dir, "vars/prod.tfvars", "subject = \"*\"\n")
	gitIn(t, dir, "commit", "-q", "-am", "widen")
	r = secretgate(t, nil, "check", "--offline", "--only", "trust", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--now", now, "--format", "json")
	rep := jsonReport(t, r)
	if _, ok := findingOf(rep, "trust-oidc-any-org"); ok {
		t.Error("pr mode judged the change's own variable values")
	}
	if _, ok := findingOf(rep, "config-judge-changed"); !ok {
		t.Errorf("the change to a judge file is not reported; findings %+v", rep.Findings)
	}

	r = secretgate(t, nil, "check", "--offline", "--only", "trust", "--mode", "pr", "--path", dir, "--diff", base+"..HEAD", "--var-file", dir+"/vars/prod.tfvars", "--now", now)
	if r.code != result.ExitUsage || !strings.Contains(r.stderr, "terraform_var_files") {
		t.Errorf("--var-file inside the repository in pr mode: exit %d, stderr %q; want 2 naming terraform_var_files", r.code, r.stderr)
	}
}
