package awsinv

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/secretgate/secretgate/internal/inventory"
)

// secretsPageSize is ListSecrets' largest page: N secrets cost
// ceil(N/100) calls per region.
const secretsPageSize = 100

// secrets lists one region's secrets. ListSecrets carries every field the
// rules read (rotation, dates, tags, version stages), so there is no
// DescribeSecret per secret; no rule reads resource policies, so they are
// not fetched. A failure keeps the pages already read and marks naming and
// rotation incomplete.
func (c *collector) secrets(ctx context.Context, region string) []inventory.Secret {
	client := secretsmanager.NewFromConfig(c.cfg, func(o *secretsmanager.Options) { o.Region = region })
	var out []inventory.Secret
	var token *string
	for {
		var page *secretsmanager.ListSecretsOutput
		err := c.call(ctx, func(ctx context.Context) error {
			var err error
			page, err = client.ListSecrets(ctx, &secretsmanager.ListSecretsInput{
				MaxResults: aws.Int32(secretsPageSize),
				NextToken:  token,
			})
			return err
		})
		if err != nil {
			c.probs.add(secretFamilies, "%s", describe("secretsmanager:ListSecrets in "+region, err))
			return out
		}
		for _, e := range page.SecretList {
			out = append(out, secretFrom(region, e))
		}
		if page.NextToken == nil || *page.NextToken == "" || (token != nil && *page.NextToken == *token) {
			return out
		}
		token = page.NextToken
	}
}

func secretFrom(region string, e smtypes.SecretListEntry) inventory.Secret {
	s := inventory.Secret{
		Name:              aws.ToString(e.Name),
		ARN:               aws.ToString(e.ARN),
		Region:            region,
		KMSKeyID:          aws.ToString(e.KmsKeyId),
		RotationEnabled:   aws.ToBool(e.RotationEnabled),
		RotationLambdaARN: aws.ToString(e.RotationLambdaARN),
		OwningService:     aws.ToString(e.OwningService),
		PrimaryRegion:     aws.ToString(e.PrimaryRegion),
	}
	if len(e.Tags) > 0 {
		s.Tags = map[string]string{}
		for _, t := range e.Tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	if r := e.RotationRules; r != nil {
		s.RotationDays = int(aws.ToInt64(r.AutomaticallyAfterDays))
		s.RotationSchedule = aws.ToString(r.ScheduleExpression)
	}
	setTime(&s.CreatedDate, e.CreatedDate)
	setTime(&s.LastRotatedDate, e.LastRotatedDate)
	setTime(&s.LastChangedDate, e.LastChangedDate)
	setTime(&s.LastAccessedDate, e.LastAccessedDate)
	setTime(&s.NextRotationDate, e.NextRotationDate)
	setTime(&s.DeletedDate, e.DeletedDate)
	if len(e.SecretVersionsToStages) > 0 {
		s.Versions = inventory.SummarizeVersions(e.SecretVersionsToStages)
	}
	return s
}

func setTime(dst *time.Time, src *time.Time) {
	if src != nil && !src.IsZero() {
		*dst = src.UTC()
	}
}
