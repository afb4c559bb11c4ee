package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// TestCloudFormationYAML reads the payments stack as deployed with
// Environment=prod given (a parameters file): its conditions are decided.
// TestCloudFormationDefaultsDecideNoCondition reads it without.
func TestCloudFormationYAML(t *testing.T) {
	const f = "cloudformation/payments.yaml"
	data, err := os.ReadFile(filepath.Join("testdata", "repo", filepath.FromSlash(f)))
	if err != nil {
		t.Fatal(err)
	}
	r := parseFileWith(f, data, parseOptions{cfnParams: map[string]string{"Environment": "prod"}})
	wantNoProblems(t, r)
	if r.kind != KindCloudFormation {
		t.Fatalf("kind = %q", r.kind)
	}
	role := "cloudformation/payments.yaml#DeployRole"
	wantRoles := []facts.Role{{
		ID:   role,
		Name: "prod-payments-deploy", // !Sub with parameter defaults
		Path: "/ci/",
		Tags: map[string]string{"environment": "prod"},
		// A YAML mapping starts at the line of its first key.
		Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 63), Statement: []facts.Statement{{
			Effect: "Allow",
			// AWS::Partition is known, the account id is not.
			Principal: map[string][]string{"Federated": {"arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"}},
			Action:    strs("sts:AssumeRoleWithWebIdentity"),
			Condition: map[string]map[string][]string{
				"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
				"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:acme/payments:*"}},
			},
			Location: at(f, 65),
		}}},
		PolicyIDs: strs(role+"#inline/read-own-secrets", "cloudformation/payments.yaml#AuditPolicy", "cloudformation/payments.yaml#OpsPolicy"),
		// The ManagedPolicyArns !Ref to AuditPolicy is linked above; the
		// AWS managed policy is only known by ARN.
		AttachedARNs: strs("arn:aws:iam::aws:policy/ReadOnlyAccess"),
		Source:       "cloudformation",
		Location:     at(f, 55),
	}}
	// DevSandboxRole is left out: its Condition IsDev is false with the
	// parameters' defaults.
	wantPolicies := []facts.Policy{
		{
			ID: role + "#inline/read-own-secrets", Name: "read-own-secrets", Kind: "inline", RoleIDs: strs(role),
			Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 77), Statement: []facts.Statement{
				{Effect: "Allow", Action: strs("secretsmanager:GetSecretValue"), Resource: strs("${ApiKeySecret}"), Location: at(f, 79)},
				{Effect: "Allow", Action: strs("kms:Decrypt"), Resource: strs("${SecretsKey.Arn}"), Index: 1, Location: at(f, 82)},
			}},
			Source: "cloudformation", Location: at(f, 75),
		},
		{
			ID: "cloudformation/payments.yaml#AuditPolicy", Name: "payments-audit", Kind: "managed", RoleIDs: strs(role),
			Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 94), Statement: []facts.Statement{
				{Effect: "Allow", Action: strs("cloudtrail:LookupEvents"), Resource: strs("*"), Location: at(f, 96)},
			}},
			Source: "cloudformation", Location: at(f, 89),
		},
		{
			ID: "cloudformation/payments.yaml#OpsPolicy", Name: "ops-extras", Kind: "inline", RoleIDs: strs(role),
			Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 106), Statement: []facts.Statement{
				{Effect: "Allow", NotAction: strs("iam:*"), Resource: strs("*"), Location: at(f, 108)},
				{
					Effect: "Deny", // !If [IsProd, Deny, Allow] with Environment=prod
					Action: strs("iam:PassRole"), Resource: strs("*"),
					Condition: map[string]map[string][]string{"StringNotEquals": {"iam:passedtoservice": {"lambda.amazonaws.com"}}},
					Index:     1, Location: at(f, 111),
				},
			}},
			Source: "cloudformation", Location: at(f, 100),
		},
	}
	wantSecrets := []facts.Secret{
		{
			ID: "cloudformation/payments.yaml#ApiKeySecret", Name: "prod/payments/api",
			Tags:            map[string]string{"environment": "prod", "owner": "payments-team"},
			KMSKeyID:        "${SecretsKey}",
			RotationEnabled: yes(), RotationDays: 30,
			Source: "cloudformation", Location: at(f, 26),
		},
		{
			// No RotationSchedule in the stack: the template says it
			// does not rotate.
			ID: "cloudformation/payments.yaml#DbPasswordSecret", Name: "prod/payments/db",
			RotationEnabled: no(),
			Source:          "cloudformation", Location: at(f, 41),
		},
	}
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

