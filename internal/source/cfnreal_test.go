package source

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// parseCFNFixture parses one template of testdata/cfn (CloudFormation as
// people write it) with the given parameter values.
func parseCFNFixture(t *testing.T, name string, params map[string]string) fileResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cfn", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseFileWith(name, data, parseOptions{cfnParams: params})
}

// roleView is what the tests of real-world templates look at in a role.
type roleView struct {
	ID, Name    string
	Federated   []string // the first trust statement's
	Sub         []string // its token.actions.githubusercontent.com:sub values
	Aud         []string
	Attached    []string
	PolicyIDs   []string
	Assumptions []string
}

type policyView struct {
	ID, Name    string
	RoleIDs     []string
	Resource    []string // the first statement's
	Assumptions []string
}

type secretView struct {
	ID, Name, KMS string
	Assumptions   []string
}

func viewRoles(rs []facts.Role) []roleView {
	var out []roleView
	for _, r := range rs {
		v := roleView{ID: r.ID, Name: r.Name, Attached: r.AttachedARNs, PolicyIDs: r.PolicyIDs, Assumptions: r.Assumptions}
		if r.Trust != nil && len(r.Trust.Statement) > 0 {
			st := r.Trust.Statement[0]
			v.Federated = st.Principal["Federated"]
			for _, keys := range st.Condition {
				v.Sub = append(v.Sub, keys["token.actions.githubusercontent.com:sub"]...)
				v.Aud = append(v.Aud, keys["token.actions.githubusercontent.com:aud"]...)
			}
		}
		out = append(out, v)
	}
	return out
}

func viewPolicies(ps []facts.Policy) []policyView {
	var out []policyView
	for _, p := range ps {
		v := policyView{ID: p.ID, Name: p.Name, RoleIDs: p.RoleIDs, Assumptions: p.Assumptions}
		if len(p.Document.Statement) > 0 {
			v.Resource = p.Document.Statement[0].Resource
		}
		out = append(out, v)
	}
	return out
}

func viewSecrets(ss []facts.Secret) []secretView {
	var out []secretView
	for _, s := range ss {
		out = append(out, secretView{ID: s.ID, Name: s.Name, KMS: s.KMSKeyID, Assumptions: s.Assumptions})
	}
	return out
}

const githubProvider = "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"

