package awstest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// TestBackdate: through the proxy a backdated secret reads as that much
// older in ListSecrets and DescribeSecret; other secrets, and kumo itself,
// keep their dates.
func TestBackdate(t *testing.T) {
	e := Start(t)
	e.CreateSecret(t, "prod/old/api", `{"k":"v"}`, nil)
	e.CreateSecret(t, "prod/new/api", `{"k":"v"}`, nil)
	e.Backdate("prod/old/api", 400*24*time.Hour)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, LoadOptions(e.URL)...)
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	list, err := sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ages := map[string]time.Duration{}
	for _, s := range list.SecretList {
		ages[aws.ToString(s.Name)] = time.Since(aws.ToTime(s.CreatedDate))
		if changed := time.Since(aws.ToTime(s.LastChangedDate)); (changed > 399*24*time.Hour) != (aws.ToString(s.Name) == "prod/old/api") {
			t.Errorf("%s: last changed %s ago", aws.ToString(s.Name), changed)
		}
	}
	tests := []struct {
		name     string
		min, max time.Duration
	}{
		{"prod/old/api", 399 * 24 * time.Hour, 401 * 24 * time.Hour},
		{"prod/new/api", 0, time.Hour},
	}
	for _, tt := range tests {
		if got := ages[tt.name]; got < tt.min || got > tt.max {
			t.Errorf("ListSecrets: %s created %s ago, want between %s and %s", tt.name, got, tt.min, tt.max)
		}
	}
	d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/old/api")})
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Since(aws.ToTime(d.CreatedDate)); got < 399*24*time.Hour {
		t.Errorf("DescribeSecret: created %s ago, want 400 days", got)
	}
	direct, err := secretsmanager.NewFromConfig(e.Config(t)).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/old/api")})
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Since(aws.ToTime(direct.CreatedDate)); got > time.Hour {
		t.Errorf("kumo itself: created %s ago; Backdate must only rewrite answers through the proxy", got)
	}
}