func TestCloudFormationJSON(t *testing.T) {
	const f = "cloudformation/orders.template"
	r := parseRepoFile(t, f)
	wantNoProblems(t, r)
	role := f + "#ReaderRole"
	wantRoles := []facts.Role{{
		ID: role,
		// A name the template does not fix (a parameter without a
		// default) is no name to judge: the logical id stands in.
		Name: "ReaderRole",
		Path: "/",
		Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 19), Statement: []facts.Statement{{
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
			Action:    strs("sts:AssumeRole"),
			Location:  at(f, 21),
		}}},
		PolicyIDs: strs(f + "#ReaderPolicy"),
		Source:    "cloudformation",
		Assumptions: strs("parameter ReaderRoleName has no value",
			`RoleName "${ReaderRoleName}" is not fixed by the template: named by its logical id`),
		Location: at(f, 15),
	}}
	wantPolicies := []facts.Policy{{
		ID: f + "#ReaderPolicy", Name: "orders-reader", Kind: "inline", RoleIDs: strs(role),
		Document: facts.PolicyDocument{Version: "2012-10-17", Location: at(f, 34), Statement: []facts.Statement{{
			Effect: "Allow", Action: strs("secretsmanager:GetSecretValue"),
			Resource: strs("arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:staging/orders/*"),
			Location: at(f, 37),
		}}},
		Source: "cloudformation", Location: at(f, 29),
	}}
	wantSecrets := []facts.Secret{{
		ID: f + "#DbSecret", Name: "staging/orders/db",
		Tags:     map[string]string{"team": "orders"},
		KMSKeyID: "alias/orders-staging", // Fn::FindInMap with the Stage default
		// RotationRules.AutomaticallyAfterDays from the mapping.
		RotationEnabled: yes(), RotationDays: 60,
		Source: "cloudformation", Location: at(f, 46),
	}}
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

func TestCloudFormationBadResourceKeepsTheRest(t *testing.T) {
	r := parseRepoFile(t, "broken/both-actions.yaml")
	diffProblems(t, "errors", []result.InputProblem{{
		File: "broken/both-actions.yaml", Line: 13,
		Message: "BadRole: AssumeRolePolicyDocument: Statement[0] has both Action and NotAction (column 13)",
	}}, r.errs)
	if len(r.secrets) != 1 || r.secrets[0].Name != "dev/broken/api" {
		t.Errorf("the valid secret of the template must still be read: %+v", r.secrets)
	}
	if len(r.roles) != 1 || r.roles[0].Trust != nil {
		t.Errorf("the role is kept without its invalid trust policy: %+v", r.roles)
	}
}

