package org

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/secretgate/secretgate/internal/awsauth"
)

// Spoke is the role assumed in every account.
type Spoke struct {
	// RoleName may carry a path (security/secretgate-read).
	RoleName    string
	ExternalID  string
	SessionTags map[string]string
	// SessionName names the sessions (CloudTrail shows it).
	SessionName string
	// Duration of the sessions; 0 is STS's default (1h). Role chaining
	// caps it at 1h whatever the role allows.
	Duration time.Duration
}

// RoleARN is the spoke role's ARN in an account of partition ("aws",
// "aws-us-gov", "aws-cn"; "" means "aws").
func (s Spoke) RoleARN(partition, accountID string) string {
	if partition == "" {
		partition = "aws"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, s.RoleName)
}

// Partition is the partition of an ARN ("aws" when it is not one).
func Partition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// Assume returns a configuration whose credentials are the spoke role's
// in accountID, assumed with the hub configuration's credentials (role
// chaining). It assumes once before returning, so that a refusal is
// known now: an *awsauth.AssumeRoleError when STS refuses.
func Assume(ctx context.Context, hub aws.Config, partition, accountID string, s Spoke) (aws.Config, error) {
	arn := s.RoleARN(partition, accountID)
	var tags []ststypes.Tag
	keys := make([]string, 0, len(s.SessionTags))
	for k := range s.SessionTags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		tags = append(tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(s.SessionTags[k])})
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(hub), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = s.SessionName
		if s.ExternalID != "" {
			o.ExternalID = aws.String(s.ExternalID)
		}
		o.Tags = tags
		if s.Duration > 0 {
			o.Duration = s.Duration
		}
	})
	cfg := hub.Copy()
	cfg.Credentials = aws.NewCredentialsCache(provider)
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if awsauth.IsRefusal(err) {
			return aws.Config{}, &awsauth.AssumeRoleError{RoleARN: arn, Method: "AssumeRole", Err: err}
		}
		return aws.Config{}, fmt.Errorf("assume role %s: %w", arn, err)
	}
	return cfg, nil
}

// EnabledRegions lists the regions enabled in the account whose
// credentials cfg holds (account:ListRegions: enabled by default, or
// opted in), sorted.
func EnabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	client := account.NewFromConfig(cfg)
	p := account.NewListRegionsPaginator(client, &account.ListRegionsInput{
		RegionOptStatusContains: []accounttypes.RegionOptStatus{
			accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault,
		},
	})
	var regions []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("account:ListRegions: %w", err)
		}
		for _, r := range page.Regions {
			if st := r.RegionOptStatus; st == accounttypes.RegionOptStatusEnabled || st == accounttypes.RegionOptStatusEnabledByDefault {
				regions = append(regions, aws.ToString(r.RegionName))
			}
		}
	}
	if len(regions) == 0 {
		return nil, errors.New("account:ListRegions: no enabled region")
	}
	slices.Sort(regions)
	return slices.Compact(regions), nil
}
