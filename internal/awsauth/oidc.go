package awsauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// webIdentityProvider exchanges the job's GitHub OIDC token for the role's
// credentials with sts:AssumeRoleWithWebIdentity. A fresh token is fetched
// on every retrieval: GitHub's tokens live minutes, the role's session
// longer. The token is held only for the call and never logged.
type webIdentityProvider struct {
	client      *sts.Client
	roleARN     string
	sessionName string
	duration    time.Duration
	token       func(ctx context.Context) (string, error)
}

func (p *webIdentityProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	tok, err := p.token(ctx)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("get the GitHub OIDC token: %w", err)
	}
	in := &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(p.roleARN),
		RoleSessionName:  aws.String(p.sessionName),
		WebIdentityToken: aws.String(tok),
	}
	if p.duration > 0 {
		in.DurationSeconds = aws.Int32(int32(p.duration / time.Second))
	}
	out, err := p.client.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		if refused(err) {
			return aws.Credentials{}, &AssumeRoleError{RoleARN: p.roleARN, Method: "AssumeRoleWithWebIdentity", Claims: Claims(tok), Err: err}
		}
		return aws.Credentials{}, fmt.Errorf("assume role %s with the GitHub OIDC token: %w", p.roleARN, err)
	}
	c := out.Credentials
	if c == nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s: STS returned no credentials", p.roleARN)
	}
	creds := aws.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Source:          "secretgate GitHub OIDC",
	}
	if c.Expiration != nil {
		creds.CanExpire, creds.Expires = true, *c.Expiration
	}
	return creds, nil
}

// refusalCodes are the STS error codes that mean "this identity may not
// assume this role", as opposed to faults worth retrying.
var refusalCodes = map[string]bool{
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"InvalidIdentityToken":  true,
	"IDPRejectedClaim":      true,
}

func refused(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && refusalCodes[ae.ErrorCode()]
}

// Claims decodes the payload of a JWT without checking its signature (STS
// does that; the claims here only explain a refusal). It returns nil when
// tok is not a JWT.
func Claims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	return m
}

// SessionName builds an IAM role session name from the repository and the
// run id (acme-payments@123456789): characters IAM does not accept
// ([\w+=,.@-] only) become "-", and the result is at most 64 characters,
// the repository shortened first so that the run id survives for
// CloudTrail.
func SessionName(repository, runID string) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
				b.WriteRune(r)
			default:
				b.WriteByte('-')
			}
		}
		return b.String()
	}
	repo, run := clean(repository), clean(runID)
	if repo == "" {
		repo = "secretgate"
	}
	// clean leaves only ASCII, so cutting bytes cuts characters; no
	// ellipsis marks the cut (safetext.Clip's "…" is not allowed in a
	// session name).
	if run == "" {
		return repo[:min(len(repo), 64)]
	}
	run = run[:min(len(run), 40)]
	return repo[:min(len(repo), 64-1-len(run))] + "@" + run
}