// TestIntrinsics checks how intrinsic functions in names and documents
// resolve.
func TestIntrinsics(t *testing.T) {
	tmpl := `
Parameters:
  Env: {Type: String, Default: prod}
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  NoDefault: {Type: String}
  Region: {Type: String, AllowedValues: [eu-west-1, us-east-1]}
  Only: {Type: String, AllowedValues: [prod]}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
Resources:
  Gh: {Type: AWS::IAM::OIDCProvider, Properties: {Url: "https://token.actions.githubusercontent.com"}}
  Ent: {Type: AWS::IAM::OIDCProvider, Properties: {Url: !Sub "https://token.actions.githubusercontent.com/${Env}"}}
  Unknown: {Type: AWS::IAM::OIDCProvider, Properties: {Url: !Ref NoDefault}}
  Self: {Type: AWS::IAM::OIDCProvider, Properties: {Url: !Join ["", [!Ref Self, !GetAtt Self.Arn, !Ref Self]]}}
Mappings:
  M: {prod: {Key: mapped}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [x, x]]
  Either: !Or [!Condition NotProd, !Equals [!Ref NoDefault, y]]
  Unknown: !Equals [!Ref AWS::Region, eu-west-1]
  Loop: !Not [!Condition Loop]
  InAsia: !Equals [!Ref Region, ap-south-1]
  InEurope: !Equals [!Ref Region, eu-west-1]
  OnlyProd: !Equals [prod, !Ref Only]
`
	tests := []struct {
		name, expr, want string
	}{
		{"sub with parameters", `!Sub "${Env}/${AWS::Partition}/${AWS::URLSuffix}"`, "prod/aws/amazonaws.com"},
		{"sub keeps unknowns", `!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${NoDefault}"`, "arn:aws:iam::${AWS::AccountId}:role/${NoDefault}"},
		{"sub literal", `!Sub "${!Literal}-${Env}"`, "${Literal}-prod"},
		{"sub attribute", `!Sub "${Role.Arn}"`, "${Role.Arn}"},
		{"sub with variables", `!Sub ["${A}-${Env}", {A: !Ref Env}]`, "prod-prod"},
		{"sub unterminated", `!Sub "x-${Env"`, "x-${Env"},
		{"join", `!Join ["/", [!Ref Env, svc, !Ref NoDefault]]`, "prod/svc/${NoDefault}"},
		{"join list parameter", `!Join ["+", !Ref Names]`, "a+b+c"},
		{"select split", `!Select [1, !Split [",", "x,y,z"]]`, "y"},
		{"select out of range", `!Select [9, [a]]`, "${Fn::Select}"},
		{"find in map", `!FindInMap [M, !Ref Env, Key]`, "mapped"},
		{"find in map missing", `!FindInMap [M, dev, Key]`, "${Fn::FindInMap}"},
		{"getatt", `!GetAtt Db.Endpoint.Address`, "${Db.Endpoint.Address}"},
		{"getatt list", `{"Fn::GetAtt": [Db, Arn]}`, "${Db.Arn}"},
		{"import", `!ImportValue shared-key`, "${ImportValue:shared-key}"},
		{"base64", `!Base64 abc`, "YWJj"},
		{"if true", `!If [IsProd, p, d]`, "p"},
		{"if false", `!If [NotProd, p, d]`, "d"},
		{"if and", `!If [Both, p, d]`, "p"},
		{"if or unknown", `!If [Either, p, d]`, "p"},
		{"if unknown takes first", `!If [Unknown, first, second]`, "first"},
		{"if cycle", `!If [Loop, first, second]`, "first"},
		{"cidr", `!Cidr [10.0.0.0/16, 2, 8]`, "${Fn::Cidr}"},
		{"get azs", `!GetAZs ""`, "${Fn::GetAZs}"},
		{"unknown function", `{"Fn::Nope": 1}`, "${Fn::Nope}"},
		{"ref to resource", `!Ref Thing`, "${Thing}"},
		{"bad ref", `{"Ref": [1]}`, "${Ref}"},
		{"ref oidc provider", `!Ref Gh`, "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"},
		{"getatt oidc provider arn", `!GetAtt Gh.Arn`, "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"},
		{"getatt oidc provider long form", `{"Fn::GetAtt": [Gh, Arn]}`, "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"},
		{"oidc provider of an enterprise", `!Ref Ent`, "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com/prod"},
		{"oidc provider other attribute", `!GetAtt Gh.Thumbprints`, "${Gh.Thumbprints}"},
		{"oidc provider without a known url", `!Ref Unknown`, "${Unknown}"},
		{"oidc provider whose url refers to itself", `!Ref Self`, "${Self}"},
		{"if not an allowed value", `!If [InAsia, p, d]`, "d"},
		{"if an allowed value", `!If [InEurope, p, d]`, "p"},
		{"if the only allowed value", `!If [OnlyProd, p, d]`, "p"},
		{"join list parameter without value", `!Join [",", !Ref Subnets]`, "${Subnets}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := doctree.ParseYAML([]byte(tmpl+"Value: "+tt.expr+"\n"), cfnShortTag)
			if err != nil {
				t.Fatal(err)
			}
			// Env given, as a parameters file gives it: conditions on it
			// are decided (a default alone decides none).
			res := newResolver(docs[0], map[string]string{"Env": "prod"})
			v, _ := res.resolve(docs[0].Get("Value"))
			got, ok := v.Scalar()
			if !ok {
				t.Fatalf("resolved to %s, want a string", v.Describe())
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIntrinsicNoValueRemovesProperty(t *testing.T) {
	docs, err := doctree.ParseYAML([]byte(`
Conditions:
  Off: !Equals [a, b]
Value:
  Keep: 1
  Drop: !Ref AWS::NoValue
  List: [a, !If [Off, b, !Ref AWS::NoValue], c]
`), cfnShortTag)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := newResolver(docs[0], nil).resolve(docs[0].Get("Value"))
	if v.Get("Drop") != nil || v.Get("Keep") == nil {
		t.Errorf("AWS::NoValue must remove the property: %+v", v.Members)
	}
	if n := len(v.Get("List").Elems); n != 2 {
		t.Errorf("list has %d elements, want 2", n)
	}
}

func TestCloudFormationShortTagsAllParse(t *testing.T) {
	// Every short form must parse and map to its long form.
	src := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  S:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: !Join
        - "/"
        - - !Select [0, !Split ["-", !Sub "${AWS::StackName}-x"]]
          - !If [C, !Ref AWS::NoValue, !ImportValue shared]
          - !FindInMap [M, !Ref AWS::Region, K]
          - !Base64 x
          - !Select [0, !Cidr [!GetAtt V.CidrBlock, 1, 8]]
          - !Select [0, !GetAZs ""]
          - !GetAtt R.Arn
      Description: !If [!And [!Equals [a, b], !Or [!Not [!Condition C], !Condition D]], x, y]
`
	r := parseFile("t.yaml", []byte(src))
	wantNoProblems(t, r)
	// The condition C is not defined, so its !If cannot be decided: both
	// branches are read, one secret each. Names the template does not fix
	// stay as written (the naming rules leave template names unjudged).
	// Split needs a known string; AWS::NoValue drops the element.
	var got []string
	for _, s := range r.secrets {
		got = append(got, s.ID+" "+s.Name+" "+strings.Join(s.Assumptions, "; "))
	}
	want := strs(
		`t.yaml#S[C=true] ${Fn::Select}/${Fn::FindInMap}/eA==/${Fn::Select}/${Fn::Select}/${R.Arn} condition C is true; Name "${Fn::Select}/${Fn::FindInMap}/eA==/${Fn::Select}/${Fn::Sele…" is not fixed by the template`,
		`t.yaml#S[C=false] ${Fn::Select}/${ImportValue:shared}/${Fn::FindInMap}/eA==/${Fn::Select}/${Fn::Select}/${R.Arn} condition C is false; Name "${Fn::Select}/${ImportValue:shared}/${Fn::FindInMap}/eA==/${…" is not fixed by the template`,
	)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	for tag, long := range cfnShortTags {
		n := cfnShortTag(tag, &doctree.Node{Kind: doctree.String, Text: "a.b"})
		if n.Kind != doctree.Object || n.Members[0].Key != long {
			t.Errorf("%s maps to %+v, want %s", tag, n, long)
		}
	}
}

func TestCloudFormationStructureErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []result.InputProblem
	}{
		{
			"resources not an object",
			"AWSTemplateFormatVersion: '2010-09-09'\nResources: [a]\n",
			[]result.InputProblem{{File: "t.yaml", Line: 2, Message: "Resources must be an object, found an array (column 12)"}},
		},
		{
			"properties not an object",
			"Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties: 5\n",
			[]result.InputProblem{{File: "t.yaml", Line: 4, Message: "S: Properties must be an object, found a number (column 17)"}},
		},
		{
			"policies not a list",
			"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies: {a: 1}\n",
			[]result.InputProblem{{File: "t.yaml", Line: 5, Message: "R: Policies must be a list, found an object (column 17)"}},
		},
		{
			"policy without document",
			"Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n",
			[]result.InputProblem{{File: "t.yaml", Line: 2, Message: "P: PolicyDocument is missing (column 3)"}},
		},
		{
			"rotation days not a number",
			"Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n  Rot:\n    Type: AWS::SecretsManager::RotationSchedule\n    Properties:\n      SecretId: !Ref S\n      RotationRules: {AutomaticallyAfterDays: soon}\n",
			[]result.InputProblem{{File: "t.yaml", Line: 8, Message: `Rot: RotationRules.AutomaticallyAfterDays must be a whole number of days, found "soon" (column 47)`}},
		},
		{
			"name is a list",
			"Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: [a]\n",
			[]result.InputProblem{{File: "t.yaml", Line: 5, Message: "S: Name must be a string, found an array (column 13)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseFile("t.yaml", []byte(tt.src))
			diffProblems(t, "errors", tt.want, r.errs)
		})
	}
}

// TestCloudFormationUndecidableIf: an Fn::If whose condition the template
// cannot decide (a parameter without a default) is judged on both branches:
// the role is one fact per branch, each saying in its assumptions (and, as
// the names would be the same, in its name) which branch it is. Decidable
// conditions and branches that agree give one fact as written.
func TestCloudFormationUndecidableIf(t *testing.T) {
	tmpl := func(sub string) string {
		return `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage: {Type: String}
  Env: {Type: String, Default: prod}
Conditions:
  IsMain: !Equals [!Ref Stage, main]
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: !Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: ` + sub + `
`
	}
	type variant struct {
		id, name, sub string
		assumptions   []string
	}
	tests := []struct {
		name, sub string
		want      []variant
	}{
		{"undecidable, branches differ", `!If [IsMain, "repo:acme/app:ref:refs/heads/main", "repo:acme/*"]`, []variant{
			{"stack.yaml#Deploy[IsMain=true]", "Deploy/if IsMain=true", "repo:acme/app:ref:refs/heads/main", strs("condition IsMain is true")},
			{"stack.yaml#Deploy[IsMain=false]", "Deploy/if IsMain=false", "repo:acme/*", strs("condition IsMain is false")},
		}},
		{"undecidable, branches agree", `!If [IsMain, "repo:acme/app:*", "repo:acme/app:*"]`, []variant{
			// Nothing judged depends on the condition.
			{"stack.yaml#Deploy", "Deploy", "repo:acme/app:*", nil},
		}},
		// A default decides nothing: the stack may be deployed with any
		// value of Env, and the wider branch is judged too.
		{"not decided by a default", `!If [IsProd, "repo:acme/app:environment:prod", "repo:acme/*"]`, []variant{
			{"stack.yaml#Deploy[IsProd=true]", "Deploy/if IsProd=true", "repo:acme/app:environment:prod", []string{"condition IsProd is true"}},
			{"stack.yaml#Deploy[IsProd=false]", "Deploy/if IsProd=false", "repo:acme/*", []string{"condition IsProd is false"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseFile("stack.yaml", []byte(tmpl(tc.sub)))
			wantNoProblems(t, r)
			var got []variant
			for _, role := range r.roles {
				if role.Trust == nil {
					t.Fatalf("role %s has no trust", role.ID)
				}
				subs := role.Trust.Statement[0].Condition["StringLike"]["token.actions.githubusercontent.com:sub"]
				got = append(got, variant{role.ID, role.Name, strings.Join(subs, ","), role.Assumptions})
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(variant{}), cmpFacts); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCloudFormationDefaultsDecideNoCondition: a resource behind a
// condition that only a parameter's default makes false is judged, with
// the assumption; the break-glass role a pull request hides behind
// "EnableBreakGlass: false" is still a role. The parameters file decides.
func TestCloudFormationDefaultsDecideNoCondition(t *testing.T) {
	tmpl := []byte(`Parameters:
  EnableBreakGlass: {Type: String, Default: "false", AllowedValues: ["true", "false"]}
Conditions:
  BreakGlass: !Equals [!Ref EnableBreakGlass, "true"]
Resources:
  BreakGlassRole:
    Type: AWS::IAM::Role
    Condition: BreakGlass
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}
            Action: sts:AssumeRoleWithWebIdentity
            Condition: {StringLike: {"token.actions.githubusercontent.com:sub": "*"}}
`)
	r := parseFile("stack.yaml", tmpl)
	wantNoProblems(t, r)
	if len(r.roles) != 1 || len(r.roles[0].Assumptions) != 1 || r.roles[0].Assumptions[0] != "condition BreakGlass is true" {
		t.Fatalf("roles %+v, want BreakGlassRole judged, assuming the condition true", r.roles)
	}
	given := parseFileWith("stack.yaml", tmpl, parseOptions{cfnParams: map[string]string{"EnableBreakGlass": "false"}})
	wantNoProblems(t, given)
	if len(given.roles) != 0 {
		t.Errorf("with EnableBreakGlass=false given, roles %+v, want none", given.roles)
	}
}

// TestSAMGlobals: Globals.Function applies as SAM applies it — a global
// Policies list comes before the function's own, and a global Role means
// SAM creates no role for the function.
func TestSAMGlobals(t *testing.T) {
	tmpl := func(globals string) []byte {
		return []byte(`Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
` + globals + `
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Policies:
        - Statement:
            - {Effect: Allow, Action: s3:GetObject, Resource: "*"}
`)
	}
	r := parseFile("sam.yaml", tmpl(`    Policies:
      - Statement:
          - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: "*"}`))
	wantNoProblems(t, r)
	var actions []string
	for _, pol := range r.policies {
		for _, st := range pol.Document.Statement {
			actions = append(actions, st.Action...)
		}
	}
	if len(r.roles) != 1 || strings.Join(actions, ",") != "secretsmanager:GetSecretValue,s3:GetObject" {
		t.Errorf("roles %d, actions %v; want ReaderRole with the global policy first, then its own", len(r.roles), actions)
	}
	r = parseFile("sam.yaml", tmpl(`    Role: arn:aws:iam::123456789012:role/shared`))
	wantNoProblems(t, r)
	if len(r.roles) != 0 {
		t.Errorf("a global Role: roles %+v, want none created", r.roles)
	}
}
