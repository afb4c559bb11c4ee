// Package bench generates large, realistic inputs for secretgate's
// benchmarks: an AWS account inventory with many secrets and many roles, each
// role with a GitHub OIDC trust policy and two inline policies, a mix of good
// and bad.
package bench

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/secretgate/secretgate/internal/inventory"
)

var (
	envs     = []string{"prod", "staging", "dev"}
	services = []string{"bybit", "binance", "db", "redis", "stripe", "kafka", "okx", "ledger"}
	types    = []string{"api", "password", "token", "key"}
)

// Repositories are the GitHub repositories the generated roles trust.
func Repositories() []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = "acme/" + s
	}
	return out
}

func doc(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

type stmt = map[string]any

func policyDoc(stmts ...stmt) json.RawMessage {
	return doc(map[string]any{"Version": "2012-10-17", "Statement": stmts})
}

// Account returns an inventory snapshot with nSecrets secrets and nRoles
// roles. The same arguments give the same snapshot.
func Account(nSecrets, nRoles int, now time.Time) *inventory.Snapshot {
	snap := &inventory.Snapshot{
		Schema:      inventory.Schema,
		GeneratedAt: now,
		Account:     "123456789012",
		Regions:     []string{"eu-west-1"},
		Secrets:     make([]inventory.Secret, 0, nSecrets),
		Roles:       make([]inventory.Role, 0, nRoles),
		Policies:    []inventory.Policy{},
		OIDCProviders: []inventory.OIDCProvider{{
			ARN:       "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
			URL:       "https://token.actions.githubusercontent.com",
			ClientIDs: []string{"sts.amazonaws.com"},
		}},
	}
	day := 24 * time.Hour
	for i := 0; i < nSecrets; i++ {
		env := envs[i%len(envs)]
		name := fmt.Sprintf("%s/%s-%d/%s", env, services[i%len(services)], i/len(services), types[i%len(types)])
		if i%97 == 0 {
			name = fmt.Sprintf("Legacy_%s_Key_%d", services[i%len(services)], i)
		}
		s := inventory.Secret{
			Name:            name,
			ARN:             fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:123456789012:secret:%s-AbCdEf", name),
			Region:          "eu-west-1",
			Tags:            map[string]string{"environment": env, "owner": "team-" + services[i%len(services)]},
			RotationEnabled: i%5 != 0,
			CreatedDate:     now.Add(-time.Duration(30+i%400) * day),
			Versions:        &inventory.Versions{Count: 2, HasCurrent: true, HasPrevious: true},
		}
		if s.RotationEnabled {
			rotated := now.Add(-time.Duration(i%150) * day)
			s.RotationDays = []int{30, 60, 90, 120}[i%4]
			s.RotationLambdaARN = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
			s.LastRotatedDate = rotated
			s.NextRotationDate = rotated.Add(time.Duration(s.RotationDays) * day)
		}
		snap.Secrets = append(snap.Secrets, s)
	}
	for i := 0; i < nRoles; i++ {
		env := envs[i%len(envs)]
		svc := services[i%len(services)]
		name := fmt.Sprintf("github-actions-%s-%d-%s", svc, i, env)
		sub := []string{
			"repo:acme/" + svc + ":ref:refs/heads/main",
			"repo:acme/" + svc + ":environment:" + env,
			"repo:acme/" + svc + ":*",
			"repo:acme/*",
			"repo:acme@1234/" + svc + "@5678:ref:refs/heads/main",
		}[i%5]
		trust := policyDoc(stmt{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{
				"StringEquals": map[string]any{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
				"StringLike":   map[string]any{"token.actions.githubusercontent.com:sub": sub},
			},
		})
		resEnv := env
		if i%7 == 0 {
			resEnv = "*"
		}
		read := policyDoc(
			stmt{"Effect": "Allow", "Action": []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
				"Resource": fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:123456789012:secret:%s/%s/*", resEnv, svc)},
			stmt{"Effect": "Allow", "Action": "kms:Decrypt",
				"Resource":  "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}},
		)
		opsActions := []string{"logs:CreateLogStream", "logs:PutLogEvents"}
		if i%11 == 0 {
			opsActions = append(opsActions, "iam:PassRole")
		}
		ops := policyDoc(stmt{"Effect": "Allow", "Action": opsActions, "Resource": "*"})
		snap.Roles = append(snap.Roles, inventory.Role{
			Name:  name,
			ARN:   "arn:aws:iam::123456789012:role/" + name,
			Path:  "/",
			Tags:  map[string]string{"environment": env},
			Trust: trust,
			InlinePolicies: []inventory.InlinePolicy{
				{Name: "read-secrets", Document: read},
				{Name: "ops", Document: ops},
			},
			AttachedPolicyARNs: []string{},
		})
	}
	return snap
}
