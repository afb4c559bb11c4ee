package awsinv

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// oidcProviders lists the account's OpenID Connect identity providers with
// their client ids (audiences) and thumbprints. They belong to the trust
// check: a role trusting GitHub is only as good as the provider.
func (c *collector) oidcProviders(ctx context.Context) []inventory.OIDCProvider {
	client := iam.NewFromConfig(c.cfg)
	fams := []string{result.CheckTrust}
	var arns []string
	err := c.call(ctx, func(ctx context.Context) error {
		out, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		if err == nil {
			for _, p := range out.OpenIDConnectProviderList {
				arns = append(arns, aws.ToString(p.Arn))
			}
		}
		return err
	})
	if err != nil {
		c.probs.add(fams, "%s", describe("iam:ListOpenIDConnectProviders", err))
		return nil
	}
	out := make([]inventory.OIDCProvider, len(arns))
	each(ctx, c, idxs(len(arns)), func(ctx context.Context, i int) {
		p := inventory.OIDCProvider{ARN: arns[i], ClientIDs: []string{}}
		err := c.call(ctx, func(ctx context.Context) error {
			got, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arns[i])})
			if err != nil {
				return err
			}
			p.URL = aws.ToString(got.Url)
			if p.URL != "" && !strings.Contains(p.URL, "://") {
				p.URL = "https://" + p.URL
			}
			p.ClientIDs = append(p.ClientIDs, got.ClientIDList...)
			p.Thumbprints = got.ThumbprintList
			p.Tags = tags(got.Tags)
			return nil
		})
		if err != nil {
			c.probs.add(fams, "%s", describe("iam:GetOpenIDConnectProvider "+arns[i], err))
		}
		out[i] = p
	})
	return out
}
