// Package awsauth gives secretgate its AWS credentials and says whose they
// are. In a GitHub Actions job with a role to assume it exchanges the job's
// OIDC token for the role's credentials (sts:AssumeRoleWithWebIdentity);
// elsewhere it uses the AWS SDK's default chain (environment, profile, SSO,
// instance role) and, with a role, sts:AssumeRole. Every call retries in
// the SDK's adaptive mode and has a time limit. In Actions the session
// credentials are registered with the log masker; the OIDC token is never
// printed.
package awsauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"github.com/sethvargo/go-githubactions"

	"github.com/secretgate/secretgate/internal/safetext"
)

// Defaults of Options.
const (
	DefaultAudience    = "sts.amazonaws.com"
	DefaultMaxAttempts = 5
	DefaultTimeout     = 30 * time.Second
)

// Options configure Load.
type Options struct {
	// RoleARN is the role to assume; empty uses the ambient credentials.
	RoleARN string
	// Region is the SDK's default region; empty keeps the SDK's own
	// (AWS_REGION, profile).
	Region string
	// FallbackRegion is the region when neither Region nor the SDK's
	// configuration gives one; empty makes that an error. A run that
	// only needs global services (Organizations, STS, IAM) sets it.
	FallbackRegion string
	// Audience of the GitHub OIDC token (DefaultAudience when empty).
	Audience string
	// SessionDuration of the assumed role's credentials; 0 is STS's
	// default (1h).
	SessionDuration time.Duration
	// MaxAttempts per API call, first attempt included
	// (DefaultMaxAttempts when 0).
	MaxAttempts int
	// MaxBackoff caps the wait between attempts (the SDK's 20s when 0).
	MaxBackoff time.Duration
	// Timeout bounds each API call, retries included (DefaultTimeout
	// when 0).
	Timeout time.Duration
	// Getenv reads the process environment (GitHub Actions variables);
	// nil means no variables.
	Getenv func(string) string
	// Log receives workflow commands (::add-mask::) in Actions; nil
	// discards them.
	Log io.Writer
	// LoadOptions are passed to config.LoadDefaultConfig after secretgate's
	// own (tests set the endpoint and static credentials here).
	LoadOptions []func(*config.LoadOptions) error
}

// Session is an established AWS identity.
type Session struct {
	// Config carries the credentials, region, retryer and time limits;
	// every client secretgate creates is built from it.
	Config aws.Config
	// Account and ARN are the caller identity (sts:GetCallerIdentity).
	Account string
	ARN     string
	// RoleARN is the role assumed, "" for ambient credentials.
	RoleARN string
	// Method says how: "github-oidc", "assume-role" or "ambient".
	Method string
}

// InActions reports whether the environment offers GitHub Actions OIDC
// tokens (the job has id-token: write).
func InActions(getenv func(string) string) bool {
	return getenv != nil && getenv("ACTIONS_ID_TOKEN_REQUEST_URL") != "" && getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN") != ""
}

// Load builds the AWS configuration, assumes the role when one is given
// and asks STS who the credentials belong to. A refused assumption is an
// *AssumeRoleError.
func Load(ctx context.Context, o Options) (*Session, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	// ::add-mask:: must reach the runner as written, past the filter
	// that makes repository text inert (safetext.Commands).
	gha := githubactions.New(githubactions.WithWriter(safetext.Commands(log)), githubactions.WithGetenv(getenv))
	actions := getenv("GITHUB_ACTIONS") == "true" || InActions(getenv)

	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
				ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = maxAttempts
					if o.MaxBackoff > 0 {
						so.MaxBackoff = o.MaxBackoff
					}
				})
			})
		}),
		config.WithAPIOptions([]func(*middleware.Stack) error{callTimeout(timeout)}),
		// The SDK's own log lines (e.g. "falling back to IMDSv1") would
		// interleave with the report on stderr; what went wrong reaches the
		// user through the errors instead.
		config.WithLogger(logging.Nop{}),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	opts = append(opts, o.LoadOptions...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = o.FallbackRegion
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, a profile's region, --region or aws.regions in the configuration")
	}

	s := &Session{Method: "ambient", RoleARN: o.RoleARN}
	replaced := false // the SDK caches its own chain; ours needs a cache
	if o.RoleARN != "" {
		replaced = true
		stsClient := sts.NewFromConfig(cfg)
		switch {
		case InActions(getenv):
			audience := o.Audience
			if audience == "" {
				audience = DefaultAudience
			}
			s.Method = "github-oidc"
			cfg.Credentials = &webIdentityProvider{
				client:      stsClient,
				roleARN:     o.RoleARN,
				sessionName: SessionName(getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID")),
				duration:    o.SessionDuration,
				// The runtime's token endpoint gets the same time limit as
				// an AWS call: a hanging endpoint must not hang the job.
				// The token is never printed, not even to mask it.
				token: func(ctx context.Context) (string, error) {
					ctx, cancel := context.WithTimeout(ctx, timeout)
					defer cancel()
					return gha.GetIDToken(ctx, audience)
				},
			}
		default:
			s.Method = "assume-role"
			name := "secretgate-" + fmt.Sprint(time.Now().Unix())
			if r := getenv("GITHUB_REPOSITORY"); r != "" {
				name = SessionName(r, getenv("GITHUB_RUN_ID"))
			}
			cfg.Credentials = refusalProvider{
				inner: stscreds.NewAssumeRoleProvider(stsClient, o.RoleARN, func(ao *stscreds.AssumeRoleOptions) {
					ao.RoleSessionName = name
					if o.SessionDuration > 0 {
						ao.Duration = o.SessionDuration
					}
				}),
				roleARN: o.RoleARN,
			}
		}
	}
	if actions && cfg.Credentials != nil {
		cfg.Credentials = maskingProvider{inner: cfg.Credentials, mask: gha.AddMask}
		replaced = true
	}
	if replaced {
		cfg.Credentials = aws.NewCredentialsCache(cfg.Credentials)
	}
	if cfg.Credentials == nil {
		return nil, errors.New(noCredentials)
	}
	// Retrieve once here so that a refused assumption surfaces as itself,
	// not as the failure of the first call that needed it.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		var are *AssumeRoleError
		switch {
		case errors.As(err, &are):
			return nil, are
		case o.RoleARN != "":
			return nil, fmt.Errorf("get credentials for role %s: %w", o.RoleARN, err)
		default:
			return nil, fmt.Errorf("%s: %w", noCredentials, err)
		}
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	s.Account, s.ARN = aws.ToString(id.Account), aws.ToString(id.Arn)
	s.Config = cfg
	return s, nil
}

// noCredentials says what to do when the default chain finds nothing.
const noCredentials = "no usable AWS credentials (looked in the environment, AWS_PROFILE and the shared files, SSO, the instance or task role; in GitHub Actions give --role-arn and the job permissions: id-token: write; or run with --offline)"

// refusalProvider turns a refused sts:AssumeRole into an *AssumeRoleError.
type refusalProvider struct {
	inner   aws.CredentialsProvider
	roleARN string
}

func (p refusalProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.inner.Retrieve(ctx)
	if err != nil && refused(err) {
		return c, &AssumeRoleError{RoleARN: p.roleARN, Method: "AssumeRole", Err: err}
	}
	return c, err
}

// callTimeout bounds every API call, its retries included, so that an
// endpoint that hangs ends the call with an error instead of the run.
func callTimeout(d time.Duration) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("secretgateCallTimeout",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				ctx, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

// ErrorCode is the AWS error code of err ("AccessDenied",
// "ThrottlingException", …), "" when err is not an AWS API error.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