// TestCloudFormationAsPeopleWriteIt reads templates shaped like public
// ones (each fixture names the repository it imitates): the facts, their
// names and their assumptions.
func TestCloudFormationAsPeopleWriteIt(t *testing.T) {
	tests := []struct {
		file     string
		params   map[string]string
		roles    []roleView
		policies []policyView
		secrets  []secretView
	}{
		{
			// Ref and GetAtt Arn of the template's own provider are
			// GitHub's provider ARN: the trust rules see GitHub.
			file: "federated-setup.yaml",
			roles: []roleView{
				{
					ID: "federated-setup.yaml#DeployRole", Name: "DeployRole",
					Federated: strs(githubProvider), Sub: strs("repo:${GitHubOrg}/*:ref:refs/heads/*"),
					Assumptions: strs("parameter GitHubOrg has no value"),
				},
				{
					ID: "federated-setup.yaml#ReleaseRole", Name: "release",
					Federated: strs(githubProvider), Sub: strs("repo:acme/app:ref:refs/tags/v*"), Aud: strs("sts.amazonaws.com"),
				},
			},
		},
		{
			// The provider's account comes from the parameters when given.
			file:   "federated-setup.yaml",
			params: map[string]string{"GitHubOrg": "acme", "BranchName": "main", "AWS::AccountId": "123456789012"},
			roles: []roleView{
				{
					ID: "federated-setup.yaml#DeployRole", Name: "DeployRole",
					Federated: strs("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
					Sub:       strs("repo:acme/*:ref:refs/heads/main"),
				},
				{
					ID: "federated-setup.yaml#ReleaseRole", Name: "release",
					Federated: strs("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
					Sub:       strs("repo:acme/app:ref:refs/tags/v*"), Aud: strs("sts.amazonaws.com"),
				},
			},
		},
		{
			// CommaDelimitedList and List<…> parameters where lists
			// belong; without a value, one unknown element.
			file: "oidc-list-params.yaml",
			roles: []roleView{
				{
					ID: "oidc-list-params.yaml#GitHubIamRole", Name: "gha-dev-github-iac-iam-role",
					Federated: strs(githubProvider), Sub: strs("${AllowedSubjects}"), Aud: strs("sts.amazonaws.com"),
					Attached:    strs("${IamPolicyArns}"),
					Assumptions: strs("parameter AllowedSubjects has no value", "parameter IamPolicyArns has no value"),
				},
				{
					ID: "oidc-list-params.yaml#ReaderRole", Name: "gha-dev-reader",
					Attached: strs("arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"),
				},
			},
		},
		{
			// The values of the AWS CLI's --parameters file.
			file:   "oidc-list-params.yaml",
			params: mustParams(t, "params/oidc-list-params.json"),
			roles: []roleView{
				{
					ID: "oidc-list-params.yaml#GitHubIamRole", Name: "gha-prod-github-iac-iam-role",
					Federated: strs(githubProvider),
					Sub:       strs("repo:acme/infra:ref:refs/heads/main", "repo:acme/infra:environment:prod"),
					Aud:       strs("sts.amazonaws.com"),
					Attached:  strs("arn:aws:iam::aws:policy/PowerUserAccess"),
				},
				{
					ID: "oidc-list-params.yaml#ReaderRole", Name: "gha-prod-reader",
					Attached: strs("arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"),
				},
			},
		},
		{
			// IsMain cannot be decided: the role and the policy are
			// read both ways, and linked only where they agree.
			// InAsia is false whatever Region is allowed to be; the
			// Description's InEurope is not read at all.
			file: "undecidable-if.yaml",
			roles: []roleView{
				{
					ID: "undecidable-if.yaml#Deploy[IsMain=true]", Name: "Deploy/if IsMain=true",
					Federated: strs(githubProvider), Sub: strs("repo:acme/app:ref:refs/heads/main"), Aud: strs("sts.amazonaws.com"),
					PolicyIDs:   strs("undecidable-if.yaml#DeployPolicy[IsMain=true]"),
					Assumptions: strs("condition IsMain is true"),
				},
				{
					ID: "undecidable-if.yaml#Deploy[IsMain=false]", Name: "Deploy/if IsMain=false",
					Federated: strs(githubProvider), Sub: strs("repo:acme/*"), Aud: strs("sts.amazonaws.com"),
					PolicyIDs:   strs("undecidable-if.yaml#DeployPolicy[IsMain=false]"),
					Assumptions: strs("condition IsMain is false"),
				},
			},
			policies: []policyView{
				{
					ID: "undecidable-if.yaml#DeployPolicy[IsMain=true]", Name: "deploy/if IsMain=true",
					RoleIDs:     strs("undecidable-if.yaml#Deploy[IsMain=true]"),
					Resource:    strs("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/app/*"),
					Assumptions: strs("condition IsMain is true"),
				},
				{
					ID: "undecidable-if.yaml#DeployPolicy[IsMain=false]", Name: "deploy/if IsMain=false",
					RoleIDs:     strs("undecidable-if.yaml#Deploy[IsMain=false]"),
					Resource:    strs("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:dev/app/*"),
					Assumptions: strs("condition IsMain is false"),
				},
			},
			// UseKey is decided by KmsKeyArn's default.
			secrets: []secretView{{ID: "undecidable-if.yaml#AppSecret", Name: "prod/app/api"}},
		},
		{
			// SAM: the role SAM creates, its managed policies by name,
			// policy templates expanded, inline statements; a function
			// with its own Role adds nothing.
			file: "sam-function.yaml",
			roles: []roleView{
				{
					ID: "sam-function.yaml#ReaderRole", Name: "ReaderRole",
					Attached:    strs(lambdaBasicExecution, "arn:aws:iam::aws:policy/SecretsManagerReadWrite"),
					PolicyIDs:   strs("sam-function.yaml#ReaderRole#inline/ReaderRolePolicy1", "sam-function.yaml#ReaderRole#inline/ReaderRolePolicy2", "sam-function.yaml#ReaderRole#inline/ReaderRolePolicy4"),
					Assumptions: strs("SAM policy template DynamoDBCrudPolicy of Reader is not judged"),
				},
				{
					ID: "sam-function.yaml#RotatorRole", Name: "RotatorRole",
					Attached:  strs(lambdaBasicExecution),
					PolicyIDs: strs("sam-function.yaml#RotatorRole#inline/RotatorRolePolicy0"),
				},
				{ID: "sam-function.yaml#WorkerRole", Name: "WorkerRole"},
			},
			policies: []policyView{
				{
					ID: "sam-function.yaml#ReaderRole#inline/ReaderRolePolicy1", Name: "ReaderRolePolicy1", RoleIDs: strs("sam-function.yaml#ReaderRole"),
					Resource: strs("${ApiKey}"), Assumptions: strs("SAM policy template DynamoDBCrudPolicy of Reader is not judged"),
				},
				{
					ID: "sam-function.yaml#ReaderRole#inline/ReaderRolePolicy2", Name: "ReaderRolePolicy2", RoleIDs: strs("sam-function.yaml#ReaderRole"),
					Resource:    strs("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
					Assumptions: strs("SAM policy template DynamoDBCrudPolicy of Reader is not judged"),
				},
				{
					ID: "sam-function.yaml#ReaderRole#inline/ReaderRolePolicy4", Name: "ReaderRolePolicy4", RoleIDs: strs("sam-function.yaml#ReaderRole"),
					Resource: strs("*"), Assumptions: strs("SAM policy template DynamoDBCrudPolicy of Reader is not judged"),
				},
				{
					ID: "sam-function.yaml#RotatorRole#inline/RotatorRolePolicy0", Name: "RotatorRolePolicy0", RoleIDs: strs("sam-function.yaml#RotatorRole"),
					Resource: strs("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*"),
				},
			},
			secrets: []secretView{{ID: "sam-function.yaml#ApiKey", Name: "prod/api/key"}},
		},
		{
			// Role and policy names the template does not fix are the
			// logical id (or the place in Policies); a reference by the
			// same parameter still links.
			file: "placeholder-names.yaml",
			roles: []roleView{{
				ID: "placeholder-names.yaml#AppRole", Name: "AppRole",
				PolicyIDs: strs("placeholder-names.yaml#AppRole#inline/Policies[0]", "placeholder-names.yaml#ReadPolicy"),
				Assumptions: strs("parameter RoleName has no value",
					`RoleName "${RoleName}" is not fixed by the template: named by its logical id`,
					`PolicyName "${AWS::StackName}-logs" is not fixed by the template: named by its place in Policies`),
			}},
			policies: []policyView{
				{
					ID: "placeholder-names.yaml#AppRole#inline/Policies[0]", Name: "Policies[0]", RoleIDs: strs("placeholder-names.yaml#AppRole"),
					Resource: strs("*"),
					Assumptions: strs("parameter RoleName has no value",
						`RoleName "${RoleName}" is not fixed by the template: named by its logical id`,
						`PolicyName "${AWS::StackName}-logs" is not fixed by the template: named by its place in Policies`),
				},
				{
					ID: "placeholder-names.yaml#ReadPolicy", Name: "ReadPolicy", RoleIDs: strs("placeholder-names.yaml#AppRole"),
					Resource: strs("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:staging/app/*"),
					Assumptions: strs("parameter RoleName has no value",
						`ManagedPolicyName "${AWS::StackName}-read" is not fixed by the template: named by its logical id`),
				},
			},
			// A secret's unfixed name stays as written: the naming rules
			// leave template names unjudged.
			secrets: []secretView{
				{ID: "placeholder-names.yaml#DbSecret", Name: "staging/app/db"},
				{ID: "placeholder-names.yaml#StackSecret", Name: "${AWS::StackName}/db", Assumptions: strs(`Name "${AWS::StackName}/db" is not fixed by the template`)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := parseCFNFixture(t, tc.file, tc.params)
			wantNoProblems(t, r)
			if r.kind != KindCloudFormation {
				t.Errorf("kind = %q", r.kind)
			}
			if diff := cmp.Diff(tc.roles, viewRoles(r.roles), cmpFacts); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.policies, viewPolicies(r.policies), cmpFacts); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.secrets, viewSecrets(r.secrets), cmpFacts); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScanCloudFormationParameters: Scan hands Options'
// CloudFormationParameters to every template that declares them.
func TestScanCloudFormationParameters(t *testing.T) {
	dir := filepath.Join("testdata", "cfn")
	names := func(opts Options) []string {
		res, err := Scan(context.Background(), dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) > 0 {
			t.Fatalf("errors: %+v", res.Errors)
		}
		var out []string
		for _, r := range res.Roles {
			if strings.HasPrefix(r.ID, "oidc-list-params.yaml#") {
				out = append(out, r.Name)
			}
		}
		return out
	}
	if diff := cmp.Diff(strs("gha-dev-github-iac-iam-role", "gha-dev-reader"), names(Options{})); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	given := Options{CloudFormationParameters: mustParams(t, "params/oidc-list-params.json")}
	if diff := cmp.Diff(strs("gha-prod-github-iac-iam-role", "gha-prod-reader"), names(given)); diff != "" {
		t.Errorf("given (-want +got):\n%s", diff)
	}
}

func mustParams(t *testing.T, name string) map[string]string {
	t.Helper()
	m, err := LoadCloudFormationParameters(filepath.Join("testdata", "cfn", name))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCloudFormationVariantCap: a resource depending on more undecided
// conditions than maxVariants combinations is judged on maxVariants of
// them, the rest taking their first branch, and the template is reported
// as not judged completely.
func TestCloudFormationVariantCap(t *testing.T) {
	src := `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  P: {Type: String}
Conditions:
  A: !Equals [!Ref P, a]
  B: !Equals [!Ref P, b]
  C: !Equals [!Ref P, c]
  D: !Equals [!Ref P, d]
Resources:
  R:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [!If [A, a:1, a:2], !If [B, b:1, b:2], !If [C, c:1, c:2], !If [D, d:1, d:2]]
            Resource: "*"
`
	r := parseFile("t.yaml", []byte(src))
	diffProblems(t, "errors", []result.InputProblem{{
		File: "t.yaml", Line: 10,
		Message: `R: its properties depend on more undecided conditions than the 8 combinations judged: beyond them, "D" counted as true (column 3)`,
	}}, r.errs)
	if len(r.policies) != maxVariants {
		t.Fatalf("%d policies, want %d", len(r.policies), maxVariants)
	}
	seen := map[string]bool{}
	for _, p := range r.policies {
		if seen[p.ID] {
			t.Errorf("ID %s repeated", p.ID)
		}
		seen[p.ID] = true
		if a := p.Assumptions; len(a) != 4 || a[3] != "condition D is true" {
			t.Errorf("%s assumes %q, want A, B, C and D true", p.ID, a)
		}
	}
}

// TestCloudFormationVariantsCollapse: the two branches of an Fn::If that
// give the same facts are one variant, which no longer assumes that
// condition; agreeing variants of different branches stay apart, each
// assuming exactly what it depends on.
func TestCloudFormationVariantsCollapse(t *testing.T) {
	src := `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  P: {Type: String}
  Q: {Type: String}
Conditions:
  A: !Equals [!Ref P, a]
  B: !Equals [!Ref Q, b]
Resources:
  R:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: reader
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: !If [A, [s3:GetObject], !If [B, [s3:GetObject], [s3:PutObject]]]
            Resource: "*"
`
	r := parseFile("t.yaml", []byte(src))
	wantNoProblems(t, r)
	var got []string
	for _, p := range r.policies {
		got = append(got, p.Name+" "+strings.Join(p.Document.Statement[0].Action, ",")+" "+strings.Join(p.Assumptions, "; "))
	}
	sort.Strings(got)
	// B is met first: with B undecided, A's branches both read as
	// s3:GetObject (B's first branch).
	want := []string{
		"reader/if B=false, A=false s3:PutObject condition B is false; condition A is false",
		"reader/if B=false, A=true s3:GetObject condition B is false; condition A is true",
		"reader/if B=true s3:GetObject condition B is true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
}

// TestCloudFormationSecretVariants: a secret whose KMS key depends on an
// undecided condition is read both ways; its name stays as written (the
// naming rules judge it), its IDs and assumptions tell the two apart; a
// RotationSchedule reaches both; a branch pair that agrees (the Fn::If in
// Tags) is one.
func TestCloudFormationSecretVariants(t *testing.T) {
	src := `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  KeyArn: {Type: String}
Conditions:
  UseKey: !Not [!Equals [!Ref KeyArn, ""]]
Resources:
  Api:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: prod/app/api
      KmsKeyId: !If [UseKey, !Ref KeyArn, !Ref AWS::NoValue]
      Tags: [{Key: env, Value: !If [UseKey, prod, prod]}]
  Rotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref Api
      RotationRules: {AutomaticallyAfterDays: 30}
`
	r := parseFile("t.yaml", []byte(src))
	wantNoProblems(t, r)
	want := []secretView{
		{ID: "t.yaml#Api[UseKey=true]", Name: "prod/app/api", KMS: "${KeyArn}", Assumptions: strs("condition UseKey is true", "parameter KeyArn has no value")},
		{ID: "t.yaml#Api[UseKey=false]", Name: "prod/app/api", Assumptions: strs("condition UseKey is false")},
	}
	if diff := cmp.Diff(want, viewSecrets(r.secrets), cmpFacts); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	for _, s := range r.secrets {
		if s.RotationEnabled == nil || !*s.RotationEnabled || s.RotationDays != 30 || s.Tags["env"] != "prod" {
			t.Errorf("%s: rotation %v every %d days, tags %v; want rotating every 30 days, env prod", s.ID, s.RotationEnabled, s.RotationDays, s.Tags)
		}
	}
}

// TestCloudFormationLinksByAttribute: a managed policy attached by
// !GetAtt PolicyArn, a role named by !GetAtt Arn and a secret rotated by
// !GetAtt Id are the template's own; a SAM function's role has its
// RolePath.
func TestCloudFormationLinksByAttribute(t *testing.T) {
	src := `Transform: AWS::Serverless-2016-10-31
Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}
  App:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns: [!GetAtt Read.PolicyArn]
  Key:
    Type: AWS::SecretsManager::Secret
  Rotate:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !GetAtt Key.Id
      RotationRules: {AutomaticallyAfterDays: 7}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      RolePath: /lambda/
`
	r := parseFile("t.yaml", []byte(src))
	wantNoProblems(t, r)
	if len(r.roles) != 2 || len(r.roles[0].AttachedARNs) != 0 || !cmp.Equal(r.roles[0].PolicyIDs, strs("t.yaml#Read")) {
		t.Errorf("roles = %+v, want App with the policy Read linked", r.roles)
	}
	if len(r.roles) == 2 && r.roles[1].Path != "/lambda/" {
		t.Errorf("FnRole path = %q, want /lambda/", r.roles[1].Path)
	}
	if len(r.secrets) != 1 || r.secrets[0].RotationDays != 7 {
		t.Errorf("secrets = %+v, want Key rotating every 7 days", r.secrets)
	}
}

func TestLoadCloudFormationParameters(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]string
		wantErr   string
	}{
		{"aws cli", `[{"ParameterKey":"Env","ParameterValue":"prod"},{"ParameterKey":"Old","UsePreviousValue":true},{"ParameterKey":"N","ParameterValue":3}]`,
			map[string]string{"Env": "prod", "N": "3"}, ""},
		{"codepipeline", `{"Parameters":{"Env":"prod","Subnets":["a","b"]},"Tags":{"team":"x"}}`,
			map[string]string{"Env": "prod", "Subnets": "a,b"}, ""},
		{"plain object", "\xEF\xBB\xBF{\"Env\": \"dev\", \"Debug\": true}", map[string]string{"Env": "dev", "Debug": "true"}, ""},
		{"no key", `[{"ParameterValue":"x"}]`, nil, "entry 0 has no ParameterKey"},
		{"object value", `{"Env": {"a": 1}}`, nil, "Env: value must be"},
		{"not json", `Env=prod`, nil, "neither the AWS CLI's --parameters JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCloudFormationParameters([]byte(tc.src))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := LoadCloudFormationParameters(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "read CloudFormation parameters") {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestSniffSAMTransform: a template with the SAM transform is
// CloudFormation, whatever its resources' types.
func TestSniffSAMTransform(t *testing.T) {
	tests := []struct {
		src  string
		want Kind
	}{
		{"Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: Custom::Thing}\n", KindCloudFormation},
		{"Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources: {}\n", KindCloudFormation},
		{"Transform: Other\nResources:\n  F: {Type: Custom::Thing}\n", KindUnknown},
	}
	for _, tc := range tests {
		r := parseFile("t.yaml", []byte(tc.src))
		if r.kind != tc.want {
			t.Errorf("%q: kind %q, want %q", tc.src, r.kind, tc.want)
		}
	}
}
