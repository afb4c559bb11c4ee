// Package bench generates large, realistic inputs for secretgate's
// benchmarks: an account with many secrets and many roles, each role with a
// GitHub OIDC trust policy and two inline policies, a mix of good and bad.
package bench

import (
	"fmt"
	"time"

	"github.com/secretgate/secretgate/internal/facts"
)

var (
	envs     = []string{"prod", "staging", "dev"}
	services = []string{"bybit", "binance", "db", "redis", "stripe", "kafka", "okx", "ledger"}
	types    = []string{"api", "password", "token", "key"}
)

// Account returns an input document with nSecrets secrets and nRoles roles.
// The content is deterministic: the same arguments give the same document.
func Account(nSecrets, nRoles int, now time.Time) *facts.Input {
	in := &facts.Input{
		Schema:      facts.Schema,
		Now:         now.UTC().Format(time.RFC3339),
		Config:      DefaultConfig(),
		Roles:       make([]facts.Role, 0, nRoles),
		Policies:    make([]facts.Policy, 0, 2*nRoles),
		Secrets:     make([]facts.Secret, 0, nSecrets),
		Leaks:       []facts.Leak{},
		Credentials: []facts.Credential{},
		Checks:      []string{"naming", "rotation", "iam", "trust"},
	}
	for i := 0; i < nSecrets; i++ {
		env := envs[i%len(envs)]
		name := fmt.Sprintf("%s/%s-%d/%s", env, services[i%len(services)], i/len(services), types[i%len(types)])
		if i%97 == 0 {
			name = fmt.Sprintf("Legacy_%s_Key_%d", services[i%len(services)], i)
		}
		enabled := i%5 != 0
		created := now.Add(-time.Duration(30+i%400) * 24 * time.Hour)
		rotated := now.Add(-time.Duration(i%150) * 24 * time.Hour)
		s := facts.Secret{
			ID:              fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:123456789012:secret:%s-AbCdEf", name),
			Name:            name,
			ARN:             fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:123456789012:secret:%s-AbCdEf", name),
			Region:          "eu-west-1",
			Environment:     env,
			Tags:            map[string]string{"environment": env, "owner": "team-" + services[i%len(services)]},
			RotationEnabled: &enabled,
			CreatedDate:     created.Format(time.RFC3339),
			Source:          "inventory",
		}
		if enabled {
			s.RotationDays = []int{30, 60, 90, 120}[i%4]
			s.LastRotatedDate = rotated.Format(time.RFC3339)
			s.NextRotationDate = rotated.Add(time.Duration(s.RotationDays) * 24 * time.Hour).Format(time.RFC3339)
		}
		in.Secrets = append(in.Secrets, s)
	}
	for i := 0; i < nRoles; i++ {
		env := envs[i%len(envs)]
		svc := services[i%len(services)]
		name := fmt.Sprintf("github-actions-%s-%d-%s", svc, i, env)
		arn := "arn:aws:iam::123456789012:role/" + name
		sub := []string{
			"repo:acme/" + svc + ":ref:refs/heads/main",
			"repo:acme/" + svc + ":environment:" + env,
			"repo:acme/" + svc + ":*",
			"repo:acme/*",
			"repo:acme@1234/" + svc + "@5678:ref:refs/heads/main",
		}[i%5]
		trust := &facts.PolicyDocument{Version: "2012-10-17", Statement: []facts.Statement{{
			Effect:    "Allow",
			Principal: map[string][]string{"Federated": {"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
			Action:    []string{"sts:AssumeRoleWithWebIdentity"},
			Condition: map[string]map[string][]string{
				"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
				"StringLike":   {"token.actions.githubusercontent.com:sub": {sub}},
			},
		}}}
		readID, opsID := arn+"#read", arn+"#ops"
		resEnv := env
		if i%7 == 0 {
			resEnv = "*"
		}
		read := facts.Policy{ID: readID, Name: "read-secrets", Kind: "inline", RoleIDs: []string{arn}, Source: "inventory",
			Document: facts.PolicyDocument{Version: "2012-10-17", Statement: []facts.Statement{
				{Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
					Resource: []string{fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:123456789012:secret:%s/%s/*", resEnv, svc)}},
				{Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
					Condition: map[string]map[string][]string{"StringEquals": {"kms:viaservice": {"secretsmanager.eu-west-1.amazonaws.com"}}}, Index: 1},
			}}}
		opsActions := []string{"logs:CreateLogStream", "logs:PutLogEvents"}
		if i%11 == 0 {
			opsActions = append(opsActions, "iam:PassRole")
		}
		ops := facts.Policy{ID: opsID, Name: "ops", Kind: "inline", RoleIDs: []string{arn}, Source: "inventory",
			Document: facts.PolicyDocument{Version: "2012-10-17", Statement: []facts.Statement{
				{Effect: "Allow", Action: opsActions, Resource: []string{"*"}},
			}}}
		in.Policies = append(in.Policies, read, ops)
		in.Roles = append(in.Roles, facts.Role{
			ID: arn, Name: name, ARN: arn, Path: "/", Environment: env,
			Tags: map[string]string{"environment": env}, Trust: trust,
			PolicyIDs: []string{readID, opsID}, Source: "inventory",
		})
	}
	return in
}

// DefaultConfig is the policy configuration the defaults produce.
func DefaultConfig() facts.Config {
	return facts.Config{
		Environments: map[string]facts.Environment{
			"prod":    {MaxRotationDays: 90, WarnDays: 14, GraceHours: 24, RequireRotation: true, Production: true},
			"staging": {MaxRotationDays: 120, WarnDays: 14, GraceHours: 24},
			"dev":     {WarnDays: 14, GraceHours: 24},
		},
		EnvironmentOrder: []string{"prod", "staging", "dev"},
		Naming: facts.Naming{Pattern: "{env}/{service}/{type}",
			Regex: `^(prod|staging|dev)/[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$`},
		GitHub: facts.GitHub{Repositories: []string{"acme/bybit", "acme/binance", "acme/db", "acme/redis", "acme/stripe", "acme/kafka", "acme/okx", "acme/ledger"},
			Audience: "sts.amazonaws.com", Issuers: []string{"token.actions.githubusercontent.com"}},
		Waivers: []facts.Waiver{},
	}
}
