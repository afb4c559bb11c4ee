package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// generate builds the inventory the performance goal of the core issue
// names: 10,000 secrets and 1,000 roles, each role with a trust policy and
// two inline policies.
func generate(secrets, roles int) *Snapshot {
	s := &Snapshot{GeneratedAt: time.Date(2026, 1, 12, 6, 0, 0, 0, time.UTC), Account: "123456789012", Regions: []string{"eu-west-1"}}
	envs := []string{"prod", "staging", "dev"}
	for i := range secrets {
		env := envs[i%3]
		name := fmt.Sprintf("%s/svc%04d/api", env, i/3)
		s.Secrets = append(s.Secrets, Secret{
			Name: name, ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf", Region: "eu-west-1",
			Tags: map[string]string{"environment": env}, RotationEnabled: i%2 == 0, RotationDays: 30,
			CreatedDate: s.GeneratedAt.AddDate(0, 0, -i%400), LastRotatedDate: s.GeneratedAt.AddDate(0, 0, -i%100),
			Versions: &Versions{Count: 2, HasCurrent: true, HasPrevious: true},
		})
	}
	for i := range roles {
		env := envs[i%3]
		name := fmt.Sprintf("%s-svc%04d", env, i)
		trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/svc%04d:ref:refs/heads/main"}}}]}`, i)
		read := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:%s/svc%04d/*"}]}`, env, i)
		kms := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"}}}]}`
		s.Roles = append(s.Roles, Role{
			Name: name, ARN: "arn:aws:iam::123456789012:role/" + name, Path: "/",
			Trust:          json.RawMessage(trust),
			InlinePolicies: []InlinePolicy{{Name: "read", Document: json.RawMessage(read)}, {Name: "kms", Document: json.RawMessage(kms)}},
		})
	}
	return s
}

// BenchmarkReadFacts measures reading a 10,000-secret, 1,000-role snapshot
// from bytes into facts, the offline path of `secretgate check`.
func BenchmarkReadFacts(b *testing.B) {
	var buf bytes.Buffer
	if err := Write(&buf, generate(10000, 1000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(data))/(1<<20), "MiB/snapshot")
	for b.Loop() {
		s, err := Decode("inventory.json", data)
		if err != nil {
			b.Fatal(err)
		}
		f, errs := s.Facts()
		if len(errs) > 0 || len(f.Secrets) != 10000 || len(f.Policies) != 2000 {
			b.Fatalf("facts: %d secrets, %d policies, errors %v", len(f.Secrets), len(f.Policies), errs)
		}
	}
}

// BenchmarkWrite measures writing the same snapshot.
func BenchmarkWrite(b *testing.B) {
	s := generate(10000, 1000)
	for b.Loop() {
		if err := Write(&bytes.Buffer{}, s); err != nil {
			b.Fatal(err)
		}
	}
}
