package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cdkTemplate is a synthesized CDK stack in the shape `cdk synth` writes.
const cdkTemplate = `{
 "Resources": {
  "DeployRole1A2B3C": {
   "Type": "AWS::IAM::Role",
   "Properties": {
    "AssumeRolePolicyDocument": {
     "Statement": [{"Action": "sts:AssumeRoleWithWebIdentity", "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
      "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}],
     "Version": "2012-10-17"
    },
    "RoleName": "github-deploy"
   }
  }
 }
}`

// writeTree writes files (slash paths relative to root) into a new
// temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

func TestScanNotJudged(t *testing.T) {
	const cdkOutMarker = `{"version":"36.0.0"}`
	cdkApp := map[string]string{
		"cdk.json":                         `{"app": "npx ts-node bin/app.ts"}`,
		"bin/app.ts":                       "new App()",
		"lib/stack.ts":                     "new iam.Role(this, 'DeployRole', {})",
		"cdk.out/cdk.out":                  cdkOutMarker,
		"cdk.out/manifest.json":            `{"version": "36.0.0", "artifacts": {"Stack": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Stack.template.json"}}}}`,
		"cdk.out/tree.json":                `{"version": "tree-0.1", "tree": {"id": "App", "children": {"Stack": {"attributes": {"aws:cdk:cloudformation:type": "AWS::IAM::Role"}}}}}`,
		"cdk.out/Stack.assets.json":        `{"version": "36.0.0", "files": {}}`,
		"cdk.out/Stack.template.json":      cdkTemplate,
		"cdk.out/asset.0a1b2c/policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
		"cdk.out/asset.0a1b2c/broken.json": `{"Statement": [`,
	}
	with := func(base map[string]string, extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	unsynthesized := map[string]string{"cdk.json": cdkApp["cdk.json"], "lib/stack.ts": cdkApp["lib/stack.ts"]}
	tests := []struct {
		name      string
		files     map[string]string
		exclude   []string
		wantRoles []string
		wantKinds map[Kind]int
		// wantNotJudged holds "file: start of message".
		wantNotJudged []string
	}{
		{
			name:      "CDK app synthesized: templates read, assets and manifests not",
			files:     cdkApp,
			wantRoles: []string{"github-deploy"},
			wantKinds: map[Kind]int{KindCloudFormation: 1},
		},
		{
			name: "CDK nested stack and stage assembly are read",
			files: with(cdkApp, map[string]string{
				"cdk.out/StackNested1ABC.nested.template.json":     strings.Replace(cdkTemplate, "github-deploy", "nested-role", 1),
				"cdk.out/assembly-Prod/cdk.out":                    cdkOutMarker,
				"cdk.out/assembly-Prod/ProdStack.template.json":    strings.Replace(cdkTemplate, "github-deploy", "prod-role", 1),
				"cdk.out/assembly-Prod/manifest.json":              `{"version": "36.0.0", "artifacts": {}}`,
				"cdk.out/assembly-Prod/asset.99/inner.policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
			}),
			wantRoles: []string{"github-deploy", "nested-role", "prod-role"},
			wantKinds: map[Kind]int{KindCloudFormation: 3},
		},
		{
			name:          "CDK app not synthesized",
			files:         unsynthesized,
			wantKinds:     map[Kind]int{},
			wantNotJudged: []string{"cdk.json: an AWS CDK app — run `cdk synth`"},
		},
		{
			name:          "CDK app whose cdk.out holds no template",
			files:         with(unsynthesized, map[string]string{"cdk.out/cdk.out": cdkOutMarker, "cdk.out/manifest.json": `{"version": "36.0.0"}`}),
			wantKinds:     map[Kind]int{},
			wantNotJudged: []string{"cdk.json: an AWS CDK app — run `cdk synth`"},
		},
		{
			name: "CDK app with its own output directory",
			files: map[string]string{
				"infra/cdk.json":                      `{"app": "npx ts-node bin/app.ts", "output": "build/cdk"}`,
				"infra/build/cdk/cdk.out":             cdkOutMarker,
				"infra/build/cdk/Stack.template.json": cdkTemplate,
			},
			wantRoles: []string{"github-deploy"},
			wantKinds: map[Kind]int{KindCloudFormation: 1},
		},
		{
			name: "CDK app whose output directory is elsewhere than cdk.json says",
			files: map[string]string{
				"infra/cdk.json":                `{"app": "npx ts-node bin/app.ts", "output": "build/cdk"}`,
				"infra/cdk.out/cdk.out":         cdkOutMarker,
				"infra/cdk.out/S.template.json": cdkTemplate,
			},
			wantRoles:     []string{"github-deploy"},
			wantKinds:     map[Kind]int{KindCloudFormation: 1},
			wantNotJudged: []string{"infra/cdk.json: an AWS CDK app — "},
		},
		{
			name:          "CDK app excluded by the user",
			files:         unsynthesized,
			exclude:       []string{"cdk.json"},
			wantKinds:     map[Kind]int{},
			wantNotJudged: nil,
		},
		{
			// cdktf synth writes Terraform JSON configuration, which the
			// Terraform reader reads as it reads .tf files.
			name: "CDKTF app synthesized: its Terraform JSON is read",
			files: map[string]string{
				"cdktf.json":                       `{"language": "typescript", "app": "npx ts-node main.ts"}`,
				"cdktf.out/stacks/app/cdk.tf.json": `{"resource": {"aws_iam_role": {"r": {"name": "x", "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}}}}`,
			},
			wantRoles:     []string{"x"},
			wantKinds:     map[Kind]int{KindTerraformHCL: 1},
			wantNotJudged: nil,
		},
		{
			name: "CDKTF app not synthesized",
			files: map[string]string{
				"cdktf.json": `{"language": "typescript", "app": "npx ts-node main.ts"}`,
			},
			wantKinds:     map[Kind]int{},
			wantNotJudged: []string{"cdktf.json: a CDK for Terraform app — run `cdktf synth`"},
		},
		{
			// "output": "." made any template of the repository count as
			// the app's synthesized output.
			name: "CDK app whose output is itself and which holds no template",
			files: map[string]string{
				"cdk.json":     `{"app": "npx ts-node bin/app.ts", "output": "."}`,
				"other/t.json": cdkTemplate,
			},
			wantRoles:     []string{"github-deploy"},
			wantKinds:     map[Kind]int{KindCloudFormation: 1},
			wantNotJudged: []string{"cdk.json: an AWS CDK app — run `cdk synth`"},
		},
		{
			name: "Pulumi project and Serverless service",
			files: map[string]string{
				"Pulumi.yaml":                   "name: infra\nruntime: nodejs\n",
				"Pulumi.prod.yaml":              "config:\n  aws:region: eu-west-1\n",
				"svc/serverless.yml":            "service: orders\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n      Action: ['*']\n      Resource: '*'\n",
				"node_modules/x/serverless.yml": "service: vendored\n",
			},
			wantKinds: map[Kind]int{},
			wantNotJudged: []string{
				"Pulumi.yaml: a Pulumi project — secretgate cannot read Pulumi programs",
				"svc/serverless.yml: a Serverless Framework service — run `serverless package`",
			},
		},
		{
			name: "Serverless service packaged",
			files: map[string]string{
				"serverless.yml": "service: orders\n",
				".serverless/cloudformation-template-update-stack.json": cdkTemplate,
			},
			wantRoles: []string{"github-deploy"},
			wantKinds: map[Kind]int{KindCloudFormation: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			res, err := Scan(context.Background(), root, Options{Exclude: tt.exclude})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 0 {
				t.Errorf("errors: %+v", res.Errors)
			}
			var roles []string
			for _, r := range res.Roles {
				roles = append(roles, r.Name)
			}
			if diff := cmp.Diff(tt.wantRoles, roles); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantKinds, res.Kinds); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			if len(res.NotJudged) != len(tt.wantNotJudged) {
				t.Fatalf("not judged = %+v, want %d", res.NotJudged, len(tt.wantNotJudged))
			}
			for i, want := range tt.wantNotJudged {
				got := res.NotJudged[i].File + ": " + res.NotJudged[i].Message
				if !strings.HasPrefix(got, want) {
					t.Errorf("not judged[%d] = %q, want it to start with %q", i, got, want)
				}
			}
		})
	}
}
