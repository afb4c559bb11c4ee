package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// cdkStackTemplate is what `cdk synth` writes for a stack with a GitHub
// OIDC role trusting a whole organisation.
const cdkStackTemplate = `{
 "Resources": {
  "DeployRole1A2B3C": {
   "Type": "AWS::IAM::Role",
   "Properties": {
    "AssumeRolePolicyDocument": {
     "Statement": [{"Action": "sts:AssumeRoleWithWebIdentity", "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
      "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}],
     "Version": "2012-10-17"
    },
    "RoleName": "github-deploy-prod"
   }
  }
 }
}`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A CDK app (TypeScript, as SofarDataAI/aws-github-oidc-roles) that was
// not synthesized defines roles secretgate cannot read: the run is
// incomplete, never PASSED, and names cdk.json with `cdk synth`. Once
// synthesized, cdk.out's template is judged (its assets are not read).
func TestCDKAppNotSynthesizedIsNotAPass(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"cdk.json":                           `{"app": "npx ts-node --prefer-ts-exts bin/aws-github-oidc-roles.ts"}`,
		"bin/aws-github-oidc-roles.ts":       "new AwsGithubOidcRolesStack(app, 'Stack', {});\n",
		"lib/aws-github-oidc-roles-stack.ts": "new iam.Role(this, 'DeployRole', { assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn) });\n",
		"package.json":                       `{"name": "aws-github-oidc-roles", "dependencies": {"aws-cdk-lib": "2.150.0"}}`,
	})
	r := secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now)
	if r.code != result.ExitIncomplete || strings.Contains(r.stdout, "PASSED") ||
		!strings.Contains(r.stdout, "not judged cdk.json: an AWS CDK app — run `cdk synth`") ||
		!strings.Contains(r.stdout, "1 infrastructure project not judged") {
		t.Errorf("exit %d, want 3; stdout:\n%s", r.code, r.stdout)
	}
	rep := jsonReport(t, secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now, "--format", "json"))
	if len(rep.Inputs.NotJudged) != 1 || rep.Inputs.NotJudged[0].File != "cdk.json" || !rep.Summary.Incomplete {
		t.Errorf("inputs = %+v, summary = %+v; want cdk.json not judged and the run incomplete", rep.Inputs, rep.Summary)
	}
	for _, c := range rep.Checks {
		switch c.ID {
		case result.CheckNaming, result.CheckRotation, result.CheckIAM, result.CheckTrust:
			if c.Status != result.StatusError || !strings.Contains(c.Error, "cdk.json") {
				t.Errorf("check %s = %s (%q), want error naming cdk.json", c.ID, c.Status, c.Error)
			}
		}
	}
	md := secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now, "--format", "markdown")
	if !strings.Contains(md.stdout, "**Not judged:**") || !strings.Contains(md.stdout, "| `cdk.json` |") || strings.Contains(md.stdout, "passing") {
		t.Errorf("markdown:\n%s", md.stdout)
	}

	// Synthesized: judged from cdk.out; the asset directory is not read.
	writeFiles(t, dir, map[string]string{
		"cdk.out/cdk.out":                 `{"version":"36.0.0"}`,
		"cdk.out/manifest.json":           `{"version": "36.0.0", "artifacts": {}}`,
		"cdk.out/Stack.template.json":     cdkStackTemplate,
		"cdk.out/asset.3f2a/handler.json": `{"Statement": [`,
	})
	rep = jsonReport(t, secretgate(t, nil, "check", "--offline", "--path", dir, "--now", now, "--format", "json"))
	if len(rep.Inputs.NotJudged) != 0 || len(rep.Inputs.Errors) != 0 || rep.Summary.Incomplete {
		t.Errorf("inputs = %+v; want nothing left unjudged", rep.Inputs)
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule+"@"+f.File)
	}
	if strings.Join(rules, ",") != "trust-oidc-whole-org@cdk.out/Stack.template.json" {
		t.Errorf("findings = %v, want the whole-organisation trust of the synthesized role", rules)
	}
}

// Checkov's plan fixture for its GitHub OIDC check: every role's trust
// policy is known only after apply, from policy-document data sources the
// plan holds. All four roles are judged; the run is complete.
func TestTerraformPlanDataDocumentsJudged(t *testing.T) {
	plan, err := os.ReadFile(filepath.Join("..", "..", "internal", "source", "testdata", "checkov-github-oidc", "tfplan.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"infra/tfplan.json": string(plan)})
	r := secretgate(t, nil, "check", "--offline", "--only", "trust,iam", "--path", dir, "--now", now, "--format", "json")
	if r.code != result.ExitOK {
		t.Errorf("exit %d, want 0; stderr %s", r.code, r.stderr)
	}
	rep := jsonReport(t, r)
	if len(rep.Inputs.Errors) != 0 || rep.Summary.Incomplete {
		t.Errorf("inputs = %+v; want every role judged", rep.Inputs)
	}
	for _, c := range rep.Checks {
		if c.ID == result.CheckTrust && (c.Status != result.StatusOK || c.Resources != 4) {
			t.Errorf("trust = %+v, want ok over 4 roles", c)
		}
	}
}
