package awsauth

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// maskingProvider registers every set of credentials it hands out with the
// GitHub Actions log masker, so that a value that somehow reaches the job
// log is shown as ***.
type maskingProvider struct {
	inner aws.CredentialsProvider
	mask  func(string)
}

func (p maskingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.inner.Retrieve(ctx)
	if err != nil {
		return c, err
	}
	for _, v := range []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken} {
		if v != "" {
			p.mask(v)
		}
	}
	return c, nil
}
